/** Automation rules and customer journeys. See service.ts for the design. */
import { AutomationService, type AutomationDeps } from './service.js';
import { BUILTIN_JOURNEYS } from './journeys.js';

export { AutomationService, occurrences, isWindowClosed, type AutomationDeps, type RuleDto, type Context } from './service.js';
export { automationRoutes } from './routes.js';
export { BUILTIN_JOURNEYS, DEMO_LINKS } from './journeys.js';
export { parseRule, ruleSchema, EVENTS, type RuleDefinition, type RuleInput, type Action } from './rules.js';
export * as automationMigration from '../db/migrations/008_automation.js';

export function createAutomation(deps: AutomationDeps): AutomationService {
  return new AutomationService(deps);
}

/** Adds the built-in journeys that are not there yet (on by default in the demo). */
export async function seedJourneys(automation: AutomationService): Promise<void> {
  const have = new Set((await automation.list()).map((r) => r.builtin));
  for (const [key, def] of Object.entries(BUILTIN_JOURNEYS)) {
    if (have.has(key)) continue;
    try {
      await automation.create(def, key);
    } catch (e) {
      if (!/unique|duplicate/i.test(String((e as Error).message))) throw e; // another instance seeded it first
    }
  }
}
