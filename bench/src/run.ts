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
 *  - paced (runs first): BENCH_RATE messages/s for BENCH_PACED_SECONDS (open loop); latency from
 *    the message's scheduled submit time to its message.created at the agent (p50/p99/max).
 *  - fan-out (./fanout.ts; BENCH_ONLY=fanout for it alone): BENCH_FANOUT_AGENTS agents ×
 *    BENCH_FANOUT_DEVICES clients on the web app's realtime client, BENCH_FANOUT_CONVERSATIONS open
 *    website conversations, BENCH_FANOUT_RATE visitor messages/s for BENCH_FANOUT_SECONDS; latency
 *    from the visitor's send to each client's receipt.
 * Echo baseline (per database block): BENCH_ECHO_REQUESTS POSTs at BENCH_CONCURRENCY
 * (req/s, p50/p99) and the same paced rate (p50/p99).
 *
 * The whole run is bounded by BENCH_TIMEOUT_S (default 480): on expiry it prints what it has,
 * kills its child processes and exits with code 2.
 */
import { cpus } from 'node:os';
import { setBotEnabled } from '../../server/test/harness.js';
import { io, type Socket } from 'socket.io-client';
import { benchSla, printSla, type SlaResult } from './sla.js';
import { benchRouting, printRouting, type RoutingResult } from './routing.js';
import { benchFanout, type FanoutResult } from './fanout.js';
import { cpuProbe, createDb, envInt, freePort, Http, killAllChildren, launch, median, PG_ADMIN_URL, pool, sleep, stageLog, summarize, type CpuUse, type DbKind, type LatencySummary, type Proc } from './lib.js';

// ---------------------------------------------------------------------------------------------
// Settings
// ---------------------------------------------------------------------------------------------

const env = process.env;
const dbChoice = (env.BENCH_DB ?? 'both').toLowerCase();
/**
 * BENCH_ONLY: a comma list of hub, fanout, sla, routing (default: all): the message hub, the
 * real-time fan-out to 200 agents × 2 devices (./fanout.ts), the SLA timers (./sla.ts), routing
 * decisions with 500 agents (./routing.ts)
 */
const PARTS = ['hub', 'fanout', 'sla', 'routing'];
const parts = new Set((env.BENCH_ONLY ?? PARTS.join(',')).toLowerCase().split(',').map((x) => x.trim()));
if (![...parts].every((x) => PARTS.includes(x))) throw new Error(`BENCH_ONLY must list some of ${PARTS.join(', ')} (got ${env.BENCH_ONLY})`);
if (!['sqlite', 'postgres', 'both'].includes(dbChoice)) throw new Error(`BENCH_DB must be sqlite, postgres or both (got ${dbChoice})`);

const CFG = {
  dbs: (dbChoice === 'both' ? ['sqlite', 'postgres'] : [dbChoice]) as DbKind[],
  messages: envInt('BENCH_MESSAGES', 3000),
  customers: envInt('BENCH_CUSTOMERS', 200),
  concurrency: envInt('BENCH_CONCURRENCY', 32),
  reps: envInt('BENCH_REPS', 3),
  rate: envInt('BENCH_RATE', 200),
  pacedSeconds: envInt('BENCH_PACED_SECONDS', 10),
  echoRequests: envInt('BENCH_ECHO_REQUESTS', 10_000),
  timeoutS: envInt('BENCH_TIMEOUT_S', 480),
  pgAdminUrl: PG_ADMIN_URL,
};

/** Fan-out: the issue's 200 agents × 2 clients and 1,000 open conversations; 20 msg/s is one message per conversation every 50 s. */
const FANOUT = {
  agents: envInt('BENCH_FANOUT_AGENTS', 200),
  devices: envInt('BENCH_FANOUT_DEVICES', 2),
  conversations: envInt('BENCH_FANOUT_CONVERSATIONS', 1000),
  rate: envInt('BENCH_FANOUT_RATE', 20),
  seconds: envInt('BENCH_FANOUT_SECONDS', 10),
};
/** kefu's KEFU_SECRET_KEY in the bench, so that the fan-out can sign its agents' tokens */
const BENCH_SECRET = 'kefu-bench-secret-0123456789';

/** BENCH_PROFILE=<dir>: kefu writes a V8 CPU profile there (open in Chrome DevTools). */
const kefuNodeArgs = (kind: DbKind) => (env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_PROFILE}/kefu-${kind}`] : []);

/** Aims from the issue. */
const AIM = { sqliteMsgsPerS: 2000, p99Ms: 50, fanoutMaxMs: 300 };

const DEMO = {
  corpId: 'ww5823bf96d3bd56c7',
  token: 'kefuDemoToken',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  secret: 'kefu-demo-kf-secret',
};

const now = () => performance.now();
const log = stageLog('');

// ---------------------------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------------------------

/** Callback deliveries the simulator made during a phase (a retry means kefu did not answer 200 in time). */
type CallbackStats = { deliveries: number; retried: number; failed: number; max_ms: number; errors: string[] };
type Phase = {
  n: number;
  msgs_per_s: number;
  submit_per_s: number;
  missing: number;
  latency: LatencySummary;
  cpu: CpuUse;
  /** kefu's CPU time per message: far less sensitive to noisy neighbours than wall-clock rates */
  kefu_cpu_ms_per_msg: number;
  callbacks?: CallbackStats;
};
type EchoResult = {
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  reps: number[];
  cpu_ms_per_req: number;
  paced: LatencySummary;
  cpu: CpuUse;
};
type DbResult = {
  db: DbKind;
  echo?: EchoResult;
  burst_callback?: { msgs_per_s: number; p50_ms: number; p99_ms: number; kefu_cpu_ms_per_msg: number; reps: Phase[] };
  burst_sync?: { msgs_per_s: number; kefu_cpu_ms_per_msg: number; reps: Phase[]; early: number };
  paced?: Phase & { rate: number; seconds: number };
  fanout?: FanoutResult;
  error?: string;
};
const results: DbResult[] = [];
const slaResults: SlaResult[] = [];
const routingResults: RoutingResult[] = [];

// ---------------------------------------------------------------------------------------------
// The agent: matches message.created to the bench's sequence numbers
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

  /** A new phase: forget latencies and counts (messages still outstanding keep counting). */
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
// Load shapes
// ---------------------------------------------------------------------------------------------

/** Open loop: calls `fire(scheduledAt)` `rate` times a second for `seconds`, whatever the answers. */
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
  return { sent: total, achieved: total / ((now() - start) / 1000) };
}

// ---------------------------------------------------------------------------------------------
// Echo baseline
// ---------------------------------------------------------------------------------------------

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
  const inflight: Promise<void>[] = [];
  await paced(CFG.rate, Math.min(5, CFG.pacedSeconds), (at) => {
    inflight.push(http.json('POST', url, body).then(() => void pacedLat.push(now() - at)));
  });
  await Promise.allSettled(inflight);
  http.close();
  return {
    req_per_s: median(reps.map((r) => r.rps)),
    p50_ms: median(reps.map((r) => r.lat.p50)),
    p99_ms: median(reps.map((r) => r.lat.p99)),
    reps: reps.map((r) => Math.round(r.rps)),
    cpu_ms_per_req: cpu.ms.echo / (CFG.reps * CFG.echoRequests),
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

  const db = await createDb(kind, CFG.pgAdminUrl);
  const procs: Proc[] = [];
  const http = new Http(CFG.concurrency);
  let socket: Socket | undefined;
  try {
    const kefuPort = await freePort();
    const simPort = await freePort();
    const callbackUrl = `http://127.0.0.1:${kefuPort}/api/wecom/callback`;
    log(`${kind}: starting the simulator and kefu`);
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
      KEFU_SECRET_KEY: BENCH_SECRET,
      WECOM_API_BASE: sim.url,
      WECOM_CORP_ID: DEMO.corpId,
      WECOM_TOKEN: DEMO.token,
      WECOM_ENCODING_AES_KEY: DEMO.aesKey,
      WECOM_KF_SECRET: DEMO.secret,
    }, kefuPort, '/healthz', kefuNodeArgs(kind));
    procs.push(kefu);
    const pids = { kefu: kefu.child.pid!, simulator: sim.child.pid! };
    const withPg = kind === 'postgres';

    // the hub path is measured with the bot off unless BENCH_BOT=on (then every message also
    // gets a bot turn and a reply through send_msg)
    if (process.env.BENCH_BOT !== 'on') await setBotEnabled(kefu.url, false);

    // the agent
    const login = await http.json('POST', `${kefu.url}/api/auth/login`, { username: 'agent1', password: 'kefu123' });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
    socket = io(`${kefu.url}/agent`, { auth: { token: login.body.token }, transports: ['websocket'] });
    await new Promise<void>((res, rej) => {
      socket!.once('connect', () => res());
      socket!.once('connect_error', (e) => rej(new Error(`agent socket: ${e.message}`)));
    });
    socket.on('disconnect', (reason) => {
      if (reason !== 'io client disconnect') log(`agent socket disconnected: ${reason}`);
    });
    const col = new Collector(socket);

    // the customers, spread over the simulator's kf accounts
    const accounts = (await http.json<{ accounts: { open_kfid: string }[] }>('GET', `${sim.url}/sim/kf/accounts`)).body.accounts.map((a) => a.open_kfid);
    if (!accounts.length) throw new Error('simulator has no kf accounts');
    const customers: { open_kfid: string; external_userid: string }[] = [];
    await pool(CFG.customers, 16, async (i) => {
      const r = await http.json('POST', `${sim.url}/sim/customers`, { nickname: `bench-${i}` });
      if (r.status !== 200) throw new Error(`create customer: ${r.status} ${JSON.stringify(r.body)}`);
      customers[i] = { open_kfid: accounts[i % accounts.length], external_userid: r.body.external_userid };
    });
    const sendAs = async (c: { open_kfid: string; external_userid: string }, at: number) => {
      const r = await http.json('POST', `${sim.url}/sim/kf/messages`, { ...c, msgtype: 'text', text: { content: col.next(at) } });
      if (r.status !== 200) throw new Error(`simulator refused a message: ${r.status} ${JSON.stringify(r.body)}`);
    };
    let rr = 0;
    const send = (at: number) => sendAs(customers[rr++ % customers.length], at);

    /** Waits until the simulator has no callback in flight; returns the deliveries since the last call. */
    let cbSeen = 0;
    const settle = async (): Promise<CallbackStats> => {
      const until = now() + 20_000;
      let list: { status: string; attempts: { status: number | null; error?: string; duration_ms: number }[] }[] = [];
      while (now() < until) {
        list = (await http.json('GET', `${sim.url}/sim/callbacks`)).body.callbacks ?? [];
        if (!list.some((c) => c.status === 'pending')) break;
        await sleep(100);
      }
      const fresh = list.slice(cbSeen);
      cbSeen = list.length;
      await sleep(300); // the pulls those last callbacks started
      const errors = new Set<string>();
      for (const d of fresh) for (const a of d.attempts) if (a.status !== 200) errors.add(a.error ?? `HTTP ${a.status}`);
      return {
        deliveries: fresh.length,
        retried: fresh.filter((d) => d.attempts.length > 1).length,
        failed: fresh.filter((d) => d.status === 'failed').length,
        max_ms: Math.max(0, ...fresh.flatMap((d) => d.attempts.map((a) => a.duration_ms))),
        errors: [...errors].slice(0, 3),
      };
    };
    const phase = (n: number, t0: number, tSubmitted: number, missing: number, cpu: CpuUse): Phase => ({
      n,
      msgs_per_s: col.received / ((col.lastAt - t0) / 1000),
      submit_per_s: n / ((tSubmitted - t0) / 1000),
      missing,
      latency: summarize(col.latencies),
      cpu,
      kefu_cpu_ms_per_msg: cpu.ms.kefu / Math.max(1, col.received),
    });
    const drainTimeout = Math.max(30_000, CFG.messages * 20);

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
    await settle();

    if (parts.has('hub')) {
      // paced: the latency an agent sees at a steady rate. First, while the simulator's message log
      // is short (its sync_msg scans the whole log, which would add to kefu's figures later on)
      log(`${kind}: paced ${CFG.rate} msg/s for ${CFG.pacedSeconds} s`);
      col.begin();
      const pacedProbe = cpuProbe(pids, withPg);
      let failed = 0;
      const pacedT0 = now();
      const pr = await paced(CFG.rate, CFG.pacedSeconds, (at) => void send(at).catch(() => failed++));
      const pacedMiss = await col.drained(15_000);
      const pp = phase(pr.sent, pacedT0, now(), pacedMiss + failed, pacedProbe.stop());
      pp.submit_per_s = pr.achieved;
      pp.callbacks = await settle();
      out.paced = { ...pp, rate: CFG.rate, seconds: CFG.pacedSeconds };

      // burst: one callback per message (WeCom's shape), as fast as the connections allow
      const cb: Phase[] = [];
      for (let r = 0; r < CFG.reps; r++) {
        log(`${kind}: burst with a callback per message ${r + 1}/${CFG.reps} (${CFG.messages} messages)`);
        col.begin();
        const probe = cpuProbe(pids, withPg);
        const t0 = now();
        await pool(CFG.messages, CFG.concurrency, () => send(now()));
        const tSubmitted = now();
        const miss = await col.drained(drainTimeout);
        const p = phase(CFG.messages, t0, tSubmitted, miss, probe.stop());
        p.callbacks = await settle();
        cb.push(p);
      }
      if (cb.some((x) => x.missing)) log(`${kind}: messages missing after callbacks; kefu's output:\n${kefu.output().slice(-3000)}`);
      out.burst_callback = {
        msgs_per_s: median(cb.map((x) => x.msgs_per_s)),
        p50_ms: median(cb.map((x) => x.latency.p50)),
        p99_ms: median(cb.map((x) => x.latency.p99)),
        kefu_cpu_ms_per_msg: median(cb.map((x) => x.kefu_cpu_ms_per_msg)),
        reps: cb,
      };

      // burst: messages queued with callbacks off, then one callback per account → sync_msg pages
      const sy: Phase[] = [];
      let early = 0;
      for (let r = 0; r < CFG.reps; r++) {
        log(`${kind}: burst through sync_msg pages ${r + 1}/${CFG.reps} (${CFG.messages} queued messages)`);
        await http.json('POST', `${sim.url}/sim/callback-url`, { url: '' });
        col.begin();
        await pool(CFG.messages, CFG.concurrency, () => send(NaN));
        await http.json('POST', `${sim.url}/sim/callback-url`, { url: callbackUrl });
        early += col.received; // stays 0 unless kefu pulled without a callback
        col.begin();
        const probe = cpuProbe(pids, withPg);
        const t0 = now();
        await Promise.all(accounts.map((a) => sendAs(customers.find((c) => c.open_kfid === a)!, t0)));
        const tSubmitted = now();
        const miss = await col.drained(drainTimeout);
        const p = phase(CFG.messages + accounts.length, t0, tSubmitted, miss, probe.stop());
        p.callbacks = await settle();
        sy.push(p);
      }
      if (sy.some((x) => x.missing)) log(`${kind}: messages missing after one callback; kefu's output:\n${kefu.output().slice(-3000)}`);
      out.burst_sync = { msgs_per_s: median(sy.map((x) => x.msgs_per_s)), kefu_cpu_ms_per_msg: median(sy.map((x) => x.kefu_cpu_ms_per_msg)), reps: sy, early };
    }

    if (parts.has('fanout')) {
      log(`${kind}: fan-out`);
      out.fanout = await benchFanout(FANOUT, { kefuUrl: kefu.url, dbUrl: db.url, secret: BENCH_SECRET, http, pids, withPg, paced, log: (x) => log(`${kind}: ${x}`) });
    }

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

const fin = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);
const f0 = (x: number | undefined) => (fin(x) ? Math.round(x).toLocaleString('en-US') : '—');
const f1 = (x: number | undefined) => (fin(x) ? x.toFixed(1) : '—');
const f2 = (x: number | undefined) => (fin(x) ? x.toFixed(2) : '—');
const ratio = (a: number | undefined, b: number | undefined) => (fin(a) && fin(b) && b !== 0 ? `${(a / b).toFixed(a / b < 10 ? 2 : 0)}×` : '—');
const cpuStr = (c: CpuUse | undefined) => (c ? Object.entries(c.pct).map(([k, v]) => `${k} ${v}%`).join(', ') : '');
const cbStr = (c: CallbackStats | undefined) =>
  c ? `${c.deliveries} callbacks${c.retried ? `, ${c.retried} RETRIED` : ''}${c.failed ? `, ${c.failed} FAILED` : ''}${c.errors.length ? ` (${c.errors.join('; ')})` : ''}, slowest ${f0(c.max_ms)} ms` : '';
const pass = (ok: boolean) => (ok ? 'met' : 'MISSED');

function printDb(r: DbResult): void {
  const name = r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  const e = r.echo;
  const rows: string[][] = [['', 'kefu', 'echo baseline', 'kefu / echo']];
  const b = r.burst_callback;
  const y = r.burst_sync;
  if (b) {
    rows.push(['burst, a callback per message: msgs/s', f0(b.msgs_per_s), `${f0(e?.req_per_s)} req/s`, ratio(b.msgs_per_s, e?.req_per_s)]);
    rows.push(['  latency under that load p50 / p99 ms', `${f1(b.p50_ms)} / ${f1(b.p99_ms)}`, `${f1(e?.p50_ms)} / ${f1(e?.p99_ms)}`, `${ratio(b.p50_ms, e?.p50_ms)} / ${ratio(b.p99_ms, e?.p99_ms)}`]);
    rows.push(['  kefu CPU per message, ms', f2(b.kefu_cpu_ms_per_msg), `${f2(e?.cpu_ms_per_req)} per req`, ratio(b.kefu_cpu_ms_per_msg, e?.cpu_ms_per_req)]);
  }
  if (y) {
    rows.push(['burst through sync_msg pages: msgs/s', f0(y.msgs_per_s), `${f0(e?.req_per_s)} req/s`, ratio(y.msgs_per_s, e?.req_per_s)]);
    rows.push(['  kefu CPU per message, ms', f2(y.kefu_cpu_ms_per_msg), `${f2(e?.cpu_ms_per_req)} per req`, ratio(y.kefu_cpu_ms_per_msg, e?.cpu_ms_per_req)]);
  }
  if (r.paced) {
    const l = r.paced.latency;
    rows.push([`paced ${r.paced.rate}/s for ${r.paced.seconds} s: p50 / p99 / max ms`, `${f1(l.p50)} / ${f1(l.p99)} / ${f1(l.max)}`, `${f1(e?.paced.p50)} / ${f1(e?.paced.p99)} / ${f1(e?.paced.max)}`, `${ratio(l.p50, e?.paced.p50)} / ${ratio(l.p99, e?.paced.p99)}`]);
  }
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => `  ${row[0].padEnd(w[0])}  ${row[1].padStart(w[1])}  ${row[2].padStart(w[2])}  ${row[3].padStart(w[3])}`;
  console.log(`\nkefu on ${name}: median of ${CFG.reps} (${cpus().length} cores; ${CFG.customers} customers; ${CFG.messages} messages per burst; concurrency ${CFG.concurrency})`);
  console.log(line(rows[0]));
  console.log(`  ${'-'.repeat(w.reduce((a, x) => a + x + 2, 0) - 2)}`);
  for (const row of rows.slice(1)) console.log(line(row));
  const indent = '\n      ';
  if (b) console.log(`  a callback per message:${b.reps.map((x) => `${indent}${f0(x.msgs_per_s)} msgs/s, submitted ${f0(x.submit_per_s)}/s${x.missing ? `, ${x.missing} MISSING` : ''}; kefu ${f2(x.kefu_cpu_ms_per_msg)} CPU-ms/msg; cpu ${cpuStr(x.cpu)}; ${cbStr(x.callbacks)}`).join('')}`);
  if (y) console.log(`  through sync_msg pages:${y.reps.map((x) => `${indent}${f0(x.msgs_per_s)} msgs/s${x.missing ? `, ${x.missing} MISSING` : ''}; kefu ${f2(x.kefu_cpu_ms_per_msg)} CPU-ms/msg; cpu ${cpuStr(x.cpu)}; ${cbStr(x.callbacks)}`).join('')}${y.early ? `${indent}note: ${y.early} messages were pulled before their callback` : ''}`);
  if (r.paced) console.log(`  paced:${indent}${r.paced.n} sent at ${f0(r.paced.submit_per_s)}/s${r.paced.missing ? `, ${r.paced.missing} MISSING` : ''}; kefu ${f2(r.paced.kefu_cpu_ms_per_msg)} CPU-ms/msg; cpu ${cpuStr(r.paced.cpu)}; ${cbStr(r.paced.callbacks)}`);
  if (e) console.log(`  echo:${indent}${e.reps.map(f0).join(', ')} req/s; cpu ${cpuStr(e.cpu)}`);
  if (r.db === 'sqlite' && b && y) {
    console.log(`  aim ≥ ${AIM.sqliteMsgsPerS} msgs/s on SQLite: ${pass(b.msgs_per_s >= AIM.sqliteMsgsPerS)} with a callback per message, ${pass(y.msgs_per_s >= AIM.sqliteMsgsPerS)} through sync_msg pages`);
  }
  if (r.paced) console.log(`  aim p99 ≤ ${AIM.p99Ms} ms at ${r.paced.rate}/s: ${pass(r.paced.latency.p99 <= AIM.p99Ms && r.paced.missing === 0)}`);
  const fo = r.fanout;
  if (fo) {
    const l = fo.latency;
    console.log(`  fan-out: ${fo.agents} agents × ${fo.devices} clients, ${fo.conversations} open conversations, ${fo.rate} msg/s for ${fo.seconds} s (${f0(l.n)} deliveries)`);
    console.log(`      inbound → each client p50 / p99 / max ms: ${f1(l.p50)} / ${f1(l.p99)} / ${f1(l.max)}  (echo baseline, paced: ${f1(e?.paced.p50)} / ${f1(e?.paced.p99)})`);
    console.log(`      stored in kefu → each client (the fan-out alone) p50 / p99 / max ms: ${f1(fo.from_stored.p50)} / ${f1(fo.from_stored.p99)} / ${f1(fo.from_stored.max)}`);
    console.log(`      per message, its slowest client p50 / p99 ms: ${f1(fo.slowest_client.p50)} / ${f1(fo.slowest_client.p99)}; within ${AIM.fanoutMaxMs} ms: ${(fo.within_300ms * 100).toFixed(2)} %${fo.missing ? `; ${fo.missing} deliveries MISSING` : ''}${fo.not_stored ? `; ${fo.not_stored} messages never stored in time` : ''}; gap-fills ${fo.fills}`);
    console.log(`      kefu ${f2(fo.kefu_cpu_ms_per_msg)} CPU-ms/msg; cpu ${cpuStr(fo.cpu)}`);
    console.log(`  aim every client ≤ ${AIM.fanoutMaxMs} ms: ${pass(fo.within_300ms === 1 && fo.missing === 0 && fo.not_stored === 0)}; aim p99 ≤ ${AIM.p99Ms} ms: ${pass(l.p99 <= AIM.p99Ms)}`);
  }
  if (r.error) console.log(`  ERROR: ${r.error}`);
}

function summaryJson(): string {
  const r1 = (x: number) => (fin(x) ? Math.round(x * 10) / 10 : null);
  const r3 = (x: number) => (fin(x) ? Math.round(x * 1000) / 1000 : null);
  return JSON.stringify({
    bench: 'kefu',
    cores: cpus().length,
    config: { messages: CFG.messages, customers: CFG.customers, concurrency: CFG.concurrency, reps: CFG.reps, rate: CFG.rate, paced_seconds: CFG.pacedSeconds, echo_requests: CFG.echoRequests },
    results: results.map((r) => ({
      db: r.db,
      ...(r.error ? { error: r.error } : {}),
      echo: r.echo && {
        req_per_s: r1(r.echo.req_per_s), p50_ms: r1(r.echo.p50_ms), p99_ms: r1(r.echo.p99_ms), cpu_ms_per_req: r3(r.echo.cpu_ms_per_req),
        paced_p50_ms: r1(r.echo.paced.p50), paced_p99_ms: r1(r.echo.paced.p99),
      },
      burst_callback: r.burst_callback && {
        msgs_per_s: r1(r.burst_callback.msgs_per_s), p50_ms: r1(r.burst_callback.p50_ms), p99_ms: r1(r.burst_callback.p99_ms),
        kefu_cpu_ms_per_msg: r3(r.burst_callback.kefu_cpu_ms_per_msg),
        reps: r.burst_callback.reps.map((x) => r1(x.msgs_per_s)),
        missing: r.burst_callback.reps.reduce((a, x) => a + x.missing, 0),
        callbacks_retried: r.burst_callback.reps.reduce((a, x) => a + (x.callbacks?.retried ?? 0), 0),
        vs_echo: r.echo ? r3(r.burst_callback.msgs_per_s / r.echo.req_per_s) : null,
      },
      burst_sync: r.burst_sync && {
        msgs_per_s: r1(r.burst_sync.msgs_per_s),
        kefu_cpu_ms_per_msg: r3(r.burst_sync.kefu_cpu_ms_per_msg),
        reps: r.burst_sync.reps.map((x) => r1(x.msgs_per_s)),
        missing: r.burst_sync.reps.reduce((a, x) => a + x.missing, 0),
        vs_echo: r.echo ? r3(r.burst_sync.msgs_per_s / r.echo.req_per_s) : null,
      },
      fanout: r.fanout && {
        agents: r.fanout.agents, clients: r.fanout.clients, conversations: r.fanout.conversations, rate: r.fanout.rate, sent: r.fanout.sent,
        deliveries: r.fanout.latency.n, missing: r.fanout.missing, not_stored: r.fanout.not_stored, fills: r.fanout.fills,
        p50_ms: r1(r.fanout.latency.p50), p99_ms: r1(r.fanout.latency.p99), max_ms: r1(r.fanout.latency.max),
        stored_p50_ms: r1(r.fanout.from_stored.p50), stored_p99_ms: r1(r.fanout.from_stored.p99),
        slowest_client_p99_ms: r1(r.fanout.slowest_client.p99), within_300ms: r3(r.fanout.within_300ms), kefu_cpu_ms_per_msg: r3(r.fanout.kefu_cpu_ms_per_msg),
      },
      paced: r.paced && {
        rate: r.paced.rate, sent: r.paced.n, missing: r.paced.missing,
        p50_ms: r1(r.paced.latency.p50), p99_ms: r1(r.paced.latency.p99), max_ms: r1(r.paced.latency.max),
        kefu_cpu_ms_per_msg: r3(r.paced.kefu_cpu_ms_per_msg), callbacks_retried: r.paced.callbacks?.retried ?? 0,
      },
    })),
    sla: slaResults,
    routing: routingResults,
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
    for (const r of slaResults) printSla(r);
    for (const r of routingResults) printRouting(r);
    console.log(summaryJson());
  }
  process.exit(code);
}

const watchdog = setTimeout(() => abort(`time limit of ${CFG.timeoutS} s reached: stopping (partial results below)`, 2), CFG.timeoutS * 1000);
watchdog.unref();
process.once('SIGINT', () => abort('interrupted', 130));
process.once('SIGTERM', () => abort('terminated', 143));
process.on('exit', killAllChildren);

log(`databases: ${CFG.dbs.join(', ')}; parts: ${[...parts].join(', ')}; ${CFG.messages} messages per burst × ${CFG.reps}; paced ${CFG.rate}/s for ${CFG.pacedSeconds} s; limit ${CFG.timeoutS} s`);
const echoPort = await freePort();
const echo = parts.has('hub') || parts.has('fanout') || parts.has('routing') ? await launch('echo', 'bench/src/echo.ts', { ECHO_PORT: String(echoPort) }, echoPort, '/healthz') : undefined;
let failures = 0;
try {
  for (const kind of parts.has('hub') || parts.has('fanout') ? CFG.dbs : []) {
    const r: DbResult = { db: kind };
    results.push(r);
    try {
      await benchDb(kind, echo!, r);
    } catch (e) {
      failures++;
      r.error = (e as Error).message.split('\n')[0];
      log(`${kind} failed: ${(e as Error).stack ?? e}`);
    }
  }
  // routing's ratio is to the echo baseline of the same run (measured here when the hub part did not)
  let echoReqPerS = results.find((r) => r.echo)?.echo?.req_per_s ?? null;
  for (const kind of parts.has('routing') ? CFG.dbs : []) {
    try {
      echoReqPerS ??= (await benchEcho(echo!)).req_per_s;
      routingResults.push(await benchRouting(kind, echoReqPerS));
    } catch (e) {
      failures++;
      routingResults.push({ db: kind, agents: 0, conversations: 0, over_capacity: 0, error: (e as Error).message.split('\n')[0] });
      log(`${kind} routing failed: ${(e as Error).stack ?? e}`);
    }
  }
} finally {
  await echo?.stop();
}
for (const kind of parts.has('sla') ? CFG.dbs : []) {
  try {
    slaResults.push(await benchSla(kind));
  } catch (e) {
    failures++;
    slaResults.push({ db: kind, error: (e as Error).message.split('\n')[0] } as SlaResult);
    log(`${kind} SLA timers failed: ${(e as Error).stack ?? e}`);
  }
}
finished = true;
clearTimeout(watchdog);
for (const r of results) printDb(r);
for (const r of slaResults) printSla(r);
for (const r of routingResults) printRouting(r);
console.log(summaryJson());
log('done');
process.exit(failures ? 1 : 0);
