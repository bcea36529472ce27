import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Test harness: real processes on real ports. The simulator and kefu run as child processes
 * (`node --import tsx …`), the database is a fresh SQLite file or a fresh PostgreSQL database
 * per test file, chosen by KEFU_TEST_DB (sqlite | postgres).
 */
export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const DB_KIND = (process.env.KEFU_TEST_DB ?? 'sqlite') as 'sqlite' | 'postgres';
export const PG_ADMIN_URL = process.env.KEFU_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export const DEMO = {
  corpId: 'ww5823bf96d3bd56c7',
  token: 'kefuDemoToken',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  secret: 'kefu-demo-kf-secret',
};

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export type TestDb = { url: string; dataDir: string; drop(): Promise<void> };

/** A fresh, empty database of the kind under test. */
export async function createTestDb(): Promise<TestDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-test-'));
  if (DB_KIND === 'sqlite') {
    return { url: `sqlite:${join(dataDir, 'kefu.db')}`, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `kefu_t_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = PG_ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type Proc = { child: ChildProcess; url: string; port: number; output: () => string; stop(signal?: NodeJS.Signals): Promise<void> };

async function waitFor(url: string, child: ChildProcess, output: () => string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}) before ready:\n${output()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${url}:\n${output()}`);
}

function launch(script: string, env: Record<string, string>, readyPath: string, port: number): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out = (out + d).slice(-200_000)));
  child.stderr!.on('data', (d) => (out = (out + d).slice(-200_000)));
  const url = `http://127.0.0.1:${port}`;
  const proc: Proc = {
    child,
    url,
    port,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise((res) => {
        if (child.exitCode !== null || child.signalCode !== null) return res();
        child.once('exit', () => res());
        child.kill(signal);
      }),
  };
  return waitFor(url + readyPath, child, proc.output).then(() => proc);
}

export type SimOptions = { port?: number; callbackUrl: string; env?: Record<string, string> };

export async function startSimulator(o: SimOptions): Promise<Proc> {
  const port = o.port ?? (await freePort());
  return launch('simulator/src/main.ts', {
    SIM_PORT: String(port),
    SIM_HOST: '127.0.0.1',
    SIM_CALLBACK_URL: o.callbackUrl,
    SIM_CORP_ID: DEMO.corpId,
    SIM_TOKEN: DEMO.token,
    SIM_ENCODING_AES_KEY: DEMO.aesKey,
    SIM_KF_SECRET: DEMO.secret,
    SIM_RETRY_DELAYS_MS: '200,400,800',
    ...o.env,
  }, '/sim/clock', port);
}

export type KefuProcOptions = { port?: number; db: TestDb; apiBase: string; env?: Record<string, string> };

export async function startKefuProcess(o: KefuProcOptions): Promise<Proc> {
  const port = o.port ?? (await freePort());
  return launch('server/src/main.ts', {
    KEFU_PORT: String(port),
    KEFU_HOST: '127.0.0.1',
    KEFU_DATABASE_URL: o.db.url,
    KEFU_DATA_DIR: o.db.dataDir,
    KEFU_LOG_LEVEL: process.env.KEFU_TEST_LOG_LEVEL ?? 'warn',
    WECOM_API_BASE: o.apiBase,
    WECOM_CORP_ID: DEMO.corpId,
    WECOM_TOKEN: DEMO.token,
    WECOM_ENCODING_AES_KEY: DEMO.aesKey,
    WECOM_KF_SECRET: DEMO.secret,
    WECOM_TIMEOUT_MS: '3000',
    ...o.env,
  }, '/healthz', port);
}

/**
 * Switches the bot off through the settings API, as an administrator would: tests of the
 * channels and the hub then see only what customers and agents send.
 */
export async function setBotEnabled(kefuUrl: string, enabled: boolean): Promise<void> {
  const token = await login(kefuUrl, 'admin');
  const settings = (await api(kefuUrl, 'GET', '/api/bot/settings', undefined, token)).body;
  const r = await api(kefuUrl, 'PUT', '/api/bot/settings', { ...settings, enabled }, token);
  if (r.status !== 200) throw new Error(`bot settings: ${r.status} ${JSON.stringify(r.body)}`);
}

/** A simulator and a kefu wired to each other, on the database under test; the bot is off unless `bot: true`. */
export async function startStack(opts: { simEnv?: Record<string, string>; kefuEnv?: Record<string, string>; bot?: boolean } = {}) {
  const db = await createTestDb();
  const kefuPort = await freePort();
  const sim = await startSimulator({ callbackUrl: `http://127.0.0.1:${kefuPort}/api/wecom/callback`, env: opts.simEnv });
  let kefu = await startKefuProcess({ port: kefuPort, db, apiBase: sim.url, env: opts.kefuEnv });
  if (!opts.bot) await setBotEnabled(kefu.url, false);
  const stack = {
    db,
    sim,
    get kefu() {
      return kefu;
    },
    /** restarts kefu on the same port and database (after a crash or a stop) */
    async restartKefu() {
      kefu = await startKefuProcess({ port: kefuPort, db, apiBase: sim.url, env: opts.kefuEnv });
      return kefu;
    },
    async stop() {
      await kefu.stop();
      await sim.stop();
      await db.drop();
    },
  };
  return stack;
}

export type Json = Record<string, any>;

export async function api(base: string, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Json }> {
  const r = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: Json;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { text };
  }
  return { status: r.status, body: parsed };
}

export async function login(base: string, username = 'agent1', password = 'kefu123'): Promise<string> {
  const r = await api(base, 'POST', '/api/auth/login', { username, password });
  if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** Polls until `fn` returns a truthy value (the system under test works asynchronously). */
export async function eventually<T>(fn: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/**
 * A WeChat customer as tests drive one through the simulator's control API: create, write on the
 * 售前咨询 account, read what kefu sent back.
 */
export async function wechatCustomers(simUrl: string) {
  const sim = (method: string, path: string, body?: unknown) => api(simUrl, method, path, body);
  const accounts: Json[] = (await sim('GET', '/sim/kf/accounts')).body.accounts;
  const presales: string = accounts.find((a) => a.name === '售前咨询')!.open_kfid;
  const ok = (r: { status: number; body: Json }) => {
    if (r.status !== 200) throw new Error(`simulator: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  return {
    presales,
    create: async (nickname: string): Promise<string> => ok(await sim('POST', '/sim/customers', { nickname })).external_userid,
    says: async (external_userid: string, text: string): Promise<void> => {
      ok(await sim('POST', '/sim/kf/messages', { open_kfid: presales, external_userid, msgtype: 'text', text: { content: text } }));
    },
    /** texts kefu sent with send_msg, in order */
    inboxTexts: async (external_userid: string): Promise<string[]> =>
      (ok(await sim('GET', `/sim/kf/inbox?external_userid=${external_userid}`)).messages as Json[]).filter((m) => m.via === 'send_msg').map((m) => m.text?.content),
  };
}
