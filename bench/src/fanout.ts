/**
 * Fan-out: how fast a change reaches every open client of every agent. FANOUT_AGENTS agents ×
 * FANOUT_DEVICES clients each (PC + phone) are connected to /agent through the web app's own
 * realtime client (numbers, gap-fill); FANOUT_CONVERSATIONS conversations are open, one per
 * website visitor (routing gives them to the agents); the visitors write at FANOUT_RATE
 * messages/s for FANOUT_SECONDS (open loop, round robin). Latency is from a message's scheduled
 * send on the visitor's socket to its `message.created` at each client: one sample per client and
 * message. Visitors rather than WeChat customers: their message enters the hub at once, so the
 * figure is kefu's storage and fan-out, not WeCom's callback-and-pull round trip (the hub part
 * measures that one).
 *
 * All clients live in this one process, so a message's copies are handled one after another:
 * the figures include the load generator's own queueing (≈ tens of µs per copy).
 */
import { systemClock } from '../../server/src/core/clock.js';
import { AuthService } from '../../server/src/auth/service.js';
import { openDb } from '../../server/src/db/connect.js';
import { io, type Socket } from 'socket.io-client';
import { RealtimeClient, type EventsPage } from '../../web/src/realtime/client.js';
import { cpuProbe, pool, sleep, summarize, type CpuUse, type Http, type LatencySummary } from './lib.js';

export type FanoutConfig = { agents: number; devices: number; conversations: number; rate: number; seconds: number };

export type FanoutResult = FanoutConfig & {
  clients: number;
  sent: number;
  /** messages no client got at all: lost before the fan-out (not stored in time) */
  not_stored: number;
  /** deliveries of the messages that did reach clients, missing on some client: lost by the fan-out */
  missing: number;
  latency: LatencySummary;
  /** from the message's storage in kefu (its created_at) to each client: the fan-out alone, without WeCom's callback and pull */
  from_stored: LatencySummary;
  /** share of deliveries within the issue's 300 ms */
  within_300ms: number;
  /** per message, its slowest client: p50 / p99 of that */
  slowest_client: LatencySummary;
  /** gap-fill requests the clients made (0 when nothing was lost) */
  fills: number;
  cpu: CpuUse;
  kefu_cpu_ms_per_msg: number;
};

export type FanoutDeps = {
  kefuUrl: string;
  dbUrl: string;
  /** kefu's KEFU_SECRET_KEY: the agents' tokens are issued here instead of 200 argon2 logins */
  secret: string;
  http: Http;
  pids: Record<string, number>;
  withPg: boolean;
  paced: (rate: number, seconds: number, fire: (scheduledAt: number) => void) => Promise<{ sent: number; achieved: number }>;
  log: (s: string) => void;
};

const TEXT_RE = /^fan (\d+)$/;
const now = () => performance.now();

export async function benchFanout(cfg: FanoutConfig, d: FanoutDeps): Promise<FanoutResult> {
  const { http } = d;
  const tokens = await agentTokens(cfg.agents, d);

  // online, so routing assigns the conversations to them (≈ 5 each) as it would in a real team
  await pool(tokens.length, 16, async (i) => {
    const r = await http.json('PUT', `${d.kefuUrl}/api/agents/me/status`, { status: 'online' }, tokens[i]);
    if (r.status !== 200) throw new Error(`agent status: ${r.status} ${JSON.stringify(r.body)}`);
  });

  // the conversations: one website visitor each, having written once
  d.log(`fan-out: opening ${cfg.conversations} conversations`);
  const visitors: Socket[] = [];
  await pool(cfg.conversations, 32, async (i) => {
    const v = await http.json('POST', `${d.kefuUrl}/api/widget/visitors`, {});
    if (v.status !== 201) throw new Error(`visitor: ${v.status} ${JSON.stringify(v.body)}`);
    const socket = io(`${d.kefuUrl}/widget`, { auth: v.body, transports: ['websocket'] });
    visitors[i] = socket;
    await new Promise<void>((res, rej) => {
      socket.once('connect', () => res());
      socket.once('connect_error', (e) => rej(new Error(`visitor socket: ${e.message}`)));
    });
  });
  /** resolves once kefu stored the message (the widget's acknowledgement) */
  const say = (i: number, id: string, text: string) =>
    new Promise<void>((res, rej) =>
      visitors[i % visitors.length].timeout(30_000).emit('send', { text, client_msg_id: id }, (err: Error | null, ack?: { ok?: boolean; error?: { message?: string } }) =>
        err ? rej(err) : ack?.ok ? res() : rej(new Error(`widget refused: ${ack?.error?.message}`)),
      ),
    );
  await pool(cfg.conversations, 32, (i) => say(i, `open-${i}`, `fan-open ${i}`));

  // the devices
  d.log(`fan-out: connecting ${cfg.agents} agents × ${cfg.devices} devices`);
  const sentAt = new Map<number, number>();
  const got = new Map<number, number>();
  const slowest = new Map<number, number>();
  const latencies: number[] = [];
  const fromStored: number[] = [];
  let fills = 0;
  const sockets: Socket[] = [];
  const stops: (() => void)[] = [];
  await pool(cfg.agents * cfg.devices, 32, async (i) => {
    const token = tokens[i % cfg.agents];
    const socket = io(`${d.kefuUrl}/agent`, { auth: { token }, transports: ['websocket'] });
    sockets.push(socket);
    const fetchEvents = async (stream: string, after: number): Promise<EventsPage> => {
      fills++;
      const r = await http.json<EventsPage>('GET', `${d.kefuUrl}/api/realtime/events?stream=${encodeURIComponent(stream)}&after=${after}`, undefined, token);
      if (r.status !== 200) throw new Error(`events: ${r.status}`);
      return r.body;
    };
    const client = new RealtimeClient(socket, fetchEvents);
    stops.push(client.start());
    client.on('message.created', (p: { message?: { created_at?: string; content?: { text?: string } } }) => {
      const t = now();
      const wall = Date.now();
      const m = TEXT_RE.exec(p?.message?.content?.text ?? '');
      if (!m) return;
      const n = Number(m[1]);
      const at = sentAt.get(n);
      if (at === undefined) return;
      latencies.push(t - at);
      fromStored.push(wall - Date.parse(p.message!.created_at!));
      got.set(n, (got.get(n) ?? 0) + 1);
      slowest.set(n, Math.max(slowest.get(n) ?? 0, t - at));
    });
    await new Promise<void>((res, rej) => {
      socket.once('rt.head', () => res());
      socket.once('connect_error', (e) => rej(new Error(`agent socket: ${e.message}`)));
    });
  });
  fills = 0;

  try {
    d.log(`fan-out: ${cfg.rate} messages/s for ${cfg.seconds} s to ${sockets.length} clients`);
    const probe = cpuProbe(d.pids, d.withPg);
    let seq = 0;
    let failed = 0;
    const r = await d.paced(cfg.rate, cfg.seconds, (at) => {
      const n = ++seq;
      sentAt.set(n, at);
      say(n, `fan-${n}`, `fan ${n}`).catch(() => failed++);
    });
    const expected = (r.sent - failed) * sockets.length;
    const until = now() + 15_000;
    while (latencies.length < expected && now() < until) await sleep(50);
    if (failed) d.log(`fan-out: the simulator refused ${failed} messages`);
    const cpu = probe.stop();
    const all = summarize(latencies);
    return {
      ...cfg,
      clients: sockets.length,
      sent: r.sent,
      not_stored: r.sent - got.size,
      missing: got.size * sockets.length - latencies.length,
      latency: all,
      from_stored: summarize(fromStored),
      within_300ms: latencies.filter((x) => x <= 300).length / Math.max(1, expected),
      slowest_client: summarize([...slowest.values()]),
      fills,
      cpu,
      kefu_cpu_ms_per_msg: cpu.ms.kefu / Math.max(1, r.sent),
    };
  } finally {
    for (const stop of stops) stop();
    for (const s of [...sockets, ...visitors]) s.close();
  }
}

/** Agents as rows in kefu's database, with tokens signed like kefu's own. */
async function agentTokens(n: number, d: FanoutDeps): Promise<string[]> {
  const { db } = await openDb(d.dbUrl);
  try {
    const at = new Date().toISOString();
    const users = Array.from({ length: n }, (_, i) => ({ id: `ufan${i}`, username: `fan${i}`, display_name: `坐席 ${i}`, role: 'agent' as const }));
    await db.insertInto('users').values(users.map((u) => ({ ...u, password_hash: '!', created_at: at }))).execute();
    const auth = new AuthService(db, d.secret, systemClock);
    return await Promise.all(users.map((u) => auth.issue(u)));
  } finally {
    await db.destroy();
  }
}
