import type { Server } from 'socket.io';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AuthService } from '../auth/service.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { AppInstance } from '../http/app.js';
import { EventLog } from './log.js';
import { Publisher } from './publisher.js';
import { attachAgentGateway, BROADCAST_STREAM, userStream } from './gateway.js';
import { realtimeRoutes } from './routes.js';

export { AGENT_NS, BROADCAST_STREAM, userStream } from './gateway.js';
export type { EventMeta } from './publisher.js';

/** Events are kept this long, and at most this many per stream; a client further behind resyncs. */
const RETAIN_MS = 24 * 3600_000;
const RETAIN_PER_STREAM = 20_000;
const PRUNE_EVERY_MS = 3600_000;

export type RealtimeDeps = { db: Kysely<Database>; io: Server; bus: EventBus; auth: AuthService; clock: Clock; logger: Logger; heartbeatMs: number };

/**
 * Real time for agents' clients (PC and phone at once): domain events numbered per stream in
 * the database and pushed over Socket.IO (/agent; the Redis adapter carries them between
 * instances), with heads for loss detection and a gap-fill API.
 */
export function createRealtime(deps: RealtimeDeps) {
  const { bus, clock, logger } = deps;
  const log = new EventLog(deps.db);
  const gateway = attachAgentGateway(deps.io, { auth: deps.auth, log, logger, heartbeatMs: deps.heartbeatMs });
  const publisher = new Publisher(log, (stream, type, payload, meta) => void (meta ? gateway.ns.to(stream).emit(type, payload, meta) : gateway.ns.to(stream).emit(type, payload)), clock, logger);
  const publish = (stream: string, type: string, payload: unknown) => publisher.publish(stream, type, payload);

  bus.on('message.created', (p) => publish(BROADCAST_STREAM, 'message.created', p));
  bus.on('message.updated', (p) => publish(BROADCAST_STREAM, 'message.updated', p));
  bus.on('conversation.updated', (p) => publish(BROADCAST_STREAM, 'conversation.updated', p));
  bus.on('conversation.assigned', (p) => publish(userStream(p.agent_id), 'conversation.assigned', p));
  bus.on('knowledge.alert', (p) => publish(BROADCAST_STREAM, 'knowledge.alert', p));

  const prune = () =>
    log.prune(new Date(clock.now().getTime() - RETAIN_MS).toISOString(), RETAIN_PER_STREAM).catch((err) => logger.error({ err }, 'realtime: pruning the event log failed'));
  const pruner = setInterval(prune, PRUNE_EVERY_MS);
  pruner.unref();

  return {
    log,
    publish,
    /** every event published so far numbered and pushed (tests, shutdown) */
    idle: () => publisher.idle(),
    prune,
    routes: (app: AppInstance) => realtimeRoutes(app, { auth: deps.auth, log }),
    async stop(): Promise<void> {
      clearInterval(pruner);
      gateway.stop();
      await publisher.idle();
    },
  };
}

export type Realtime = ReturnType<typeof createRealtime>;
