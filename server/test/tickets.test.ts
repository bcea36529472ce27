import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { loadConfig, type Config } from '../src/config.js';
import { startKefu, type Kefu } from '../src/app.js';
import { guessCategory } from '../src/tickets/index.js';
import { api, createTestDb, DEMO, eventually, freePort, login, setBotEnabled, startSimulator, type Json, type Proc, type TestDb } from './harness.js';

// Tickets end to end: kefu in-process with a movable clock (and no scheduler poller: the test
// ticks it), the WeCom simulator as a real process (customers, kf inbox, message/send), and a
// real SMTP server (smtp-server) whose inbox the test reads.
let db: TestDb;
let sim: Proc;
let kefu: Kefu;
let config: Config;
let token = '';
let presales = '';
const clock = new OffsetClock();
const sockets: Socket[] = [];
const inbox: ParsedMail[] = [];
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _s, cb) {
    simpleParser(stream).then((m) => (inbox.push(m), cb()), cb);
  },
});

/** Moves kefu's clock to an absolute instant (the clock only ever moves forward in a test). */
function setTime(iso: string) {
  const target = Date.parse(iso);
  clock.advance(target - clock.now().getTime());
}
const kefuApi = async (method: string, path: string, body?: unknown) => {
  const r = await api(kefu.url, method, path, body, token);
  if (r.status === 401) {
    token = await login(kefu.url, 'agent1'); // the clock moved past the token's lifetime
    return api(kefu.url, method, path, body, token);
  }
  return r;
};
const simApi = (method: string, path: string, body?: unknown) => api(sim.url, method, path, body);

async function customerSays(nickname: string, content: string): Promise<{ ext: string; conversation: Json }> {
  const ext = (await simApi('POST', '/sim/customers', { nickname })).body.external_userid as string;
  expect((await simApi('POST', '/sim/kf/messages', { open_kfid: presales, external_userid: ext, msgtype: 'text', text: { content } })).status).toBe(200);
  const conversation = await eventually(async () => {
    const items: Json[] = (await kefuApi('GET', '/api/conversations?status=all')).body.items;
    const c = items.find((x) => x.customer.display_name === nickname && x.status !== 'closed');
    if (!c) return undefined;
    const msgs: Json[] = (await kefuApi('GET', `/api/conversations/${c.id}/messages`)).body.items;
    return msgs.some((m) => m.content.text === content) ? c : undefined;
  }, `kefu stored: ${content}`);
  return { ext, conversation };
}

async function start(): Promise<Kefu> {
  return startKefu(config, { clock, logger: createLogger(process.env.KEFU_TEST_LOG_LEVEL ?? 'warn'), soothingTickMs: 0 });
}

beforeAll(async () => {
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  db = await createTestDb();
  const port = await freePort();
  sim = await startSimulator({ callbackUrl: `http://127.0.0.1:${port}/api/wecom/callback` });
  config = loadConfig({
    KEFU_PORT: String(port), KEFU_HOST: '127.0.0.1', KEFU_DATABASE_URL: db.url, KEFU_DATA_DIR: db.dataDir, KEFU_LOG_LEVEL: 'warn',
    WECOM_API_BASE: sim.url, WECOM_CORP_ID: DEMO.corpId, WECOM_TOKEN: DEMO.token, WECOM_ENCODING_AES_KEY: DEMO.aesKey, WECOM_KF_SECRET: DEMO.secret,
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    KEFU_SCHEDULER_POLL_MS: '0', KEFU_NOTIFY_RETRY_BASE_MS: '0', KEFU_PUBLIC_URL: 'http://kefu.test',
  });
  // an ordinary working Monday, 09:00 in Beijing
  setTime('2025-01-20T01:00:00Z');
  kefu = await start();
  await setBotEnabled(kefu.url, false);
  token = await login(kefu.url, 'agent1');
  const accounts: Json[] = (await simApi('GET', '/sim/kf/accounts')).body.accounts;
  presales = accounts.find((a) => a.name === '售前咨询')!.open_kfid;
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await kefu?.close();
  await sim?.stop();
  await db?.drop();
  await new Promise<void>((r) => smtp.close(r));
});

describe('ticket workflow and audit', () => {
  it('walks new → in progress → pending customer → in progress → resolved → closed → reopened, each step audited', async () => {
    const created = await kefuApi('POST', '/api/tickets', { title: '发票抬头开错了', description: '需要重开', category_id: 'finance', priority: 'normal', custom_fields: { invoice_title: '杭州美丽汇贸易有限公司', amount: 428 } });
    expect(created.status).toBe(201);
    const t = created.body;
    expect(t).toMatchObject({ status: 'new', priority: 'normal', category: { id: 'finance', name: '财务/发票' }, department: { id: 'dept_finance' }, custom_fields: { amount: 428 } });
    expect(t.number).toMatch(/^T20250120-\d{4}$/);
    expect(t.sla).toMatchObject({ policy: { id: 'sla_standard' }, state: 'ok' });
    for (const to of ['in_progress', 'pending_customer', 'in_progress', 'resolved', 'closed', 'in_progress']) {
      const r = await kefuApi('POST', `/api/tickets/${t.id}/transition`, { to, note: `→ ${to}` });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.status).toBe(to);
    }
    const detail = (await kefuApi('GET', `/api/tickets/${t.id}`)).body;
    const steps = detail.events.filter((e: Json) => e.action === 'status' || e.action === 'reopen').map((e: Json) => `${e.from_value}→${e.to_value}`);
    expect(steps).toEqual(['new→in_progress', 'in_progress→pending_customer', 'pending_customer→in_progress', 'in_progress→resolved', 'resolved→closed', 'closed→in_progress']);
    expect(detail.events.at(-1)).toMatchObject({ action: 'reopen', actor_type: 'user', note: '→ in_progress' });
    expect(detail.events[0]).toMatchObject({ action: 'created', to_value: t.number });
    expect(detail.events.every((e: Json) => e.actor_id && e.created_at)).toBe(true);
  });

  it('refuses a transition the workflow does not allow: 409 invalid_transition naming what is allowed', async () => {
    const t = (await kefuApi('POST', '/api/tickets', { title: '测试非法流转' })).body;
    const r = await kefuApi('POST', `/api/tickets/${t.id}/transition`, { to: 'resolved' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('invalid_transition');
    expect(r.body.error.message).toMatch(/新建.*已解决.*处理中/);
    expect(r.body.error.details).toMatchObject({ from: 'new', to: 'resolved', allowed: ['in_progress'] });
  });

  it('hands over across departments with a note, and records assignee and priority changes', async () => {
    const t = (await kefuApi('POST', '/api/tickets', { title: '仪器充不进电', category_id: 'after_sales' })).body;
    expect(t.department.id).toBe('dept_after_sales');
    const h = await kefuApi('POST', `/api/tickets/${t.id}/handover`, { department_id: 'dept_tech', note: '疑似固件问题，请技术支持部排查' });
    expect(h.status).toBe(200);
    expect(h.body.department).toMatchObject({ id: 'dept_tech', name: '技术支持部' });
    expect((await kefuApi('POST', `/api/tickets/${t.id}/handover`, { department_id: 'dept_tech', note: '再转一次' })).body.error.code).toBe('same_department');
    expect((await kefuApi('POST', `/api/tickets/${t.id}/handover`, { department_id: 'dept_tech', note: '' })).status).toBe(400);
    const p = await kefuApi('PATCH', `/api/tickets/${t.id}`, { priority: 'urgent' });
    expect(p.body.sla.policy.id).toBe('sla_urgent');
    const events: Json[] = (await kefuApi('GET', `/api/tickets/${t.id}`)).body.events;
    expect(events.find((e) => e.action === 'handover')).toMatchObject({ from_value: '售后部', to_value: '技术支持部', note: '疑似固件问题，请技术支持部排查' });
    expect(events.find((e) => e.action === 'priority')).toMatchObject({ from_value: 'normal', to_value: 'urgent' });
  });

  it('rejects bad input with clear errors', async () => {
    const bad = async (body: unknown) => (await kefuApi('POST', '/api/tickets', body)).body.error;
    expect(await bad({ title: '' })).toMatchObject({ code: 'validation_error' });
    expect((await bad({ title: '' })).message).toMatch(/标题不能为空/);
    expect(await bad({ title: 'x', priority: 'asap' })).toMatchObject({ code: 'validation_error' });
    expect(await bad({ title: 'x', category_id: 'nope' })).toMatchObject({ code: 'unknown_category' });
    expect((await bad({ title: 'x', category_id: 'nope' })).message).toMatch(/after_sales/);
    const cf = await bad({ title: 'x', category_id: 'finance', custom_fields: { amount: '很多', colour: 'red' } });
    expect(cf.code).toBe('invalid_custom_fields');
    expect(cf.message).toMatch(/amount: 金额（元）必须是数字/);
    expect(cf.message).toMatch(/colour: 该分类没有此字段/);
    expect(await bad({ title: 'x', customer_id: 'c-nobody' })).toMatchObject({ code: 'unknown_customer' });
    expect(await bad({ title: 'x', department_id: 'dept_x' })).toMatchObject({ code: 'unknown_department' });
    expect(await bad({ title: 'x', sneaky: true })).toMatchObject({ code: 'validation_error' });
    expect((await kefuApi('GET', '/api/tickets/t-nope')).status).toBe(404);
    expect((await kefuApi('POST', '/api/tickets/t-nope/transition', { to: 'flying' })).status).toBe(400);
    expect((await api(kefu.url, 'GET', '/api/tickets')).status).toBe(401);
  });
});

describe('tickets from conversations, the widget and the CRM context', () => {
  it('guesses the category from the bot hand-off intent, else from the words', () => {
    expect(guessCategory('invoice', '')).toBe('finance');
    expect(guessCategory('damaged_package', '')).toBe('after_sales');
    expect(guessCategory(null, '我要投诉你们')).toBe('complaint');
    expect(guessCategory(null, '美容仪开不了机')).toBe('technical');
    expect(guessCategory(null, '你好')).toBeNull();
  });

  it('from a conversation: prefilled, category guessed, purchase records attached (after-sales)', async () => {
    const { conversation } = await customerSays('破损客户', '收到的精华瓶子破损了，漏了一半');
    const r = await kefuApi('POST', `/api/conversations/${conversation.id}/tickets`, {});
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const t = r.body;
    expect(t).toMatchObject({ title: '收到的精华瓶子破损了，漏了一半', category: { id: 'after_sales' }, conversation_id: conversation.id, customer: { display_name: '破损客户' } });
    expect(t.description).toContain('客户：收到的精华瓶子破损了');
    expect(t.context.kind).toBe('purchases');
    expect(t.context.orders.length).toBeGreaterThan(0);
    expect(t.context.orders[0]).toMatchObject({ order_no: expect.stringMatching(/^YF\d+/), amount: expect.any(Number), logistics: { tracking_no: expect.any(String) } });
    // deterministic per customer: a second ticket shows the same purchases
    const again = (await kefuApi('POST', `/api/conversations/${conversation.id}/tickets`, { title: '补充' })).body;
    expect(again.context.orders).toEqual(t.context.orders);
  });

  it('finance attaches the contract number; technical support the device parameters and screenshots', async () => {
    const { ext, conversation } = await customerSays('仪器客户', '美容仪开不了机，截图发你');
    await simApi('POST', '/sim/kf/messages', { open_kfid: presales, external_userid: ext, msgtype: 'image' });
    await eventually(async () => {
      const msgs: Json[] = (await kefuApi('GET', `/api/conversations/${conversation.id}/messages`)).body.items;
      return msgs.some((m) => m.content.type === 'image' && m.content.media?.media_id);
    }, 'screenshot stored');
    const tech = (await kefuApi('POST', `/api/conversations/${conversation.id}/tickets`, {})).body;
    expect(tech.category.id).toBe('technical');
    expect(tech.context.devices[0]).toMatchObject({ model: expect.stringMatching(/^YF-/), sn: expect.any(String), params: expect.any(Object) });
    expect(tech.context.screenshots).toHaveLength(1);
    const fin = (await kefuApi('POST', `/api/conversations/${conversation.id}/tickets`, { category_id: 'finance', title: '开票' })).body;
    expect(fin.context.contract_no).toMatch(/^YF-HT-/);
  });

  it("widget leave-a-message creates a ticket for the visitor", async () => {
    const v = (await api(kefu.url, 'POST', '/api/widget/visitors', {})).body;
    const s = connect(`${kefu.url}/widget`, { auth: v, transports: ['websocket'] });
    sockets.push(s);
    await new Promise<void>((r) => s.on('connect', () => r()));
    const ack = async (payload: unknown): Promise<Json> => new Promise((r) => s.emit('leave_message', payload, r));
    expect(await ack({ text: '' })).toMatchObject({ ok: false, error: { code: 'validation_error' } });
    const r = await ack({ text: '下单后想开发票，晚上再联系我', contact: '13812345678' });
    expect(r).toMatchObject({ ok: true, ticket: { number: expect.stringMatching(/^T\d{8}-\d{4}$/) } });
    const list: Json[] = (await kefuApi('GET', `/api/tickets?q=${r.ticket.number}`)).body.items;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ category: { id: 'finance' }, status: 'new', customer: { display_name: expect.stringMatching(/^网站访客/) } });
    expect(list[0].description).toContain('13812345678');
    expect((await kefuApi('GET', `/api/tickets/${list[0].id}`)).body.events[0]).toMatchObject({ action: 'created', actor_type: 'customer' });
  });
});

describe('comments and the SLA clock', () => {
  it('a public comment reaches the customer in WeChat; an internal note does not; first response recorded', async () => {
    const { ext, conversation } = await customerSays('评论客户', '面膜少发了一盒');
    const t = (await kefuApi('POST', `/api/conversations/${conversation.id}/tickets`, {})).body;
    expect(t.first_response_at).toBeNull();
    const internal = await kefuApi('POST', `/api/tickets/${t.id}/comments`, { visibility: 'internal', body: '仓库核实中' });
    expect(internal.status).toBe(201);
    expect(internal.body.delivery_status).toBeNull();
    const pub = await kefuApi('POST', `/api/tickets/${t.id}/comments`, { visibility: 'public', body: '您好，已为您补发一盒面膜，单号稍后告知。' });
    expect(pub.status).toBe(201);
    expect(pub.body).toMatchObject({ visibility: 'public', delivery_status: 'sent', delivery_error: null });
    const got: Json[] = (await simApi('GET', `/sim/kf/inbox?external_userid=${ext}`)).body.messages;
    expect(got.map((m) => m.text?.content)).toContain('您好，已为您补发一盒面膜，单号稍后告知。');
    expect(got.map((m) => m.text?.content)).not.toContain('仓库核实中');
    const d = (await kefuApi('GET', `/api/tickets/${t.id}`)).body;
    expect(d.first_response_at).not.toBeNull();
    expect(d.sla.first_response.state).toBe('met');
    // the public reply is an agent message in the conversation: recorded once, by whichever hook saw it first
    expect(d.events.filter((e: Json) => e.action === 'first_response')).toHaveLength(1);
    expect(d.events.find((e: Json) => e.action === 'first_response').note).toMatch(/^(public_comment|agent_reply)$/);
  });

  it('a public comment with no open conversation records the failure on the comment', async () => {
    const { conversation } = await customerSays('已结束客户', '发票什么时候寄出');
    const t = (await kefuApi('POST', `/api/conversations/${conversation.id}/tickets`, {})).body;
    expect((await kefuApi('POST', `/api/conversations/${conversation.id}/close`)).status).toBeLessThan(300);
    const r = await kefuApi('POST', `/api/tickets/${t.id}/comments`, { visibility: 'public', body: '发票已寄出' });
    expect(r.status).toBe(201);
    expect(r.body.delivery_status).toBe('failed');
    expect(r.body.delivery_error).toMatch(/no_open_conversation/);
    expect((await kefuApi('GET', `/api/tickets/${t.id}`)).body.first_response_at).toBeNull();
  });

  it('pauses while pending the customer and resumes on their reply (business time)', async () => {
    setTime('2025-01-20T02:00:00Z'); // Mon 10:00
    const { ext, conversation } = await customerSays('暂停客户', '我的订单退款怎么还没到');
    const t = (await kefuApi('POST', `/api/conversations/${conversation.id}/tickets`, { category_id: 'after_sales' })).body;
    await kefuApi('POST', `/api/tickets/${t.id}/transition`, { to: 'in_progress' });
    setTime('2025-01-20T03:00:00Z'); // Mon 11:00: 60 business minutes used
    const paused = (await kefuApi('POST', `/api/tickets/${t.id}/transition`, { to: 'pending_customer', note: '请客户提供退款截图' })).body;
    expect(paused.sla.resolution.state).toBe('paused');
    expect(paused.sla.resolution.remainingMinutes).toBeCloseTo(1620 - 60, 0);
    setTime('2025-01-21T07:00:00Z'); // Tue 15:00: a day later, the clock did not run
    expect((await kefuApi('GET', `/api/tickets/${t.id}`)).body.sla.resolution).toMatchObject({ state: 'paused' });
    expect((await kefuApi('GET', `/api/tickets/${t.id}`)).body.sla.resolution.remainingMinutes).toBeCloseTo(1560, 0);
    // the customer replies in WeChat → in progress again
    await simApi('POST', '/sim/kf/messages', { open_kfid: presales, external_userid: ext, msgtype: 'text', text: { content: '截图在这里了' } });
    const resumed = await eventually(async () => {
      const d = (await kefuApi('GET', `/api/tickets/${t.id}`)).body;
      return d.status === 'in_progress' ? d : undefined;
    }, 'ticket resumed');
    expect(resumed.events.at(-1)).toMatchObject({ action: 'status', actor_type: 'customer', from_value: 'pending_customer', to_value: 'in_progress' });
    // 1560 business minutes from Tue 15:00 (09:00–18:00): Tue 180 + Wed 540 + Thu 540 + Fri 300 → Fri 2025-01-24 14:00
    const due = Date.parse(resumed.sla.resolution.due_at);
    expect(Math.abs(due - Date.parse('2025-01-24T06:00:00Z'))).toBeLessThan(60_000);
    expect(resumed.sla.resolution.state).toBe('ok');
  });
});

describe('escalation ladder across the Spring Festival, with a restart in between', () => {
  // earlier tests' tickets were never answered and escalate too: everything is filtered by ticket number
  let no = '';
  const wecomTo = async (user: string): Promise<Json[]> =>
    ((await simApi('GET', `/sim/app-messages?touser=${user}`)).body.messages as Json[]).filter((m) => String(m.content.content).includes(no));
  const mailTo = (addr: string) => inbox.filter((m) => (m.subject ?? '').includes(no) && (Array.isArray(m.to) ? m.to : [m.to]).some((t) => t?.text.includes(addr)));
  const smsOutbox = (): Json[] => {
    const f = join(db.dataDir, 'sms-outbox.jsonl');
    return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e: Json) => e.text.includes(no)) : [];
  };
  const escalations = (msgs: Json[]) => msgs.filter((m) => String(m.content.content).includes('SLA超时升级'));

  it('2 h → red flag + WeCom and e-mail to the department head; 8 h → next manager, WeCom, e-mail and SMS', async () => {
    // Monday 2025-01-27 17:00 in Beijing; 28 Jan – 4 Feb is the Spring Festival holiday
    setTime('2025-01-27T09:00:00Z');
    const t = (await kefuApi('POST', '/api/tickets', { title: '客户投诉精华过敏', category_id: 'after_sales', priority: 'high' })).body;
    expect(t.sla.policy.id).toBe('sla_standard');
    no = t.number;
    // 2 business hours: Mon 17:00–18:00, then nothing until Wed 5 Feb 09:00 → 10:00
    expect(Math.abs(Date.parse(t.sla.first_response.due_at) - Date.parse('2025-02-05T02:00:00Z'))).toBeLessThan(60_000);
    const lead = DEMO_HEAD, boss = DEMO_NEXT;

    setTime('2025-01-31T02:00:00Z'); // 初三, a holiday: nothing
    await kefu.scheduler.tick();
    expect(await wecomTo(lead.wecom)).toHaveLength(0);

    setTime('2025-02-05T01:31:00Z'); // 09:31: the warning 30 min before the first-response target
    await kefu.scheduler.tick();
    const warn = await wecomTo(lead.wecom);
    expect(warn).toHaveLength(1);
    expect(warn[0].content.content).toMatch(/SLA预警.*首次响应将于 2025-02-05 10:00 到期/s);

    setTime('2025-02-05T01:59:00Z'); // 09:59: not yet
    await kefu.scheduler.tick();
    expect(escalations(await wecomTo(lead.wecom))).toHaveLength(0);
    expect(mailTo(lead.email)).toHaveLength(0);

    setTime('2025-02-05T02:00:05Z'); // 10:00: level 1
    await kefu.scheduler.tick();
    const l1 = escalations(await wecomTo(lead.wecom));
    expect(l1).toHaveLength(1);
    expect(l1[0]).toMatchObject({ agentid: 1000002, msgtype: 'text' });
    expect(l1[0].content.content).toContain(t.number);
    await eventually(async () => mailTo(lead.email).length === 1, 'e-mail to the department head');
    expect(mailTo(lead.email)[0]!.subject).toBe(`【SLA超时升级】工单 ${t.number} 已超时，已升级给您`);
    expect(mailTo(lead.email)[0]!.text).toContain('客户投诉精华过敏');
    let d = (await kefuApi('GET', `/api/tickets/${t.id}`)).body;
    expect(d).toMatchObject({ flagged_red: true, escalation_level: 1, sla: { state: 'breached' } });
    expect(smsOutbox()).toHaveLength(0);

    // kefu restarts between the two levels (same database, same clock)
    await kefu.close();
    kefu = await start();
    token = await login(kefu.url, 'agent1');

    setTime('2025-02-05T07:59:00Z'); // 15:59: not yet
    await kefu.scheduler.tick();
    expect(escalations(await wecomTo(boss.wecom))).toHaveLength(0);

    setTime('2025-02-05T08:00:05Z'); // 16:00 = 8 business hours: level 2
    await kefu.scheduler.tick();
    const l2 = escalations(await wecomTo(boss.wecom));
    expect(l2).toHaveLength(1);
    expect(l2[0].content.content).toMatch(/第 2 级/);
    await eventually(async () => mailTo(boss.email).length === 1, 'e-mail to the next manager');
    const sms = smsOutbox();
    expect(sms).toHaveLength(1);
    expect(sms[0]).toMatchObject({ phone: '139****9002', template: 'escalation_sms' });
    expect(sms[0].text).toBe(`【客服系统】工单${t.number}已超时8 小时，已升级至您，请尽快处理。`);
    expect(Date.parse(sms[0].at)).toBeGreaterThanOrEqual(Date.parse('2025-02-05T08:00:00Z'));

    d = (await kefuApi('GET', `/api/tickets/${t.id}`)).body;
    expect(d.escalation_level).toBe(2);
    expect(d.assignee.display_name).toBe('系统管理员');
    const actions = d.events.map((e: Json) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['sla_warning', 'escalation', 'flag_red', 'escalate', 'notify']));
    const notified = d.events.filter((e: Json) => e.action === 'notify').map((e: Json) => e.to_value).sort();
    expect(notified).toEqual(['email:sent', 'email:sent', 'sms:sent', 'wecom:sent', 'wecom:sent', 'wecom:sent']);
    // nothing fires twice
    setTime('2025-02-06T08:00:00Z');
    await kefu.scheduler.tick();
    expect(escalations(await wecomTo(boss.wecom))).toHaveLength(1);
    expect(smsOutbox()).toHaveLength(1);
  });

  it('an answered ticket does not escalate', async () => {
    setTime('2025-02-10T01:00:00Z'); // Mon 09:00
    const { conversation } = await customerSays('及时客户', '赠品没收到');
    const t = (await kefuApi('POST', `/api/conversations/${conversation.id}/tickets`, {})).body;
    no = t.number;
    await kefuApi('POST', `/api/conversations/${conversation.id}/messages`, { content: { type: 'text', text: '马上为您核实' }, client_msg_id: 'reply-1' });
    await eventually(async () => (await kefuApi('GET', `/api/tickets/${t.id}`)).body.first_response_at, 'first response from the agent reply');
    const before = (await wecomTo(DEMO_HEAD.wecom)).length;
    setTime('2025-02-11T01:00:00Z');
    await kefu.scheduler.tick();
    expect((await wecomTo(DEMO_HEAD.wecom)).length).toBe(before);
    expect((await kefuApi('GET', `/api/tickets/${t.id}`)).body).toMatchObject({ escalation_level: 0, flagged_red: false });
  });
});

const DEMO_HEAD = { wecom: 'wangzhuguan', email: 'wang.zhuguan@yuefu-demo.cn' };
const DEMO_NEXT = { wecom: 'zhaozongjian', email: 'zhao.zongjian@yuefu-demo.cn' };
