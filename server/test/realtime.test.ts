import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { Adapter } from 'socket.io-adapter';
import { startKefu, type Kefu } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/core/logger.js';
import { openDb } from '../src/db/connect.js';
import { EventLog } from '../src/realtime/log.js';
import { RealtimeClient, type EventsPage } from '../../web/src/realtime/client.js';
import { api, createTestDb, DB_KIND, eventually, freePort, login, setBotEnabled, startKefuProcess, startSimulator, wechatCustomers, type Json, type Proc, type TestDb } from './harness.js';

/**
 * Real time across an agent's devices, on the database under test: contiguous numbers per
 * stream, gap-fill after a dropped connection and after a lost pub/sub message (the web app's
 * own client, against a real kefu), and exactly-once sending with a client message id.
 * kefu runs in-process so a test can drop one emit where the Redis adapter would lose it.
 */
let db: TestDb;
let kefu: Kefu;
let sim: Proc;
let token: string;
let wechat: Awaited<ReturnType<typeof wechatCustomers>>;
const sockets: Socket[] = [];

beforeAll(async () => {
  db = await createTestDb();
  const port = await freePort();
  sim = await startSimulator({ callbackUrl: `http://127.0.0.1:${port}/api/wecom/callback` });
  const config = loadConfig({
    KEFU_PORT: String(port), KEFU_HOST: '127.0.0.1', KEFU_DATABASE_URL: db.url, KEFU_DATA_DIR: db.dataDir,
    KEFU_LOG_LEVEL: 'warn', KEFU_DEMO_DATA: 'false', WECOM_API_BASE: sim.url, KEFU_SCHEDULER_POLL_MS: '0',
    WECOM_CORP_ID: 'ww5823bf96d3bd56c7', WECOM_TOKEN: 'kefuDemoToken', WECOM_ENCODING_AES_KEY: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', WECOM_KF_SECRET: 'kefu-demo-kf-secret',
  });
  kefu = await startKefu(config, { logger: createLogger(process.env.KEFU_TEST_LOG_LEVEL ?? 'warn'), soothingTickMs: 0, realtimeHeartbeatMs: 400 });
  await kefu.auth.createUser({ username: 'admin', display_name: '管理员', role: 'admin', password: 'kefu123' });
  await kefu.auth.createUser({ username: 'agent1', display_name: '小李', role: 'agent', password: 'kefu123' });
  await setBotEnabled(kefu.url, false);
  token = await login(kefu.url, 'agent1');
  wechat = await wechatCustomers(sim.url);
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await kefu?.close();
  await sim?.stop();
  await db?.drop();
});

type Seen = { type: string; payload: Json };

/** An agent's device: the web app's realtime client on a real socket, recording what listeners get. */
async function device(url = kefu.url, tok = token) {
  const socket = connect(`${url}/agent`, { auth: { token: tok }, transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 200 });
  sockets.push(socket);
  const fills: { stream: string; after: number }[] = [];
  const fetchEvents = async (stream: string, after: number): Promise<EventsPage> => {
    fills.push({ stream, after });
    const r = await api(url, 'GET', `/api/realtime/events?stream=${encodeURIComponent(stream)}&after=${after}`, undefined, tok);
    if (r.status !== 200) throw new Error(`events: ${r.status}`);
    return r.body as EventsPage;
  };
  const client = new RealtimeClient(socket, fetchEvents);
  client.start();
  const seen: Seen[] = [];
  const resyncs: Json[] = [];
  for (const type of ['message.created', 'message.updated', 'conversation.updated']) client.on(type, (payload: Json) => seen.push({ type, payload }));
  client.on('resync', (p: Json) => resyncs.push(p));
  // ready once the first head set the starting point
  const ready = new Promise<void>((r) => socket.once('rt.head', () => setTimeout(r, 0)));
  await ready;
  const texts = () => seen.filter((e) => e.type === 'message.created').map((e) => e.payload.message.content.text as string);
  return { socket, client, seen, fills, resyncs, texts };
}

/** Texts a WeChat customer writes, one after another, each stored before the next. */
async function customerWrites(ext: string, texts: string[]): Promise<void> {
  for (const t of texts) {
    await wechat.says(ext, t);
    await eventually(async () => (await storedTexts()).includes(t), `"${t}" stored`);
  }
}
async function storedTexts(): Promise<string[]> {
  return (await kefu.db.selectFrom('messages').select('content_json').execute()).map((r) => JSON.parse(r.content_json).text);
}

/** Drops the next broadcast whose payload matches, as a lost Redis pub/sub message would. */
function dropNextEmit(match: (type: string, payload: Json) => boolean): Promise<void> {
  const adapter = kefu.io.of('/agent').adapter as Adapter;
  const original = adapter.broadcast.bind(adapter);
  return new Promise((dropped) => {
    adapter.broadcast = (packet, opts) => {
      const [type, payload] = packet.data as [string, Json];
      if (match(type, payload)) {
        adapter.broadcast = original;
        dropped();
        return;
      }
      original(packet, opts);
    };
  });
}

describe('real time across devices', () => {
  it('numbers each stream contiguously, also when two instances append at once', async () => {
    const a = await device();
    const ext = await wechat.create('编号');
    await Promise.all(Array.from({ length: 12 }, (_, i) => wechat.says(ext, `编号 ${i}`)));
    await eventually(async () => a.texts().filter((t) => t.startsWith('编号 ')).length === 12, 'the 12 messages live');
    await kefu.realtime.idle();
    const log = (await api(kefu.url, 'GET', '/api/realtime/events?stream=agents&after=0&limit=1000', undefined, token)).body as EventsPage;
    expect(log.resync).toBe(false);
    expect(log.events.map((e) => e.seq)).toEqual(Array.from({ length: log.latest }, (_, i) => i + 1));
    // what the device got is that log, in order
    const created = log.events.filter((e) => e.type === 'message.created').map((e) => (e.payload as Json).message.content.text);
    expect(created.filter((t) => t.startsWith('编号 '))).toEqual(a.texts().filter((t) => t.startsWith('编号 ')));

    // two instances = two connection pools numbering the same stream concurrently (SQLite
    // serialises writers on its file lock; in one process its synchronous driver would wait on itself)
    const other = DB_KIND === 'postgres' ? await openDb(db.url) : { db: kefu.db };
    try {
      const logs = [new EventLog(kefu.db), new EventLog(other.db)];
      // each append: two events of one stream and one of another, in either order
      const batch = (i: number) => (i % 2 ? ['race:a', 'race:b', 'race:a'] : ['race:b', 'race:a', 'race:a']).map((stream) => ({ stream, type: 't', payload: { i } }));
      const numbered = await Promise.all(Array.from({ length: 40 }, (_, i) => logs[i % 2].append(batch(i), new Date().toISOString())));
      expect(numbered.flat()).toHaveLength(120);
      expect((await logs[1].read('race:a', 0, 1000)).map((r) => r.seq)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect((await logs[0].read('race:b', 0, 1000)).map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
      // within an append, a stream's events keep their order
      numbered.forEach((seqs, i) => expect(seqs[2]).toBe((i % 2 ? seqs[0] : seqs[1]) + 1));
    } finally {
      if (other.db !== kefu.db) await other.db.destroy();
    }
  });

  it('a device that was disconnected gets what it missed after reconnecting, in order, once', async () => {
    const phone = await device();
    const pc = await device();
    const ext = await wechat.create('断线');
    await wechat.says(ext, '断线前');
    await eventually(async () => phone.texts().includes('断线前') && pc.texts().includes('断线前'), 'both devices live');

    phone.socket.disconnect();
    const missed = ['断线中 1', '断线中 2', '断线中 3', '断线中 4'];
    await customerWrites(ext, missed);
    await eventually(async () => missed.every((t) => pc.texts().includes(t)), 'the connected device sees them live');
    expect(phone.texts().filter((t) => t.startsWith('断线中'))).toEqual([]);

    phone.socket.connect();
    await eventually(async () => phone.texts().filter((t) => t.startsWith('断线中')).length === 4, 'the phone fills the gap');
    expect(phone.texts().filter((t) => t.startsWith('断线')).slice(-5)).toEqual(['断线前', ...missed]);
    expect(phone.fills.length).toBeGreaterThan(0);
    // nothing twice: every message.created of the phone is distinct, and it ends where the PC is
    const ids = phone.seen.filter((e) => e.type === 'message.created').map((e) => e.payload.message.id);
    expect(new Set(ids).size).toBe(ids.length);
    await wechat.says(ext, '重连后');
    await eventually(async () => phone.texts().at(-1) === '重连后' && pc.texts().at(-1) === '重连后', 'live again on both');
    expect(phone.resyncs).toEqual([]);
  });

  it('a lost pub/sub message is noticed by the next event, or by the heartbeat when it was the last', async () => {
    const d = await device();
    const ext = await wechat.create('丢包');
    await wechat.says(ext, '丢包 0');
    await eventually(async () => d.texts().includes('丢包 0'), 'live');

    // lost in the middle: the next number jumps, the client fetches the missing one first
    let lost = dropNextEmit((type, p) => type === 'message.created' && p.message.content.text === '丢包 1');
    await wechat.says(ext, '丢包 1');
    await lost;
    await wechat.says(ext, '丢包 2');
    await eventually(async () => d.texts().includes('丢包 2'), 'the event after the lost one');
    expect(d.texts().filter((t) => t.startsWith('丢包')).slice(-3)).toEqual(['丢包 0', '丢包 1', '丢包 2']);

    // lost last: nothing follows, the heartbeat's head reveals it
    const fillsBefore = d.fills.length;
    lost = dropNextEmit((type, p) => type === 'message.created' && p.message.content.text === '丢包 3');
    await wechat.says(ext, '丢包 3');
    await lost;
    await eventually(async () => d.texts().includes('丢包 3'), 'the lost last event, through the heartbeat', 10_000);
    expect(d.fills.length).toBeGreaterThan(fillsBefore);
    const texts = d.texts().filter((t) => t.startsWith('丢包'));
    expect(texts).toEqual(['丢包 0', '丢包 1', '丢包 2', '丢包 3']);
  });

  it('a device too far behind for the kept log is told to reload its lists', async () => {
    const d = await device();
    const ext = await wechat.create('太久');
    d.socket.disconnect();
    await customerWrites(ext, ['太久 1', '太久 2']);
    await kefu.realtime.idle();
    // everything older than a second from now is pruned, as after 24 hours
    await kefu.realtime.log.prune(new Date(Date.now() + 1000).toISOString(), 20_000);
    d.socket.connect();
    await eventually(async () => d.resyncs.some((r) => r.stream === 'agents'), 'a resync signal');
    // and it carries on live from there
    await wechat.says(ext, '太久 3');
    await eventually(async () => d.texts().includes('太久 3'), 'live after the resync');
    expect(d.texts()).not.toContain('太久 1');
  });

  it('only the agent reads their own stream', async () => {
    const me = (await api(kefu.url, 'GET', '/api/me', undefined, token)).body;
    expect((await api(kefu.url, 'GET', `/api/realtime/events?stream=user:${me.id}&after=0`, undefined, token)).status).toBe(200);
    const other = await api(kefu.url, 'GET', '/api/realtime/events?stream=user:u_someone_else&after=0', undefined, token);
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('forbidden');
    expect((await api(kefu.url, 'GET', '/api/realtime/events?stream=agents&after=0')).status).toBe(401);
  });

  it('the same client message id sent at once from two devices and retried sends once', async () => {
    const d = await device();
    const ext = await wechat.create('重发');
    await wechat.says(ext, '在吗？');
    const ev = await eventually(async () => d.seen.find((e) => e.type === 'message.created' && e.payload.message.content.text === '在吗？'), 'the conversation');
    const conversationId = ev.payload.conversation.id as string;
    const body = { text: '在的，请问有什么可以帮您？', client_msg_id: 'outbox-1f3a' };
    const results = await Promise.all(Array.from({ length: 8 }, () => api(kefu.url, 'POST', `/api/conversations/${conversationId}/messages`, body, token)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.message.id)).size).toBe(1);
    // a later retry (the response was lost) returns the stored message, now sent
    const retry = await eventually(async () => {
      const r = await api(kefu.url, 'POST', `/api/conversations/${conversationId}/messages`, body, token);
      return r.body.message?.status === 'sent' ? r : null;
    }, 'the retry answers with the sent message');
    expect(retry.status).toBe(200);
    expect(retry.body.message.id).toBe(results[0].body.message.id);

    await eventually(async () => (await wechat.inboxTexts(ext)).includes(body.text), 'the reply at the customer');
    await new Promise((r) => setTimeout(r, 300));
    expect((await wechat.inboxTexts(ext)).filter((t) => t === body.text)).toHaveLength(1);
    const list = (await api(kefu.url, 'GET', `/api/conversations/${conversationId}/messages`, undefined, token)).body.items as Json[];
    expect(list.filter((m) => m.client_msg_id === body.client_msg_id)).toHaveLength(1);
    expect(d.seen.filter((e) => e.type === 'message.created' && e.payload.message.client_msg_id === body.client_msg_id)).toHaveLength(1);

    // the same id in another conversation is a client error, not a retry
    const ext2 = await wechat.create('另一位');
    await wechat.says(ext2, '你好');
    const ev2 = await eventually(async () => d.seen.find((e) => e.type === 'message.created' && e.payload.conversation.id !== conversationId && e.payload.message.content.text === '你好'), 'the second conversation');
    const reused = await api(kefu.url, 'POST', `/api/conversations/${ev2.payload.conversation.id}/messages`, body, token);
    expect(reused.status).toBe(409);
    expect(reused.body.error.code).toBe('client_msg_id_reused');
  });
});

// Several instances run on PostgreSQL: two processes writing one SQLite file fail each other's
// read-then-write transactions ("database is locked"), with or without the event log.
describe.runIf(DB_KIND === 'postgres')('several instances', () => {
  it('numbers the events of both instances in one sequence; a device on one instance misses nothing', async () => {
    const shared = await createTestDb();
    const env = { KEFU_REDIS_URL: 'redis://127.0.0.1:6379', KEFU_REDIS_PREFIX: `kefu-rt-${await freePort()}` };
    const a = await startKefuProcess({ db: shared, apiBase: 'http://127.0.0.1:9', env });
    const b = await startKefuProcess({ db: shared, apiBase: 'http://127.0.0.1:9', env });
    try {
      await setBotEnabled(a.url, false);
      const tok = await login(a.url);
      const onB = await device(b.url, tok);
      // website visitors writing through either instance at the same time
      const visitor = async (url: string) => {
        const v = (await api(url, 'POST', '/api/widget/visitors', {})).body;
        const s = connect(`${url}/widget`, { auth: v, transports: ['websocket'] });
        sockets.push(s);
        await new Promise<void>((r) => s.once('connect', () => r()));
        return (text: string, id: string) => new Promise((r) => s.emit('send', { text, client_msg_id: id }, r));
      };
      const [viaA, viaB] = await Promise.all([visitor(a.url), visitor(b.url)]);
      const sent = Array.from({ length: 8 }, (_, i) => `实例 ${i % 2 ? 'B' : 'A'} ${i}`);
      await Promise.all(sent.map((t, i) => (i % 2 ? viaB : viaA)(t, `v${i}`)));
      await eventually(async () => sent.every((t) => onB.texts().includes(t)), 'every message on the device connected to B');
      const log = (await api(a.url, 'GET', '/api/realtime/events?stream=agents&after=0&limit=1000', undefined, tok)).body as EventsPage;
      expect(log.events.map((e) => e.seq)).toEqual(Array.from({ length: log.latest }, (_, i) => i + 1));
      const order = log.events.filter((e) => e.type === 'message.created').map((e) => (e.payload as Json).message.content.text);
      expect(onB.texts()).toEqual(order);
    } finally {
      await a.stop();
      await b.stop();
      await shared.drop();
    }
  });
});
