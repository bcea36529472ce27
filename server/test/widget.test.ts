import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { api, createTestDb, eventually, login, setBotEnabled, startKefuProcess, type Json, type Proc, type TestDb } from './harness.js';

let db: TestDb;
let kefu: Proc;
let token: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  db = await createTestDb();
  kefu = await startKefuProcess({ db, apiBase: 'http://127.0.0.1:9' });
  await setBotEnabled(kefu.url, false);
  token = await login(kefu.url);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await kefu?.stop();
  await db?.drop();
});

function visitorSocket(v: Json) {
  const s = connect(`${kefu.url}/widget`, { auth: v, transports: ['websocket'] });
  sockets.push(s);
  const received: Json[] = [];
  s.on('message', (p: { message: Json }) => received.push(p.message));
  return { s, received };
}
const connected = (s: Socket) => new Promise<void>((r) => s.on('connect', () => r()));
const emit = (s: Socket, ev: string, arg: unknown) => new Promise<Json>((res) => s.emit(ev, arg, res));

describe('website widget channel', () => {
  it('a visitor chats live with an agent and keeps their identity across reloads', async () => {
    const v = (await api(kefu.url, 'POST', '/api/widget/visitors', {})).body;
    expect(v.visitor_id).toMatch(/^w/);
    const tab1 = visitorSocket(v);
    await connected(tab1.s);

    const agent = connect(`${kefu.url}/agent`, { auth: { token }, transports: ['websocket'] });
    sockets.push(agent);
    const agentEvents: Json[] = [];
    agent.on('message.created', (p: Json) => agentEvents.push(p));
    await connected(agent);

    const sent = await emit(tab1.s, 'send', { text: '你好，这款面霜适合敏感肌吗？', client_msg_id: 'c1' });
    expect(sent.ok).toBe(true);
    const dup = await emit(tab1.s, 'send', { text: '你好，这款面霜适合敏感肌吗？', client_msg_id: 'c1' });
    expect(dup.message.id).toBe(sent.message.id);

    const live = await eventually(async () => agentEvents.find((e) => e.message.content.text === '你好，这款面霜适合敏感肌吗？'), 'agent sees it live');
    expect(live.conversation.channel).toBe('web');
    const convId = live.conversation.id;

    const reply = await api(kefu.url, 'POST', `/api/conversations/${convId}/messages`, { text: '适合的，我们的舒缓面霜无香精。', client_msg_id: 'a1' }, token);
    expect(reply.status).toBe(201);
    await eventually(async () => tab1.received.find((m) => m.content.text === '适合的，我们的舒缓面霜无香精。'), 'visitor receives the reply');

    // "reload": a new connection with the same stored identity sees the whole history
    tab1.s.close();
    const tab2 = visitorSocket(v);
    await connected(tab2.s);
    const hist = await emit(tab2.s, 'history', {});
    expect(hist.messages.map((m: Json) => m.content.text)).toEqual(['你好，这款面霜适合敏感肌吗？', '适合的，我们的舒缓面霜无香精。']);
    const msgs = (await api(kefu.url, 'GET', `/api/conversations/${convId}/messages`, undefined, token)).body.items as Json[];
    // the two messages, and the line saying the replying agent took the conversation
    expect(msgs.filter((m) => m.content.type !== 'event')).toHaveLength(2);
    expect(msgs.find((m) => m.content.event === 'assigned')?.content.data.text).toMatch(/^已分配给 .+（回复客户接入）$/);
  });

  it('refuses a forged visitor identity and invalid messages', async () => {
    const v = (await api(kefu.url, 'POST', '/api/widget/visitors', {})).body;
    const forged = connect(`${kefu.url}/widget`, { auth: { visitor_id: v.visitor_id, visitor_token: 'x'.repeat(43) }, transports: ['websocket'], reconnection: false });
    sockets.push(forged);
    const err = await new Promise<Error>((r) => forged.on('connect_error', r));
    expect(err.message).toBe('unauthorized');

    const ok = visitorSocket(v);
    await connected(ok.s);
    const bad = await emit(ok.s, 'send', { text: '', client_msg_id: 'c2' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'validation_error' } });
    const extra = await emit(ok.s, 'send', { text: 'hi', client_msg_id: 'c3', admin: true });
    expect(extra.ok).toBe(false);
  });
});
