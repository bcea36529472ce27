import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostname } from 'node:os';
import { Server as SocketServer } from 'socket.io';
import cors from '@fastify/cors';
import { sql } from 'kysely';
import type { Config } from './config.js';
import { systemClock, type Clock } from './core/clock.js';
import { EventBus } from './core/events.js';
import { createLogger, type Logger } from './core/logger.js';
import { newId } from './core/ids.js';
import { openDb, migrate } from './db/connect.js';
import { Leases } from './db/lease.js';
import { createHttpApp } from './http/app.js';
import { AuthService } from './auth/service.js';
import { authRoutes } from './auth/routes.js';
import { HubService } from './hub/index.js';
import { MediaStore } from './media/store.js';
import { mediaRoutes } from './media/routes.js';
import { workspaceRoutes } from './workspace/routes.js';
import { attachAgentGateway } from './workspace/realtime.js';
import { attachWidgetGateway, widgetRoutes, VisitorTokens } from './channels/web/index.js';
import { createWecomChannel } from './channels/wecom/index.js';
import { seedDemo } from './demo/seed.js';
import { customerRoutes } from './customers/routes.js';
import { createBot } from './bot/index.js';
import { QuickReplies } from './replies/service.js';
import { replyRoutes } from './replies/routes.js';
import { createKnowledge, knowledgeRoutes, seedDemoKnowledge } from './knowledge/index.js';
import { RedisLink } from './infra/redis.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export type KefuOptions = { clock?: Clock; logger?: Logger; webDist?: string; /** 0 turns the soothing timer off (tests call tickSoothing) */ soothingTickMs?: number };

/**
 * Composition root: config → db → modules → http + realtime. Returns a running kefu;
 * `close()` stops accepting work, finishes running pulls and closes the database.
 */
export async function startKefu(config: Config, opts: KefuOptions = {}) {
  const clock = opts.clock ?? systemClock;
  const log = opts.logger ?? createLogger(config.KEFU_LOG_LEVEL);
  const { db, kind } = await openDb(config.KEFU_DATABASE_URL);
  await migrate(db);

  const bus = new EventBus((err, event) => log.error({ err, event }, 'event listener failed'));
  const auth = new AuthService(db, config.KEFU_SECRET_KEY, clock);
  const hub = new HubService(db, bus, clock, log.child({ mod: 'hub' }));
  const media = new MediaStore(db, config.KEFU_DATA_DIR, clock);
  const leases = new Leases(db, clock, `${hostname()}:${process.pid}:${newId()}`);
  const seeded = config.KEFU_DEMO_DATA ? await seedDemo(db, auth).catch(() => false) : false;

  const app = await createHttpApp({ logger: log, bodyLimit: config.KEFU_BODY_LIMIT, webDist: opts.webDist ?? WEB_DIST });
  // only the widget's endpoints are called from other sites
  await app.register(cors, { delegator: (req, cb) => cb(null, { origin: (req.url ?? '').startsWith('/api/widget/') }) });
  app.get('/healthz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(db);
      return { status: 'ok', db: kind };
    } catch {
      return reply.status(503).send({ status: 'unavailable', db: kind });
    }
  });

  const redis = config.KEFU_REDIS_URL ? new RedisLink(config.KEFU_REDIS_URL, config.KEFU_REDIS_PREFIX) : undefined;
  const wecom = createWecomChannel({ config, db, hub, media, leases, clock, log, tokenCache: redis?.tokenCache() });
  authRoutes(app, auth);
  workspaceRoutes(app, { auth, hub, media });
  await mediaRoutes(app, { auth, media });
  customerRoutes(app, { db, auth, clock, bus });
  const knowledge = createKnowledge(db, bus, clock, log.child({ mod: 'knowledge' }));
  if (config.KEFU_DEMO_DATA) await seedDemoKnowledge(knowledge).catch((err) => log.error({ err }, 'demo knowledge seed failed'));
  await knowledgeRoutes(app, { auth, knowledge });
  knowledge.surge.start();
  const bot = createBot({ db, hub, bus, clock, log, models: () => knowledge.service.publishedModel(), soothingTickMs: opts.soothingTickMs });
  bot.routes(app, auth);
  bot.start();
  const replies = new QuickReplies(db, clock);
  if (config.KEFU_DEMO_DATA) await replies.seedDemo();
  replyRoutes(app, { auth, hub, replies, published: () => knowledge.service.publishedModel() });
  const visitors = new VisitorTokens(config.KEFU_SECRET_KEY);
  widgetRoutes(app, visitors);
  wecom.routes(app, auth);

  const io = new SocketServer(app.server, { path: '/socket.io', cors: { origin: true }, serveClient: false });
  redis?.attach(io);
  attachAgentGateway(io, bus, auth);
  hub.registerChannel(attachWidgetGateway(io, { hub, visitors, log }));

  await app.listen({ port: config.KEFU_PORT, host: config.KEFU_HOST });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.KEFU_PORT;
  // account names and resumed pulls need WeCom; kefu serves while they complete
  const started = wecom.start().catch((err) => log.error({ err }, 'wecom channel start failed'));

  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dbKind: kind,
    seeded,
    app, db, hub, bus, auth, wecom, io, bot, knowledge,
    close(): Promise<void> {
      closing ??= (async () => {
        await started;
        io.close();
        await app.close();
        await bot.stop();
        await wecom.stop();
        await redis?.close();
        await db.destroy();
      })();
      return closing;
    },
  };
}

export type Kefu = Awaited<ReturnType<typeof startKefu>>;
export const webDistDir = resolve(WEB_DIST);
