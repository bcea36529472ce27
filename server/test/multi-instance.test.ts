import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { api, createTestDb, eventually, freePort, login, setBotEnabled, startKefuProcess, type Json, type Proc, type TestDb } from './harness.js';

// Two kefu instances on one database and one Redis: an agent connected to instance A sees,
// live, a message that a website visitor sent through instance B, and replies through A.
let db: TestDb;
let a: Proc;
let b: Proc;
const sockets: Socket[] = [];

beforeAll(async () => {
  db = await createTestDb();
  const env = { KEFU_REDIS_URL: 'redis://127.0.0.1:6379', KEFU_REDIS_PREFIX: `kefu-test-${await freePort()}` };
  a = await startKefuProcess({ db, apiBase: 'http://127.0.0.1:9', env });
  b = await startKefuProcess({ db, apiBase: 'http://127.0.0.1:9', env });
  await setBotEnabled(a.url, false);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

const connected = (s: Socket) => new Promise<void>((r) => s.on('connect', () => r()));

describe('several instances', () => {
  it('fans events out across instances through Redis', async () => {
    const token = await login(a.url);
    const agent = connect(`${a.url}/agent`, { auth: { token }, transports: ['websocket'] });
    sockets.push(agent);
    const seen: Json[] = [];
    agent.on('message.created', (p: Json) => seen.push(p));
    await connected(agent);

    const v = (await api(b.url, 'POST', '/api/widget/visitors', {})).body;
    const visitor = connect(`${b.url}/widget`, { auth: v, transports: ['websocket'] });
    sockets.push(visitor);
    const got: Json[] = [];
    visitor.on('message', (p: Json) => got.push(p.message));
    await connected(visitor);
    await new Promise((r) => visitor.emit('send', { text: '跨实例的消息', client_msg_id: 'x1' }, r));

    const ev = await eventually(async () => seen.find((p) => p.message.content.text === '跨实例的消息'), 'agent on A sees the message sent via B');
    const reply = await api(a.url, 'POST', `/api/conversations/${ev.conversation.id}/messages`, { text: '来自实例 A 的回复', client_msg_id: 'r1' }, token);
    expect(reply.status).toBe(201);
    await eventually(async () => got.find((m) => m.content.text === '来自实例 A 的回复'), 'visitor on B receives the reply sent via A');
  });
});
