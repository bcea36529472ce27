/**
 * kefu benchmark: encrypted 微信客服 callbacks from many simulated customers, through
 * kf/sync_msg into storage and out to an agent's WebSocket, on SQLite and on PostgreSQL,
 * beside a bare Fastify echo server measured in the same run.
 *
 *   npm run bench                       # both databases, defaults below
 *   BENCH_DB=sqlite npm run bench       # sqlite | postgres | both
 *   BENCH_PROFILE=/tmp/prof npm run bench   # + a V8 CPU profile of kefu per database
 *
 * Processes: the WeCom simulator, kefu and the echo server each run in their own process
 * (`node --import tsx …`); this process is the load generator and the agent (socket.io-client).
 * Everything is loopback. The machine is shared and noisy, so every figure is the median of
 * BENCH_REPS repetitions and is printed beside the echo baseline measured minutes apart.
 *
 * Phases per database:
 *  - burst/callback: BENCH_MESSAGES customer messages posted to the simulator as fast as
 *    BENCH_CONCURRENCY connections allow; each one makes the simulator POST an encrypted
 *    kf_msg_or_event callback to kefu (as WeCom does), kefu pulls with sync_msg and stores.
 *    Throughput = messages / (first submit → last message.created at the agent).
 *  - burst/sync: the same number of messages queued in the simulator with callbacks off, then
 *    one callback: throughput of sync_msg paging → storage → WebSocket alone.
 *  - paced: BENCH_RATE messages/s for BENCH_PACED_SECONDS (open loop); latency from the
 *    message's scheduled submit time to its message.created at the agent (p50/p99/max).
 * Echo baseline (per database block): BENCH_ECHO_REQUESTS POSTs at BENCH_CONCURRENCY
 * (req/s, p50/p99) and the same paced rate (p50/p99).
 *
 * The whole run is bounded by BENCH_TIMEOUT_S (default 300): on expiry it prints what it has,
 * kills its child processes and exits with code 2.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import { cpuProbe, freePort, Http, killAllChildren, launch, median, pool, sleep, summarize, type LatencySummary, type Proc } from './lib.js';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const env = process.env;
const int = (name: string, def: number, min = 1) => {
  const v = env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${v})`);
  return n;
};
const dbChoice = (env.BENCH_DB ?? 'both').toLowerCase();
if (!['sqlite', 'postgres', 'both'].includes(dbChoice)) throw new Error(`BENCH_DB must be sqlite, postgres or both (got ${dbChoice})`);

const CFG = {
  dbs: (dbChoice === 'both' ? ['sqlite', 'postgres'] : [dbChoice]) as DbKind[],
  messages: int('BENCH_MESSAGES', 3000),
  customers: int('BENCH_CUSTOMERS', 200),
  concurrency: int('BENCH_CONCURRENCY', 32),
  reps: int('BENCH_REPS', 3),
  rate: int('BENCH_RATE', 200),
  pacedSeconds: int('BENCH_PACED_SECONDS', 10),
  echoRequests: int('BENCH_ECHO_REQUESTS', 10_000),
  timeoutS: int('BENCH_TIMEOUT_S', 300),
  pgAdminUrl: env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

/** BENCH_PROFILE=<dir>: kefu writes a V8 CPU profile there (open in Chrome DevTools). */
const kefuNodeArgs = (kind: DbKind) => (env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_PROFILE}/kefu-${kind}`] : []);

/** Aims from the issue. */
const AIM = { sqliteMsgsPerS: 2000, p99Ms: 50 };

const DEMO = {
  corpId: 'ww5823bf96d3bd56c7',
  token: 'kefuDemoToken',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  secret: 'kefu-demo-kf-secret',
};

type DbKind = 'sqlite' | 'postgres';
const now = () => performance.now();
const log = (s: string) => process.stderr.write(`[bench ${((now() - T0) / 1000).toFixed(1).padStart(5)}s] ${s}\n`);
const T0 = now();

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

type BurstRep = { msgs_per_s: number; submit_per_s: number; missing: number; latency: LatencySummary; cpu: Record<string, number> };
type EchoResult = {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  reps: number[];
  paced: LatencySummary;
  cpu: Record<string, number>;
};
type PacedResult = { rate: number; seconds: number; sent: number; achieved_rate: number; missing: number; latency: LatencySummary; cpu: Record<string, number> };
type DbResult = {
  db: DbKind;
  echo?: EchoResult;
  burst_callback?: { msgs_per_s: number; p50_ms: number; p99_ms: number; reps: BurstRep[] };
  burst_sync?: { msgs_per_s: number; reps: BurstRep[]; early: number };
  paced?: PacedResult;
  error?: string;
};
const results: DbResult[] = [];

// ---------------------------------------------------------------------------------------------
// The agent: counts message.created per bench sequence number
// ---------------------------------------------------------------------------------------------

const TEXT_RE = /^bench (\d+)$/;

class Collector {
  private readonly sentAt = new Map<number, number>();
  latencies: number[] = [];
  lastAt = 0;
  received = 0;
  private waiter?: () => void;
  private seq = 0;

  constructor(socket: Socket) {
    socket.on('message.created', (p: { message?: { content?: { type?: string; text?: string } } }) => {
      const t = now();
      const text = p?.message?.content?.type === 'text' ? p.message.content.text : undefined;
      const m = text ? TEXT_RE.exec(text) : null;
      if (!m) return;
      const seq = Number(m[1]);
      const sent = this.sentAt.get(seq);
      if (sent === undefined) return;
      this.sentAt.delete(seq);
      this.received++;
      this.lastAt = t;
      if (Number.isFinite(sent)) this.latencies.push(t - sent);
      if (this.sentAt.size === 0) this.waiter?.();
    });
  }

  /** A new phase: forget latencies (outstanding messages of an earlier phase still count). */
  begin(): void {
    this.latencies = [];
    this.received = 0;
    this.lastAt = 0;
  }

  /** The next message text, registered as sent at `at` (NaN: no latency wanted). */
  next(at: number): string {
    const seq = ++this.seq;
    this.sentAt.set(seq, at);
    return `bench ${seq}`;
  }

  get outstanding(): number {
    return this.sentAt.size;
  }

  /** Resolves when every registered message arrived, or after `timeoutMs`; returns how many are missing. */
  async drained(timeoutMs: number): Promise<number> {
    if (this.sentAt.size === 0) return 0;
    await new Promise<void>((res) => {
      const t = setTimeout(res, timeoutMs);
      this.waiter = () => {
        clearTimeout(t);
        res();
      };
    });
    this.waiter = undefined;
    const missing = this.sentAt.size;
    this.sentAt.clear();
    return missing;
  }
}

// ---------------------------------------------------------------------------------------------
// Databases
// ---------------------------------------------------------------------------------------------

type BenchDb = { url: string; dataDir: string; drop(): Promise<void> };

async function createDb(kind: DbKind): Promise<BenchDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-bench-'));
  if (kind === 'sqlite') return { url: `sqlite:${join(dataDir, 'kefu.db')}`, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const name = `kefu_bench_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: CFG.pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: CFG.pgAdminUrl.replace(/\/[^/]*$/, `/${name}`),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: CFG.pgAdminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Echo baseline
// ---------------------------------------------------------------------------------------------

async function paced(rate: number, seconds: number, fire: (scheduledAt: number) => void): Promise<{ sent: number; achieved: number }> {
  const interval = 1000 / rate;
  const total = Math.round(rate * seconds);
  const start = now() + 20;
  for (let i = 0; i < total; i++) {
    const at = start + i * interval;
    const wait = at - now();
    if (wait > 1) await sleep(wait);
    fire(at);
  }
  const elapsed = now() - start;
  return { sent: total, achieved: total / (elapsed / 1000) };
}

async function benchEcho(echo: Proc): Promise<EchoResult> {
  const http = new Http(CFG.concurrency);
  const body = { open_kfid: 'wkBENCH', external_userid: 'wmBENCH', msgtype: 'text', text: { content: 'bench 0' } };
  const url = `${echo.url}/echo`;
  const call = async (lat: number[]) => {
    const t = now();
    const r = await http.json('POST', url, body);
    if (r.status !== 200) throw new Error(`echo answered ${r.status}`);
    lat.push(now() - t);
  };
  await pool(2000, CFG.concurrency, () => call([])); // warm-up (JIT, sockets)
  const reps: { rps: number; lat: LatencySummary }[] = [];
  const probe = cpuProbe({ echo: echo.child.pid! }, false);
  for (let r = 0; r < CFG.reps; r++) {
    const lat: number[] = [];
    const t0 = now();
    await pool(CFG.echoRequests, CFG.concurrency, () => call(lat));
    reps.push({ rps: CFG.echoRequests / ((now() - t0) / 1000), lat: summarize(lat) });
  }
  const cpu = probe.stop();
  const pacedLat: number[] = [];
  const pacedSeconds = Math.min(5, CFG.pacedSeconds);
  const inflight: Promise<void>[] = [];
  await paced(CFG.rate, pacedSeconds, (at) => {
    inflight.push(http.json('POST', url, body).then(() => void pacedLat.push(now() - at)));
  });
  await Promise.allSettled(inflight);
  http.close();
  return {
    req_per_s: median(reps.map((r) => r.rps)),
    p50_ms: median(reps.map((r) => r.lat.p50)),
    p99_ms: median(reps.map((r) => r.lat.p99)),
    reps: reps.map((r) => Math.round(r.rps)),
    paced: summarize(pacedLat),
    cpu,
  };
}

// ---------------------------------------------------------------------------------------------
// kefu on one database
// ---------------------------------------------------------------------------------------------

async function benchDb(kind: DbKind, echo: Proc, out: DbResult): Promise<void> {
  log(`${kind}: echo baseline`);
  out.echo = await benchEcho(echo);

  const db = await createDb(kind);
  const procs: Proc[] = [];
  const http = new Http(CFG.concurrency);
  let socket: Socket | undefined;
  try {
    const kefuPort = await freePort();
    const simPort = await freePort();
    const callbackUrl = `http://127.0.0.1:${kefuPort}/api/wecom/callback`;
    const sim = await launch('simulator', 'simulator/src/main.ts', {
      SIM_PORT: String(simPort),
      SIM_HOST: '127.0.0.1',
      SIM_CALLBACK_URL: callbackUrl,
      SIM_CORP_ID: DEMO.corpId,
      SIM_TOKEN: DEMO.token,
      SIM_ENCODING_AES_KEY: DEMO.aesKey,
      SIM_KF_SECRET: DEMO.secret,
      SIM_LOG_LEVEL: 'warn',
    }, simPort, '/sim/clock');
    procs.push(sim);
    const kefu = await launch('kefu', 'server/src/main.ts', {
      KEFU_PORT: String(kefuPort),
      KEFU_HOST: '127.0.0.1',
      KEFU_DATABASE_URL: db.url,
      KEFU_DATA_DIR: db.dataDir,
      KEFU_LOG_LEVEL: 'warn',
      KEFU_DEMO_DATA: 'true',
      WECOM_API_BASE: sim.url,
      WECOM_CORP_ID: DEMO.corpId,
      WECOM_TOKEN: DEMO.token,
      WECOM_ENCODING_AES_KEY: DEMO.aesKey,
      WECOM_KF_SECRET: DEMO.secret,
    }, kefuPort, '/healthz', kefuNodeArgs(kind));
    procs.push(kefu);
    const pids = { kefu: kefu.child.pid!, simulator: sim.child.pid! };
    const withPg = kind === 'postgres';

    // the agent
    const login = await http.json('POST', `${kefu.url}/api/auth/login`, { username: 'agent1', password: 'kefu123' });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    socket = io(`${kefu.url}/agent`, { auth: { token: login.body.token }, transports: ['websocket'] });
    await new Promise<void>((res, rej) => {
      socket!.once('connect', () => res());
      socket!.once('connect_error', (e) => rej(new Error(`agent socket: ${e.message}`)));
    });
    socket.on('disconnect', (reason) => log(`agent socket disconnected: ${reason}`));
    const col = new Collector(socket);

    // the customers
    const accounts = (await http.json<{ accounts: { open_kfid: string }[] }>('GET', `${sim.url}/sim/kf/accounts`)).body.accounts.map((a) => a.open_kfid);
    if (!accounts.length) throw new Error('simulator has no kf accounts');
    const customers: { open_kfid: string; external_userid: string }[] = [];
    await pool(CFG.customers, 16, async (i) => {
      const r = await http.json('POST', `${sim.url}/sim/customers`, { nickname: `bench-${i}` });
      if (r.status !== 200) throw new Error(`create customer: ${r.status} ${JSON.stringify(r.body)}`);
      customers[i] = { open_kfid: accounts[i % accounts.length], external_userid: r.body.external_userid };
    });
    let rr = 0;
    const send = async (at: number) => {
      const c = customers[rr++ % customers.length];
      const r = await http.json('POST', `${sim.url}/sim/kf/messages`, { ...c, msgtype: 'text', text: { content: col.next(at) } });
      if (r.status !== 200) throw new Error(`simulator refused a message: ${r.status} ${JSON.stringify(r.body)}`);
    };

    // warm-up: every customer's first message opens a conversation (+ profile look-up and
    // service_state/trans); then a burst so that both processes are JIT-warm
    log(`${kind}: warm-up (${CFG.customers} customers)`);
    await pool(CFG.customers, 16, () => send(NaN));
    let missing = await col.drained(60_000);
    if (missing) throw new Error(`warm-up: ${missing} first messages never reached the agent`);
    await sleep(500); // profile look-ups and state changes of the new conversations
    await pool(Math.min(1000, CFG.messages), CFG.concurrency, () => send(NaN));
    missing = await col.drained(60_000);
    if (missing) throw new Error(`warm-up: ${missing} messages never reached the agent`);

    /** Waits until the simulator has no callback delivery in flight (the pulls they caused follow at once). */
    const settle = async () => {
      const until = now() + 20_000;
      while (now() < until) {
        const r = await http.json<{ callbacks: { status: string }[] }>('GET', `${sim.url}/sim/callbacks`);
        if (!r.body.callbacks?.some((c) => c.status === 'pending')) break;
        await sleep(100);
      }
      await sleep(300);
    };

    // burst via callbacks
    const cb: BurstRep[] = [];
    for (let r = 0; r < CFG.reps; r++) {
      log(`${kind}: burst via callbacks ${r + 1}/${CFG.reps} (${CFG.messages} messages)`);
      await settle();
      col.begin();
      const probe = cpuProbe(pids, withPg);
      const t0 = now();
      await pool(CFG.messages, CFG.concurrency, () => send(now()));
      const tSubmitted = now();
      const miss = await col.drained(Math.max(30_000, CFG.messages * 20));
      const cpu = probe.stop();
      cb.push({
        msgs_per_s: col.received / ((col.lastAt - t0) / 1000),
        submit_per_s: CFG.messages / ((tSubmitted - t0) / 1000),
        missing: miss,
        latency: summarize(col.latencies),
        cpu,
      });
    }
    if (cb.some((x) => x.missing)) log(`${kind}: messages missing after callbacks; kefu's output:\n${kefu.output().slice(-3000)}`);
    out.burst_callback = { msgs_per_s: median(cb.map((x) => x.msgs_per_s)), p50_ms: median(cb.map((x) => x.latency.p50)), p99_ms: median(cb.map((x) => x.latency.p99)), reps: cb };

    // burst via one sync_msg pull: queue with callbacks off, then one callback
    const sy: BurstRep[] = [];
    let early = 0;
    for (let r = 0; r < CFG.reps; r++) {
      log(`${kind}: burst via one callback ${r + 1}/${CFG.reps} (${CFG.messages} queued messages)`);
      await settle();
      await http.json('POST', `${sim.url}/sim/callback-url`, { url: '' });
      col.begin();
      await pool(CFG.messages, CFG.concurrency, () => send(NaN));
      await http.json('POST', `${sim.url}/sim/callback-url`, { url: callbackUrl });
      early += col.received; // should stay 0: nothing may be pulled without a callback
      col.begin();
      const probe = cpuProbe(pids, withPg);
      const t0 = now();
      await send(t0); // the one message whose callback makes kefu pull them all
      const miss = await col.drained(Math.max(30_000, CFG.messages * 20));
      const cpu = probe.stop();
      sy.push({ msgs_per_s: col.received / ((col.lastAt - t0) / 1000), submit_per_s: NaN, missing: miss, latency: summarize(col.latencies), cpu });
    }
    if (sy.some((x) => x.missing)) log(`${kind}: messages missing after one callback; kefu's output:\n${kefu.output().slice(-3000)}`);
    out.burst_sync = { msgs_per_s: median(sy.map((x) => x.msgs_per_s)), reps: sy, early };

    // paced
    log(`${kind}: paced ${CFG.rate} msg/s for ${CFG.pacedSeconds} s`);
    await settle();
    col.begin();
    const probe = cpuProbe(pids, withPg);
    let failed = 0;
    const p = await paced(CFG.rate, CFG.pacedSeconds, (at) => void send(at).catch(() => failed++));
    const miss = await col.drained(15_000);
    out.paced = { rate: CFG.rate, seconds: CFG.pacedSeconds, sent: p.sent, achieved_rate: p.achieved, missing: miss + failed, latency: summarize(col.latencies), cpu: probe.stop() };
  } finally {
    socket?.close();
    http.close();
    for (const p of procs.reverse()) await p.stop();
    await db.drop().catch((e) => log(`could not drop the bench database: ${(e as Error).message}`));
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const f0 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : Math.round(x).toLocaleString('en-US'));
const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(1));
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? '—' : `${(a / b).toFixed(2)}×`);
const cpuStr = (c: Record<string, number> | undefined) => (c ? Object.entries(c).map(([k, v]) => `${k} ${v}%`).join(', ') : '');
const pass = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function printDb(r: DbResult): void {
  const name = r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const e = r.echo;
  const rows: string[][] = [['', 'kefu', 'echo baseline', 'kefu / echo']];
  if (r.burst_callback) {
    const b = r.burst_callback;
    rows.push(['burst, callback per message: msgs/s', f0(b.msgs_per_s), `${f0(e?.req_per_s)} req/s`, ratio(b.msgs_per_s, e?.req_per_s)]);
    rows.push(['  latency under that load p50 / p99 ms', `${f1(b.p50_ms)} / ${f1(b.p99_ms)}`, `${f1(e?.p50_ms)} / ${f1(e?.p99_ms)}`, `${ratio(b.p50_ms, e?.p50_ms)} / ${ratio(b.p99_ms, e?.p99_ms)}`]);
  }
  if (r.burst_sync) rows.push(['burst, one callback (sync_msg pages): msgs/s', f0(r.burst_sync.msgs_per_s), `${f0(e?.req_per_s)} req/s`, ratio(r.burst_sync.msgs_per_s, e?.req_per_s)]);
  if (r.paced) {
    const l = r.paced.latency;
    rows.push([`paced ${r.paced.rate}/s × ${r.paced.seconds} s: p50 / p99 / max ms`, `${f1(l.p50)} / ${f1(l.p99)} / ${f1(l.max)}`, `${f1(e?.paced.p50)} / ${f1(e?.paced.p99)} / ${f1(e?.paced.max)}`, `${ratio(l.p50, e?.paced.p50)} / ${ratio(l.p99, e?.paced.p99)}`]);
  }
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => `  ${row[0].padEnd(w[0])}  ${row[1].padStart(w[1])}  ${row[2].padStart(w[2])}  ${row[3].padStart(w[3])}`;
  console.log(`\nkefu on ${name}  (median of ${CFG.reps}; ${cpus().length} cores; ${CFG.customers} customers, ${CFG.messages} messages per burst, concurrency ${CFG.concurrency})`);
  console.log(line(rows[0]));
  console.log(`  ${'-'.repeat(w.reduce((a, b) => a + b + 2, 0))}`);
  for (const row of rows.slice(1)) console.log(line(row));
  if (r.burst_callback) console.log(`  callback bursts: ${r.burst_callback.reps.map((x) => `${f0(x.msgs_per_s)} msgs/s (submitted ${f0(x.submit_per_s)}/s${x.missing ? `, ${x.missing} MISSING` : ''}; cpu ${cpuStr(x.cpu)})`).join('\n                   ')}`);
  if (r.burst_sync) console.log(`  one-callback bursts: ${r.burst_sync.reps.map((x) => `${f0(x.msgs_per_s)} msgs/s (${x.missing ? `${x.missing} MISSING; ` : ''}cpu ${cpuStr(x.cpu)})`).join('\n                       ')}${r.burst_sync.early ? `\n  note: ${r.burst_sync.early} messages arrived before their callback` : ''}`);
  if (r.paced) console.log(`  paced: ${r.paced.sent} sent at ${f0(r.paced.achieved_rate)}/s, ${r.paced.missing} missing; cpu ${cpuStr(r.paced.cpu)}`);
  if (e) console.log(`  echo: ${e.reps.map(f0).join(', ')} req/s; cpu ${cpuStr(e.cpu)}`);
  if (r.db === 'sqlite' && r.burst_callback && r.burst_sync) {
    console.log(`  aim ≥ ${AIM.sqliteMsgsPerS} msgs/s on SQLite: callback bursts ${pass(r.burst_callback.msgs_per_s >= AIM.sqliteMsgsPerS)}, one-callback bursts ${pass(r.burst_sync.msgs_per_s >= AIM.sqliteMsgsPerS)}`);
  }
  if (r.paced) console.log(`  aim p99 ≤ ${AIM.p99Ms} ms at ${r.paced.rate}/s: ${pass(r.paced.latency.p99 <= AIM.p99Ms && r.paced.missing === 0)}`);
  if (r.error) console.log(`  ERROR: ${r.error}`);
}

function summaryJson(): string {
  const round = (x: number) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : null);
  const round3 = (x: number) => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
  return JSON.stringify({
    bench: 'kefu',
    cores: cpus().length,
    config: { messages: CFG.messages, customers: CFG.customers, concurrency: CFG.concurrency, reps: CFG.reps, rate: CFG.rate, paced_seconds: CFG.pacedSeconds, echo_requests: CFG.echoRequests },
    results: results.map((r) => ({
      db: r.db,
      ...(r.error ? { error: r.error } : {}),
      echo: r.echo && { req_per_s: round(r.echo.req_per_s), p50_ms: round(r.echo.p50_ms), p99_ms: round(r.echo.p99_ms), paced_p50_ms: round(r.echo.paced.p50), paced_p99_ms: round(r.echo.paced.p99) },
      burst_callback: r.burst_callback && {
        msgs_per_s: round(r.burst_callback.msgs_per_s),
        p50_ms: round(r.burst_callback.p50_ms),
        p99_ms: round(r.burst_callback.p99_ms),
        reps: r.burst_callback.reps.map((x) => round(x.msgs_per_s)),
        missing: r.burst_callback.reps.reduce((a, x) => a + x.missing, 0),
        vs_echo: r.echo ? round3(r.burst_callback.msgs_per_s / r.echo.req_per_s) : null,
      },
      burst_sync: r.burst_sync && {
        msgs_per_s: round(r.burst_sync.msgs_per_s),
        reps: r.burst_sync.reps.map((x) => round(x.msgs_per_s)),
        missing: r.burst_sync.reps.reduce((a, x) => a + x.missing, 0),
        vs_echo: r.echo ? round3(r.burst_sync.msgs_per_s / r.echo.req_per_s) : null,
      },
      paced: r.paced && { rate: r.paced.rate, sent: r.paced.sent, missing: r.paced.missing, p50_ms: round(r.paced.latency.p50), p99_ms: round(r.paced.latency.p99), max_ms: round(r.paced.latency.max) },
    })),
  });
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

let finished = false;
function abort(why: string, code: number): never {
  if (!finished) {
    finished = true;
    log(why);
    killAllChildren();
    for (const r of results) printDb(r);
    console.log(summaryJson());
  }
  process.exit(code);
}

const watchdog = setTimeout(() => abort(`time limit of ${CFG.timeoutS} s reached: stopping (partial results below)`, 2), CFG.timeoutS * 1000);
watchdog.unref();
process.once('SIGINT', () => abort('interrupted', 130));
process.once('SIGTERM', () => abort('terminated', 143));
process.on('exit', killAllChildren);

log(`databases: ${CFG.dbs.join(', ')}; ${CFG.messages} messages per burst × ${CFG.reps}; paced ${CFG.rate}/s × ${CFG.pacedSeconds} s; limit ${CFG.timeoutS} s`);
const echoPort = await freePort();
const echo = await launch('echo', 'bench/src/echo.ts', { ECHO_PORT: String(echoPort) }, echoPort, '/healthz');
let failures = 0;
try {
  for (const kind of CFG.dbs) {
    const r: DbResult = { db: kind };
    results.push(r);
    try {
      await benchDb(kind, echo, r);
    } catch (e) {
      failures++;
      r.error = (e as Error).message.split('\n')[0];
      log(`${kind} failed: ${(e as Error).stack ?? e}`);
    }
  }
} finally {
  await echo.stop();
}
finished = true;
clearTimeout(watchdog);
for (const r of results) printDb(r);
console.log(summaryJson());
log('done');
process.exit(failures ? 1 : 0);
