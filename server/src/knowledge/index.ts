import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { demoKnowledge } from '../demo/knowledge/index.js';
import { KnowledgeService } from './service.js';
import { Jobs } from './jobs.js';
import { Candidates } from './mining.js';
import { SurgeMonitor, type SurgeOptions } from './surge.js';

export { KnowledgeService, emptySnapshot } from './service.js';
export type { EvaluationReport, PublishResult, TestResult, VersionInfo } from './service.js';
export { SurgeMonitor, DEFAULT_SURGE } from './surge.js';
export type { Alert, SurgeOptions } from './surge.js';
export { mineQuestions } from './mining.js';
export { knowledgeRoutes } from './routes.js';

/** The knowledge module: the service (draft, versions, test, evaluation), jobs, mined candidates, surge alerts. */
export type Knowledge = { service: KnowledgeService; jobs: Jobs; candidates: Candidates; surge: SurgeMonitor };

export function createKnowledge(db: Kysely<Database>, bus: EventBus, clock: Clock, log: Logger, opts: { surge?: Partial<SurgeOptions> } = {}): Knowledge {
  const service = new KnowledgeService(db, bus, clock, log);
  return { service, jobs: new Jobs(service.db, clock), candidates: new Candidates(service), surge: new SurgeMonitor(service, bus, clock, log, opts.surge) };
}

/** Demo data: an empty knowledge base gets the demo knowledge as its draft, published as version 1. */
export async function seedDemoKnowledge(k: Knowledge | KnowledgeService): Promise<boolean> {
  const service = k instanceof KnowledgeService ? k : k.service;
  if (!(await service.isEmpty())) return false;
  await service.loadDraft(demoKnowledge());
  await service.publish({ by: 'system', note: '演示知识库' });
  return true;
}
