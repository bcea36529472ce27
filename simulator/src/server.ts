/** createSimulator(): the WeCom simulator as an in-process Fastify server. */
import { readFileSync } from 'node:fs';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { WecomCrypto } from '@kefu/server/wecom-crypto';
import { CallbackDispatcher } from './callbacks.js';
import { SimClock } from './clock.js';
import { loadConfig, type SimConfig } from './config.js';
import { InvalidJson, type SimContext } from './context.js';
import { ControlError, ERR, WecomApiError, wecomError } from './errors.js';
import { openKfidFor } from './ids.js';
import { KfService } from './kf.js';
import { registerCgiRoutes } from './routes/cgi.js';
import { registerMediaRoutes } from './routes/media.js';
import { registerSimRoutes } from './routes/sim.js';
import { SimState } from './state.js';

export interface SimulatorOptions extends Partial<SimConfig> {
  /** Fastify logger option; default false. */
  logger?: FastifyServerOptions['logger'];
  /** Read defaults from this environment (default: process.env); explicit options win. */
  env?: NodeJS.ProcessEnv;
}

export interface Simulator {
  app: FastifyInstance;
  /** Base URL, e.g. http://127.0.0.1:3100 (use as WECOM_API_BASE). */
  url: string;
  state: SimState;
  clock: SimClock;
  config: SimConfig;
  /** Resolves when no callback delivery (or scheduled retry) is pending. */
  callbacksIdle(): Promise<void>;
  /** Change the callback URL at runtime (same as POST /sim/callback-url). */
  setCallbackUrl(url: string): void;
  close(): Promise<void>;
}

const CONSOLE_HTML = readFileSync(new URL('./console.html', import.meta.url), 'utf8');

export async function createSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const { logger = false, env, ...overrides } = options;
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<SimConfig>;
  const config: SimConfig = { ...loadConfig(env ?? process.env), ...defined };

  const clock = new SimClock(config.clockStart);
  const state = new SimState(
    config.kfAccounts.map((name) => ({ open_kfid: openKfidFor(config.corpId, name), name })),
    config.servicers,
  );
  const crypto = new WecomCrypto({ token: config.token, aesKey: config.encodingAesKey, receiveId: config.corpId });
  const ctx = { config, state, clock, crypto, callbackUrl: config.callbackUrl } as SimContext;
  ctx.callbacks = new CallbackDispatcher(state, clock, {
    corpId: config.corpId,
    crypto,
    getUrl: () => ctx.callbackUrl,
    retryDelaysMs: config.retryDelaysMs,
    timeoutMs: config.callbackTimeoutMs,
  });
  ctx.kf = new KfService(state, clock, ctx.callbacks);

  const app = Fastify({ logger, bodyLimit: 25 << 20 });

  // Lenient body parsing: WeCom accepts JSON whatever the content-type; bad JSON is answered by the route.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body ?? '');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      done(null, new InvalidJson((e as Error).message));
    }
  });
  await app.register(multipart, { limits: { fileSize: 20 << 20, files: 1 } });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof WecomApiError) return reply.code(200).send(wecomError(err.entry, err.detail));
    if (err instanceof ControlError) return reply.code(err.status).send({ error: { code: err.code, message: err.message } });
    const status = err.statusCode ?? 500;
    if (req.url.startsWith('/cgi-bin/')) {
      if (status < 500) return reply.code(200).send(wecomError(ERR.INVALID_PARAMETER, err.message));
      req.log.error(err);
      return reply.code(200).send(wecomError(ERR.SYSTEM_BUSY));
    }
    if (status < 500) return reply.code(status).send({ error: { code: err.code ?? 'bad_request', message: err.message } });
    req.log.error(err);
    return reply.code(500).send({ error: { code: 'internal', message: err.message } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(
      req.url.startsWith('/cgi-bin/')
        ? { errcode: 404, errmsg: `api not found: ${req.method} ${req.url.split('?')[0]}` }
        : { error: { code: 'not_found', message: `${req.method} ${req.url.split('?')[0]}` } },
    ),
  );

  registerCgiRoutes(app, ctx);
  registerMediaRoutes(app, ctx);
  registerSimRoutes(app, ctx);
  app.get('/', async (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(CONSOLE_HTML));

  const address = await app.listen({ port: config.port, host: config.host });
  const url = new URL(address);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
  const base = url.origin;

  return {
    app,
    url: base,
    state,
    clock,
    config,
    callbacksIdle: () => ctx.callbacks.idle(),
    setCallbackUrl: (u: string) => {
      ctx.callbackUrl = u;
    },
    close: async () => {
      ctx.callbacks.close();
      await app.close();
    },
  };
}
