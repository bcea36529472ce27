import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostname } from 'node:os';
import { Server as SocketServer } from 'socket.io';
import cors from '@fastify/cors';
import { sql } from 'kysely';
import { DEMO_WECOM, type Config } from './config.js';
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
import { teamMates } from './workspace/views.js';
import { noteRoutes } from './workspace/notes.js';
import { customerOverviewRoutes } from './customers/profile.js';
import { AGENT_NS, BROADCAST_STREAM, createRealtime } from './realtime/index.js';
import { attachWidgetGateway, widgetRoutes, VisitorTokens } from './channels/web/index.js';
import { createWecomChannel } from './channels/wecom/index.js';
import { seedDemo } from './demo/seed.js';
import { customerRoutes } from './customers/routes.js';
import { BotSettingsStore, createBot, createLlm, isHumanTime } from './bot/index.js';
import { createRouting } from './routing/index.js';
import { createNotifications, notifyRoutes } from './notify/index.js';
import { DbScheduler } from './scheduler/index.js';
import { createTickets, DemoCrm, seedTicketDemo, ticketAdminRoutes, ticketRoutes, TicketAdmin } from './tickets/index.js';
import { QuickReplies } from './replies/service.js';
import { replyRoutes } from './replies/routes.js';
import { automationRoutes, createAutomation, seedJourneys } from './automation/index.js';
import { createKnowledge, knowledgeRoutes, seedDemoKnowledge } from './knowledge/index.js';
import { RedisLink } from './infra/redis.js';

const WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export type KefuOptions = { clock?: Clock; logger?: Logger; webDist?: string; /** 0 turns the soothing timer off (tests call tickSoothing) */ soothingTickMs?: number; /** how often agents' clients get their streams' heads (default 10 s) */ realtimeHeartbeatMs?: number };

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
  // the bot settings own the welcome text (KEFU_WELCOME_TEXT is its initial value); channels read
  // the cached value, as the welcome may be decided inside an ingest transaction
  const botSettings = new BotSettingsStore(db, clock, { welcome_text: config.KEFU_WELCOME_TEXT });
  const welcomeText = () => botSettings.peek().welcome_text;
  const wecom = createWecomChannel({ config, db, hub, media, leases, clock, log, tokenCache: redis?.tokenCache(), welcomeText });
  authRoutes(app, auth);
  // the team tab asks routing (created below, called per request) who is in the user's team
  workspaceRoutes(app, { auth, hub, media, teamOf: (id) => teamMates(() => routing.service.agents(), id) });
  await mediaRoutes(app, { auth, media });
  customerRoutes(app, { db, auth, clock, bus });
  // tickets: SLA timers on the durable scheduler, escalations through the notification service
  // the demo alert app's secret only exists in the simulator: against a real WeCom without
  // WECOM_AGENT_SECRET the WeCom channel is "not configured" (logged per notification), not failing
  const demoAgentOnRealWecom = config.WECOM_AGENT_SECRET === DEMO_WECOM.agentSecret && !/^https?:\/\/(127\.0\.0\.1|localhost)[:/]/.test(config.WECOM_API_BASE);
  if (demoAgentOnRealWecom) log.warn('WECOM_AGENT_SECRET is not set: WeCom app notifications (SLA alerts) are off');
  const notifications = createNotifications({ db, config: demoAgentOnRealWecom ? { ...config, WECOM_AGENT_ID: undefined, WECOM_AGENT_SECRET: undefined } : config, logger: log, clock });
  if (!config.SMTP_URL) log.warn('SMTP_URL is not set: e-mail notifications are logged as "channel not configured"');
  const scheduler = new DbScheduler({ db, clock, logger: log, instanceId: `${hostname()}:${process.pid}`, pollMs: config.KEFU_SCHEDULER_POLL_MS });
  if (config.KEFU_DEMO_DATA) await seedTicketDemo(db).catch((err) => log.error({ err }, 'demo departments seed failed'));
  const tickets = createTickets({ db, hub, bus, clock, log: log.child({ mod: 'tickets' }), scheduler, notify: notifications.service, publicUrl: config.KEFU_PUBLIC_URL ?? `http://localhost:${config.KEFU_PORT}` });
  const stopTickets = tickets.start();
  ticketRoutes(app, { auth, tickets });
  // open tickets' timers follow admin edits in the background (badges are computed at read time)
  const onSlaChanged = (ids: string[]) => void tickets.refreshSla(ids).catch((err) => log.error({ err }, 'SLA refresh after an admin edit failed'));
  ticketAdminRoutes(app, { auth, admin: new TicketAdmin(db, clock, onSlaChanged) });
  notifyRoutes(app, { auth, notify: notifications.service, store: notifications.store, clock });
  const knowledge = createKnowledge(db, bus, clock, log.child({ mod: 'knowledge' }));
  if (config.KEFU_DEMO_DATA) await seedDemoKnowledge(knowledge).catch((err) => log.error({ err }, 'demo knowledge seed failed'));
  await knowledgeRoutes(app, { auth, knowledge });
  const stopSurge = knowledge.surge.start();
  const llm = createLlm(config, log.child({ mod: 'llm' }));
  if (llm) log.info({ model: llm.model, timeout_ms: llm.timeoutMs }, 'LLM answers enabled (grounded on the published FAQs)');
  const bot = createBot({ db, hub, bus, clock, log, models: () => knowledge.service.publishedModel(), soothingTickMs: opts.soothingTickMs, settings: botSettings, llm });
  bot.routes(app, auth);
  bot.start();
  const routing = createRouting({
    db, hub, bus, clock, log, scheduler,
    humanTime: async () => isHumanTime((await botSettings.get()).human_hours, clock.now()),
    openTicket: (id) => tickets.createFromConversation(id, {}, { type: 'system', id: null }),
  });
  if (config.KEFU_DEMO_DATA) await routing.seedDemo(auth).catch((err) => log.error({ err }, 'demo agents seed failed'));
  routing.start();
  noteRoutes(app, { db, auth, clock, bus });
  customerOverviewRoutes(app, { db, auth, tickets, crm: new DemoCrm() });
  const replies = new QuickReplies(db, clock);
  if (config.KEFU_DEMO_DATA) await replies.seedDemo();
  replyRoutes(app, { auth, hub, replies, published: () => knowledge.service.publishedModel(), teamIdOf: (id) => routing.service.teamIdOf(id) });
  // automation rules and journeys: runs and actions on the durable scheduler
  const automation = createAutomation({
    db, hub, bus, clock, log: log.child({ mod: 'automation' }), scheduler, notify: notifications.service, tickets,
    assign: (conversationId, to, note) => routing.handovers.transferByRule(conversationId, to, note),
  });
  if (config.KEFU_DEMO_DATA) await seedJourneys(automation).catch((err) => log.error({ err }, 'demo journeys seed failed'));
  const stopAutomation = automation.start();
  automationRoutes(app, { auth, automation });
  const visitors = new VisitorTokens(config.KEFU_SECRET_KEY);
  widgetRoutes(app, visitors);
  wecom.routes(app, auth, (conversationId, servicer, by) => routing.handovers.handedToWecom(conversationId, servicer, by));

  const io = new SocketServer(app.server, { path: '/socket.io', cors: { origin: true }, serveClient: false });
  redis?.attach(io);
  const realtime = createRealtime({ db, io, bus, auth, clock, logger: log.child({ mod: 'realtime' }), heartbeatMs: opts.realtimeHeartbeatMs ?? 10_000 });
  realtime.routes(app);
  routing.routes(app, auth, io);
  hub.registerChannel(attachWidgetGateway(io, { hub, visitors, log, welcomeText: async () => (await botSettings.get()).welcome_text, onLeaveMessage: (visitorId, m) => tickets.createFromLeaveMessage(visitorId, m), onTyping: async (visitorId) => {
    // ephemeral: straight to the agents' clients, not numbered in the event log
    const c = await hub.conversationOf('web', 'web', visitorId);
    if (c) io.of(AGENT_NS).to(BROADCAST_STREAM).emit('conversation.typing', { conversation_id: c.id, at: clock.now().toISOString() });
    return !!c;
  } }));
  bus.on('note.created', (p) => realtime.publish(BROADCAST_STREAM, 'note.created', p));
  tickets.events.on('ticket.updated', (ticket) => realtime.publish(BROADCAST_STREAM, 'ticket.updated', { ticket }));

  await app.listen({ port: config.KEFU_PORT, host: config.KEFU_HOST });
  scheduler.start();
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
    routing,
    app, db, hub, bus, auth, wecom, io, realtime, bot, knowledge, tickets, scheduler, notifications, automation,
    close(): Promise<void> {
      closing ??= (async () => {
        await started;
        await realtime.stop();
        io.close();
        await app.close();
        await bot.stop();
        await routing.stop();
        await scheduler.stop();
        stopTickets();
        stopAutomation();
        notifications.close();
        await wecom.stop();
        // after the pulls: the counts of their last messages are written too
        await stopSurge();
        await redis?.close();
        await db.destroy();
      })();
      return closing;
    },
  };
}

export type Kefu = Awaited<ReturnType<typeof startKefu>>;
export const webDistDir = resolve(WEB_DIST);
