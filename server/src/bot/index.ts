import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { HubService } from '../hub/index.js';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { scoreConversation } from '../nlp/index.js';
import { pickAnswer } from './engine/index.js';
import type { BotModel, KnowledgeSnapshot } from './engine/types.js';
import { BotSettingsStore } from './settings.js';
import { BotService } from './service.js';
import { botRoutes } from './routes.js';
import type { LlmClient } from './llm.js';

export { BotSettingsStore, DEFAULT_BOT_SETTINGS, isHumanTime, type BotSettings } from './settings.js';
export { createLlm, LlmClient, type LlmConfig } from './llm.js';
export { analyzeMessage } from './analysis.js';

/** The bot, wired: model from the published knowledge, settings, runtime, API. */
export function createBot(deps: { db: Kysely<Database>; hub: HubService; bus: EventBus; clock: Clock; log: Logger; models: () => Promise<{ model: BotModel; snapshot: KnowledgeSnapshot } | null>;
  soothingTickMs?: number;
  /** the settings store, when other modules read it too (the welcome text) */
  settings?: BotSettingsStore;
  /** the optional LLM; null or absent: the classic bot alone */
  llm?: LlmClient | null;
}) {
  const log = deps.log.child({ mod: 'bot' });
  const settings = deps.settings ?? new BotSettingsStore(deps.db, deps.clock);
  const service = new BotService({
    db: deps.db, hub: deps.hub, bus: deps.bus, clock: deps.clock, log, settings, models: deps.models, llm: deps.llm ?? null,
    pickAnswer: (faq, ctx) => pickAnswer(faq, ctx)?.content,
    conversationSentiment: (scores) => scoreConversation(scores).score,
  });
  return {
    service,
    settings,
    llm: deps.llm ?? null,
    start: () => service.start({ soothingTickMs: deps.soothingTickMs }),
    stop: () => service.stop(),
    routes: (app: AppInstance, auth: AuthService) => botRoutes(app, { auth, settings }),
  };
}
