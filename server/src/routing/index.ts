import type { Kysely } from 'kysely';
import type { Server } from 'socket.io';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { HubService } from '../hub/index.js';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import type { Scheduler } from '../scheduler/index.js';
import { RoutingService } from './service.js';
import { routingRoutes } from './routes.js';
import { seedDemoRouting } from './seed.js';
import { RoutingSettingsStore } from './settings.js';
import { WaitStats } from './wait.js';
import { QueueNotices } from './notices.js';
import { QueueCare } from './queue-care.js';
import { socketMonitor } from './monitor.js';
import { Handovers } from './handover.js';

export { RoutingService, type Decision, type QueueItem, type RouteResult } from './service.js';
export type { AgentView } from './schema.js';
export { MANAGER_ROLES } from './store.js';
export { WEIGHTS, rank } from './score.js';
export type { RoutingTables, AgentStatus } from './schema.js';
export { routingSettingsSchema, type RoutingSettings } from './settings.js';

export type RoutingDeps = {
  db: Kysely<Database>; hub: HubService; bus: EventBus; clock: Clock; log: Logger; scheduler: Scheduler;
  /** whether humans work now (the bot settings' business calendar) */
  humanTime: () => Promise<boolean>;
  /** opens a ticket from a conversation, fields prefilled (leave-a-message) */
  openTicket: (conversationId: string) => Promise<{ id: string; number: string }>;
};

/** Routing, wired: service (listening to hub events), queue care (notices, overflow, leave-a-message), API, demo agents. */
export function createRouting(deps: RoutingDeps) {
  const log = deps.log.child({ mod: 'routing' });
  const settings = new RoutingSettingsStore(deps.db, deps.clock);
  const service = new RoutingService({ ...deps, log, teamMaps: () => settings.get() });
  const wait = new WaitStats(deps.db, deps.clock);
  const notices = new QueueNotices({ db: deps.db, hub: deps.hub, clock: deps.clock, log, settings, wait, queue: () => service.queue() });
  const care = new QueueCare({ routing: service, hub: deps.hub, scheduler: deps.scheduler, settings, notices, wait, clock: deps.clock, log, humanTime: deps.humanTime, openTicket: deps.openTicket });
  service.attach(care);
  const handovers = new Handovers({ db: deps.db, hub: deps.hub, clock: deps.clock, routing: service });
  // an agent's reply to a conversation not theirs goes through routing (the reply-vs-router race)
  deps.hub.setAgentClaim(handovers.claimForReply);
  return {
    service,
    handovers,
    settings,
    care,
    start: () => service.start(),
    stop: () => service.stop(),
    routes: (app: AppInstance, auth: AuthService, io?: Server) =>
      routingRoutes(app, { auth, routing: service, handovers, settings, wait, monitor: io ? socketMonitor(io, deps.bus) : undefined }),
    seedDemo: (auth: AuthService) => seedDemoRouting(deps.db, auth, service, settings),
  };
}
