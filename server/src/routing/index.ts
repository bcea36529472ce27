import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { HubService } from '../hub/index.js';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { RoutingService } from './service.js';
import { routingRoutes } from './routes.js';
import { seedDemoRouting } from './seed.js';

export { RoutingService, type AgentView, type Decision, type QueueItem, type RouteResult } from './service.js';
export { WEIGHTS, rank } from './score.js';
export type { RoutingTables, AgentStatus } from './schema.js';

/** Routing, wired: service (listening to hub events), API, demo agents. */
export function createRouting(deps: { db: Kysely<Database>; hub: HubService; bus: EventBus; clock: Clock; log: Logger; intentCategory?: (intentId: string) => Promise<string | null> }) {
  const service = new RoutingService({ ...deps, log: deps.log.child({ mod: 'routing' }) });
  return {
    service,
    start: () => service.start(),
    stop: () => service.stop(),
    routes: (app: AppInstance, auth: AuthService) => routingRoutes(app, { auth, routing: service }),
    seedDemo: (auth: AuthService) => seedDemoRouting(deps.db, auth, service),
  };
}
