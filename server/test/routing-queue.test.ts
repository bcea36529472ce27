import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { startKefu, type Kefu } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { OffsetClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { api, createTestDb, DEMO, eventually, freePort, login, setBotEnabled, startSimulator, wechatCustomers, type Json, type Proc, type TestDb } from './harness.js';

/**
 * The queue around routing, on both databases, with the WeCom simulator as a real process and
 * kefu in-process on a movable clock (the scheduler's poller off: tests tick it): position
 * notices in the WeChat customer's inbox within the 5-message window, overflow between teams,
 * leave-a-message tickets, supervisors' take-over and monitoring, the reply-vs-routing race,
 * and WeCom's service_state on hand-over.
 */
let db: TestDb;
let sim: Proc;
let kefu: Kefu;
let admin: string;
let wechat: Awaited<ReturnType<typeof wechatCustomers>>;
const clock = new OffsetClock();
const users = new Map<string, string>();
let seq = 0;

const http = (method: string, path: string, body?: unknown, token = admin) => api(kefu.url, method, path, body, token);
const simApi = (method: string, path: string, body?: unknown) => api(sim.url, method, path, body);
const routing = () => kefu.routing.service;
const settle = () => routing().idle();
const decisions = async (id: string) => (await http('GET', `/api/conversations/${id}/routing`)).body.history as Json[];
const loadOf = async (id: string) => (await routing().agent(id)).load;
const tick = async () => {
  await settle();
  await kefu.scheduler.tick();
  await settle();
};

async function user(key: string, role: 'agent' | 'supervisor' = 'agent'): Promise<string> {
  let id = users.get(key);
  if (!id) {
    id = (await kefu.auth.createUser({ username: key, display_name: `坐席${key}`, role, password: 'kefu123' })).id;
    users.set(key, id);
  }
  return id;
}

async function agent(key: string, o: { team?: string; capacity?: number; online?: boolean; role?: 'agent' | 'supervisor' } = {}): Promise<string> {
  const id = await user(key, o.role);
  await routing().updateAgent(id, { team: o.team ?? null, capacity: o.capacity ?? 5 });
  await routing().setStatus(id, o.online === false ? 'offline' : 'online');
  await settle();
  return id;
}

/** Every open conversation closed, every agent offline, queue settings back to defaults. */
async function reset(settings: Json = {}): Promise<void> {
  await kefu.db.withTables<{ agent_profiles: { status: string } }>().updateTable('agent_profiles').set({ status: 'offline' }).execute();
  const open = await kefu.db.selectFrom('conversations').select('id').where('status', '<>', 'closed').execute();
  for (const { id } of open) await kefu.hub.close(id);
  await settle();
  const r = await http('PUT', '/api/routing/settings', settings);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
}

/** A website visitor's conversation, waiting for a human (the bot is off). */
async function webCustomer(text = '你好，有人吗'): Promise<string> {
  const ext = `visitor-${++seq}`;
  const r = await kefu.hub.ingest({ channel: 'web', channel_account: 'web', external_id: ext, customer: { display_name: `访客${seq}` }, dedupe_key: `t:${ext}`, content: { type: 'text', text } });
  await settle();
  return r.conversation.id;
}

/** A WeChat customer writes through the simulator; resolves once kefu routed the conversation. */
async function wechatCustomer(nickname: string, text = '你好，我想咨询一下'): Promise<{ ext: string; id: string }> {
  const ext = await wechat.create(nickname);
  await wechat.says(ext, text);
  const id = await eventually(async () => {
    const c = await kefu.db.selectFrom('conversations').innerJoin('customers', 'customers.id', 'conversations.customer_id')
      .select('conversations.id').where('customers.display_name', '=', nickname).where('conversations.status', '<>', 'closed').executeTakeFirst();
    return c?.id;
  }, `conversation of ${nickname}`);
  await eventually(async () => (await kefu.hub.getConversation(id))?.service_state === 1, 'service_state 1');
  await settle();
  return { ext, id };
}

const simState = async (ext: string) => (await simApi('GET', `/sim/state/${wechat.presales}/${ext}`)).body;
const reply = (id: string, text: string, token: string) => http('POST', `/api/conversations/${id}/messages`, { text, client_msg_id: `rq-${++seq}` }, token);

beforeAll(async () => {
  db = await createTestDb();
  const port = await freePort();
  sim = await startSimulator({ callbackUrl: `http://127.0.0.1:${port}/api/wecom/callback` });
  const config = loadConfig({
    KEFU_PORT: String(port), KEFU_HOST: '127.0.0.1', KEFU_DATABASE_URL: db.url, KEFU_DATA_DIR: db.dataDir, KEFU_LOG_LEVEL: 'warn', KEFU_DEMO_DATA: 'false',
    WECOM_API_BASE: sim.url, WECOM_CORP_ID: DEMO.corpId, WECOM_TOKEN: DEMO.token, WECOM_ENCODING_AES_KEY: DEMO.aesKey, WECOM_KF_SECRET: DEMO.secret,
    KEFU_SCHEDULER_POLL_MS: '0',
  });
  kefu = await startKefu(config, { clock, logger: createLogger(process.env.KEFU_TEST_LOG_LEVEL ?? 'warn'), soothingTickMs: 0 });
  await kefu.auth.createUser({ username: 'admin', display_name: '管理员', role: 'admin', password: 'kefu123' });
  await setBotEnabled(kefu.url, false);
  admin = await login(kefu.url, 'admin');
  wechat = await wechatCustomers(sim.url);
}, 120_000);

afterAll(async () => {
  await kefu?.close();
  await sim?.stop();
  await db?.drop();
});

describe('queue position notices', () => {
  it('reach the WeChat customer\'s inbox on meaningful change only, rate-limited, and never spend the agent\'s last 2 of 5 messages', async () => {
    await reset({ queue_notice: { enabled: true, min_interval_s: 60, min_position_change: 2, max_per_conversation: 10, keep_reply_slots: 2 } });
    const customers: { ext: string; id: string }[] = [];
    for (let i = 1; i <= 6; i++) customers.push(await wechatCustomer(`排队客户${seq}-${i}`));
    const notices = async (ext: string) => (await wechat.inboxTexts(ext)).filter((t) => t.includes('您前面') || t.includes('下一位'));
    const last = customers.at(-1)!;
    // nobody online: the place, no made-up estimate
    expect(await eventually(async () => ((await notices(last.ext)).length === 1 ? notices(last.ext) : null), 'first notice')).toEqual(['您前面还有 5 位客户，客服上线后会按顺序为您服务。']);

    // an agent (capacity 1) takes the first: everybody moves up one place — not a meaningful change
    const x = await agent('q_x', { capacity: 1 });
    const xToken = await login(kefu.url, 'q_x');
    expect((await kefu.hub.getConversation(customers[0]!.id))!.assignee_id).toBe(x);
    expect(await notices(last.ext)).toHaveLength(1);

    // two more places (and past the minimum interval): an update with the estimate (1 slot × 5 min default handle time)
    clock.advance(61_000);
    await http('POST', `/api/conversations/${customers[0]!.id}/close`, {}, xToken);
    await settle();
    expect(await notices(last.ext)).toEqual(['您前面还有 5 位客户，客服上线后会按顺序为您服务。', '您前面还有 3 位客户，预计等待约 20 分钟，请稍候～']);
    expect(await notices(customers[2]!.ext)).toEqual(['您前面还有 2 位客户，客服上线后会按顺序为您服务。', '您是下一位，客服马上为您服务，请稍候～']);

    // a change within the minimum interval waits
    await http('POST', `/api/conversations/${customers[1]!.id}/close`, {}, xToken);
    await http('POST', `/api/conversations/${customers[2]!.id}/close`, {}, xToken);
    await settle();
    expect(await notices(last.ext)).toHaveLength(2);
    clock.advance(61_000);
    await http('POST', `/api/conversations/${customers[3]!.id}/close`, {}, xToken);
    await settle();
    expect((await notices(last.ext)).at(-1)).toBe('您是下一位，客服马上为您服务，请稍候～');
    expect((await simState(last.ext)).window).toMatchObject({ sent_count: 3, remaining: 2 });

    // 3 of 5 used: the next change is not told, the last two are the agent's
    clock.advance(61_000);
    await http('POST', `/api/conversations/${customers[4]!.id}/close`, {}, xToken);
    await settle();
    expect(await kefu.hub.getConversation(last.id)).toMatchObject({ status: 'assigned', assignee_id: x });
    expect(await notices(last.ext)).toHaveLength(3);
    const fifthCustomer = await notices(customers[4]!.ext);
    expect(fifthCustomer.length).toBeLessThanOrEqual(3);
    for (const text of ['您好，我是客服小王', '请问有什么可以帮您？']) {
      const r = await reply(last.id, text, xToken);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      expect(r.body.message.status).toBe('sent');
    }
    expect((await wechat.inboxTexts(last.ext)).slice(-2)).toEqual(['您好，我是客服小王', '请问有什么可以帮您？']);
    expect((await simState(last.ext)).window).toMatchObject({ sent_count: 5, remaining: 0 });
    const sixth = await reply(last.id, '还在吗？', xToken);
    expect(sixth.status).toBe(422);
    expect(sixth.body.message).toMatchObject({ status: 'failed', fail_code: 'window_closed' });
  });
});

describe('overflow', () => {
  it('waiting for 售后 longer than the rule\'s minutes → 售前, by the durable timer, with the reason stored', async () => {
    await reset({ overflow: [{ from_team: '售后', to_team: '售前', after_minutes: 5 }] });
    const after = await agent('o_after', { team: '售后', capacity: 1 });
    await webCustomer('占满售后');
    expect(await loadOf(after)).toBe(1);
    const pre = await agent('o_pre', { team: '售前', online: false });
    const id = await webCustomer('我要退货');
    expect((await kefu.hub.getConversation(id))!.assignee_id).toBeNull();
    const t = await http('POST', `/api/conversations/${id}/transfer`, { to_team: '售后', note: '售后问题' });
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    await routing().setStatus(pre, 'online');
    await settle();
    // the 售前 agent is free but the conversation waits for 售后
    expect((await kefu.hub.getConversation(id))!.status).toBe('queued');

    clock.advance(4 * 60_000);
    await tick();
    expect((await kefu.hub.getConversation(id))!.status).toBe('queued');
    clock.advance(61_000);
    await tick();
    expect(await kefu.hub.getConversation(id)).toMatchObject({ status: 'assigned', assignee_id: pre });
    const [assigned, overflowed] = await decisions(id);
    expect(overflowed).toMatchObject({ outcome: 'overflowed', team: '售前', reason: '在「售后」组排队已超过 5 分钟无人接待，按溢出规则转到「售前」组。' });
    expect(assigned).toMatchObject({ outcome: 'assigned', agent_id: pre, context: expect.objectContaining({ only_team: '售前' }) });

    const bad = await http('PUT', '/api/routing/settings', { overflow: [{ from_team: '售前', to_team: '售前', after_minutes: 1 }] });
    expect(bad.status).toBe(400);
    const twice = await http('PUT', '/api/routing/settings', { skill_teams: [{ skill: '发票', team: '售后' }, { skill: '发票', team: '售前' }] });
    expect(twice.status).toBe(400);
    expect(JSON.stringify(twice.body)).toContain('技能「发票」重复');
    const agentToken = await login(kefu.url, 'o_pre');
    expect((await http('PUT', '/api/routing/settings', {}, agentToken)).status).toBe(403);
  });
});

describe('leave-a-message', () => {
  it('nobody online → queue → after the maximum wait a ticket, the customer told its number, the conversation ended', async () => {
    await reset({ leave_message: { max_wait_minutes: 10 } });
    const c = await wechatCustomer(`留言客户${++seq}`, '我的订单一直没发货，怎么回事');
    const [queued] = await decisions(c.id);
    expect(queued).toMatchObject({ outcome: 'queued', reason: '当前没有在线坐席，进入排队等待。' });
    clock.advance(9 * 60_000);
    await tick();
    expect((await kefu.hub.getConversation(c.id))!.status).toBe('queued');
    clock.advance(61_000);
    await tick();
    const [left] = await decisions(c.id);
    expect(left).toMatchObject({ outcome: 'left_message', context: expect.objectContaining({ why: 'waited', closed: true, customer_told: true }) });
    const number = left!.context.ticket_number as string;
    expect(left!.reason).toBe(`让您久等了，暂时没有客服可以接待（已等待超过 10 分钟），已转为留言工单 ${number}，会话结束。`);
    expect((await kefu.hub.getConversation(c.id))!.status).toBe('closed');
    expect((await wechat.inboxTexts(c.ext)).at(-1)).toBe(`让您久等了，暂时没有客服可以接待，已为您登记留言（工单号 ${number}），客服会尽快与您联系，请留意消息。`);
    const ticket = (await http('GET', `/api/tickets/${left!.context.ticket_id}`)).body;
    expect(ticket).toMatchObject({ number, conversation_id: c.id, title: '我的订单一直没发货，怎么回事' });
    expect(ticket.description).toContain('我的订单一直没发货');
  });

  it('too many waiting → a ticket at once; outside human hours → a ticket at once', async () => {
    await reset({ leave_message: { max_queue_length: 1 } });
    const first = await webCustomer('第一位');
    const second = await webCustomer('第二位');
    expect((await kefu.hub.getConversation(first))!.status).toBe('queued');
    expect((await kefu.hub.getConversation(second))!.status).toBe('closed');
    expect((await decisions(second))[0]).toMatchObject({ outcome: 'left_message', reason: expect.stringMatching(/^当前排队人数较多（前面已有 1 位客户排队，上限 1），已转为留言工单 T\d{8}-\d{4}，会话结束。$/) });

    await reset({ leave_message: { outside_hours: true } });
    const bot = (await http('GET', '/api/bot/settings')).body;
    // humans work only on Sundays 00:00–00:01 Beijing time: now is outside
    const sunday = { timeZone: 'Asia/Shanghai', weekly: { sun: [{ start: '00:00', end: '00:01' }] } };
    expect((await http('PUT', '/api/bot/settings', { ...bot, human_hours: sunday })).status).toBe(200);
    try {
      const night = await webCustomer('晚上好');
      const [d] = await decisions(night);
      expect(d).toMatchObject({ outcome: 'left_message', context: expect.objectContaining({ why: 'outside_hours' }) });
      const told = (await kefu.hub.listMessages(night, { limit: 10 })).find((m) => m.sender_type === 'system' && m.content.type === 'text');
      expect((told!.content as Json).text).toMatch(/^现在是非人工服务时间，已为您登记留言（工单号 T\d{8}-\d{4}）/);
    } finally {
      await http('PUT', '/api/bot/settings', bot);
    }
  });
});

describe('supervisors', () => {
  it('take over a conversation (reason recorded, loads moved) and monitor one read-only over the socket', async () => {
    await reset();
    const x = await agent('s_agent');
    const lead = await agent('s_lead', { role: 'supervisor', capacity: 1 });
    await routing().setStatus(lead, 'busy');
    const leadToken = await login(kefu.url, 's_lead');
    const agentToken = await login(kefu.url, 's_agent');
    const id = await webCustomer('我要投诉');
    expect((await kefu.hub.getConversation(id))!.assignee_id).toBe(x);

    expect((await http('POST', `/api/conversations/${id}/take-over`, {}, agentToken)).status).toBe(403);
    const r = await http('POST', `/api/conversations/${id}/take-over`, { note: '客户情绪激动' }, leadToken);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.conversation).toMatchObject({ status: 'assigned', assignee_id: lead });
    expect(r.body.decision).toMatchObject({ outcome: 'taken_over', agent_id: lead, by_user_id: lead, reason: '坐席s_lead 接管了 坐席s_agent 的会话：客户情绪激动。' });
    await settle();
    expect(await loadOf(x)).toBe(0);
    expect(await loadOf(lead)).toBe(1);
    const line = (await kefu.hub.listMessages(id, { limit: 20 })).find((m) => m.content.type === 'event' && m.content.event === 'taken_over');
    expect((line!.content as Json).data.text).toBe('坐席s_lead 接管了会话（原坐席 坐席s_agent），备注：客户情绪激动');
    expect((await http('POST', `/api/conversations/${id}/take-over`, {}, leadToken)).status).toBe(409);

    // monitoring: the supervisor's socket joins the conversation's room
    const other = await webCustomer('请问发票怎么开');
    const socket: Socket = connect(`${kefu.url}/agent`, { auth: { token: leadToken }, transports: ['websocket'] });
    try {
      await new Promise<void>((res, rej) => socket.once('connect', () => res()).once('connect_error', rej));
      expect((await http('POST', `/api/conversations/${other}/monitor`, { socket_id: socket.id }, agentToken)).status).toBe(403);
      expect((await http('POST', `/api/conversations/${other}/monitor`, { socket_id: 'not-mine' }, leadToken)).status).toBe(409);
      const m = await http('POST', `/api/conversations/${other}/monitor`, { socket_id: socket.id }, leadToken);
      expect(m.status, JSON.stringify(m.body)).toBe(200);
      expect(m.body).toMatchObject({ monitoring: true, conversation: { id: other } });
      const seen: Json[] = [];
      socket.on('monitor.event', (e: Json) => seen.push(e));
      // a conversation not monitored first: its events would arrive before the monitored one's
      await reply(id, '我是主管，马上为您处理', leadToken);
      await reply(other, '您好，电子发票在订单页申请', agentToken);
      const got = await eventually(async () => seen.find((e) => e.type === 'message.created' && e.payload.message.content.text === '您好，电子发票在订单页申请'), 'monitored message');
      expect(got.payload.conversation.id).toBe(other);
      expect(seen.every((e) => e.payload.conversation.id === other)).toBe(true);
      expect((await http('DELETE', `/api/conversations/${other}/monitor`, { socket_id: socket.id }, leadToken)).body.monitoring).toBe(false);
    } finally {
      socket.close();
    }
  });
});

describe('the race: an agent replies while routing assigns', () => {
  it('each conversation ends with exactly one agent, within capacity; the loser\'s reply is refused and not stored', async () => {
    await reset();
    const a = await agent('r_a', { capacity: 4, online: false });
    const b = await agent('r_b', { capacity: 12, online: false });
    const aToken = await login(kefu.url, 'r_a');
    const ids: string[] = [];
    for (let i = 0; i < 16; i++) ids.push(await webCustomer(`抢单 ${i}`));
    const [replies] = await Promise.all([
      Promise.all(ids.map((id, i) => reply(id, `A 的回复 ${i}`, aToken))),
      routing().setStatus(b, 'online'),
    ]);
    await settle();
    const rows = await kefu.db.selectFrom('conversations').select(['id', 'status', 'assignee_id']).where('id', 'in', ids).execute();
    const byA = rows.filter((r) => r.assignee_id === a).map((r) => r.id);
    const byB = rows.filter((r) => r.assignee_id === b).map((r) => r.id);
    expect(byA.length).toBeLessThanOrEqual(4);
    expect(byB.length).toBeLessThanOrEqual(12);
    expect(byA.length + byB.length).toBe(16);
    expect(await loadOf(a)).toBe(byA.length);
    expect(await loadOf(b)).toBe(byB.length);
    for (const [i, r] of replies.entries()) {
      const id = ids[i]!;
      const mine = byA.includes(id);
      expect(r.status, JSON.stringify(r.body)).toBe(mine ? 201 : 409);
      if (!mine) expect(['conversation_taken', 'agent_full']).toContain(r.body.error.code);
      const stored = (await kefu.hub.listMessages(id, { limit: 20 })).filter((m) => m.sender_id === a);
      expect(stored).toHaveLength(mine ? 1 : 0);
      // one assignment decision per conversation, naming the agent who has it
      const assigned = (await decisions(id)).filter((d) => d.outcome === 'assigned');
      expect(assigned.map((d) => d.agent_id)).toEqual([mine ? a : b]);
    }
    const full = replies.find((r) => r.body?.error?.code === 'agent_full');
    if (full) expect(full.body.error.message).toMatch(/您正在接待 4\/4 个会话，已达上限/);
  });
});

describe('WeCom service_state on hand-over', () => {
  it('kefu agents serve in state 1; a WeCom-native servicer gets state 3 (and 3 → 3), recorded, with kefu refusing what WeCom would', async () => {
    await reset();
    const x = await agent('w_x');
    const mapped = await agent('w_lisi', { online: false });
    await routing().updateAgent(mapped, { wecom_userid: 'lisi' });
    const xToken = await login(kefu.url, 'w_x');
    const c = await wechatCustomer(`状态客户${++seq}`, '我要找人工');
    expect(await kefu.hub.getConversation(c.id)).toMatchObject({ status: 'assigned', assignee_id: x, service_state: 1 });
    expect((await simState(c.ext)).service_state).toBe(1);
    const rr = await reply(c.id, '您好，我是小林', xToken);
    expect(rr.body.message?.status, JSON.stringify(rr.body)).toBe('sent');

    const h = await http('POST', `/api/conversations/${c.id}/wecom-servicer`, { servicer_userid: 'zhangsan' }, xToken);
    expect(h.status, JSON.stringify(h.body)).toBe(200);
    expect(await simState(c.ext)).toMatchObject({ service_state: 3, servicer_userid: 'zhangsan' });
    await settle();
    expect(await kefu.hub.getConversation(c.id)).toMatchObject({ status: 'assigned', assignee_id: null, service_state: 3 });
    expect(await loadOf(x)).toBe(0);
    expect((await decisions(c.id))[0]).toMatchObject({ outcome: 'transferred', agent_id: null, context: expect.objectContaining({ wecom_servicer: 'zhangsan', from_agent_id: x }) });
    // WeCom allows no way back to kefu's API from 3: kefu says so instead of failing later
    const back = await http('POST', `/api/conversations/${c.id}/transfer`, { to_agent_id: x });
    expect(back.status).toBe(409);
    expect(back.body.error.code).toBe('served_in_wecom');
    expect((await http('POST', `/api/conversations/${c.id}/take-over`, {})).body.error.code).toBe('served_in_wecom');

    // 3 → 3: another servicer, mapped to a kefu agent, who then has it
    expect((await http('POST', `/api/conversations/${c.id}/wecom-servicer`, { servicer_userid: 'lisi' })).status).toBe(200);
    expect(await simState(c.ext)).toMatchObject({ service_state: 3, servicer_userid: 'lisi' });
    await settle();
    expect(await kefu.hub.getConversation(c.id)).toMatchObject({ assignee_id: mapped });
    expect((await decisions(c.id))[0]!.reason).toBe('管理员 把会话转给企业微信客服人员 lisi（kefu 坐席 坐席w_lisi），由其在企业微信中接待。');
  });
});
