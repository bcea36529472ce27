import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { loadConfig } from '../src/config.js';
import { startKefu, type Kefu } from '../src/app.js';
import { DEMO_LINKS } from '../src/automation/index.js';
import { api, createTestDb, DEMO, eventually, freePort, login, setBotEnabled, startSimulator, type Json, type Proc, type TestDb } from './harness.js';

// Automation rules and journeys end to end: kefu in-process with a movable clock and no
// scheduler poller (the test ticks it), the WeCom simulator as a real process, the demo's
// built-in journeys seeded. Time only moves forward, so the tests run in calendar order.
let db: TestDb;
let sim: Proc;
let kefu: Kefu;
let token = '';
let presales = '';
const clock = new OffsetClock();
let hookCalls = 0;
/** every webhook request: path and body */
const hookHits: { url: string; body: Json }[] = [];
let hook: Server;

/** Moves kefu's clock, and the simulator's by as much (WeCom stamps messages with its own time). */
async function setTime(iso: string) {
  const delta = Date.parse(iso) - clock.now().getTime();
  clock.advance(delta);
  if (sim) await simApi('POST', '/sim/clock', { advance_seconds: Math.round(delta / 1000) });
}
async function advance(ms: number) {
  await setTime(new Date(clock.now().getTime() + ms).toISOString());
}
const kefuApi = async (method: string, path: string, body?: unknown) => {
  let r = await api(kefu.url, method, path, body, token);
  if (r.status === 401) {
    token = await login(kefu.url, 'admin');
    r = await api(kefu.url, method, path, body, token);
  }
  return r;
};
const simApi = (method: string, path: string, body?: unknown) => api(sim.url, method, path, body);
const tick = async () => {
  await kefu.automation.idle();
  return kefu.scheduler.tick();
};

type Cust = { ext: string; nickname: string; id: string; conversation: Json };
async function customerSays(nickname: string, content: string, ext?: string, menu_id?: string): Promise<Cust> {
  ext ??= (await simApi('POST', '/sim/customers', { nickname })).body.external_userid as string;
  expect((await simApi('POST', '/sim/kf/messages', { open_kfid: presales, external_userid: ext, msgtype: 'text', text: { content, ...(menu_id ? { menu_id } : {}) } })).status).toBe(200);
  const conversation = await eventually(async () => {
    const items: Json[] = (await kefuApi('GET', '/api/conversations?status=all')).body.items;
    for (const c of items.filter((x) => x.customer.display_name === nickname)) {
      const msgs: Json[] = (await kefuApi('GET', `/api/conversations/${c.id}/messages`)).body.items;
      if (msgs.some((m) => m.direction === 'in' && m.content.text === content)) return c;
    }
    return undefined;
  }, `kefu stored: ${content}`);
  return { ext, nickname, id: conversation.customer.id, conversation };
}
const inbox = async (ext: string): Promise<Json[]> => (await simApi('GET', `/sim/kf/inbox?external_userid=${ext}`)).body.messages.filter((m: Json) => m.via === 'send_msg');
const runsOf = async (ruleName: string): Promise<Json[]> => ((await kefuApi('GET', '/api/automation/runs?limit=500')).body.items as Json[]).filter((r) => r.rule_name === ruleName);
const smsOutbox = (): Json[] => {
  const f = join(db.dataDir, 'sms-outbox.jsonl');
  return existsSync(f) ? readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
};

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hookCalls++;
      hookHits.push({ url: req.url ?? '', body: body ? JSON.parse(body) : {} });
      res.statusCode = req.url === '/flaky' && hookCalls <= 2 ? 500 : req.url === '/down' ? 503 : 200;
      res.end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  db = await createTestDb();
  const port = await freePort();
  sim = await startSimulator({ callbackUrl: `http://127.0.0.1:${port}/api/wecom/callback` });
  const config = loadConfig({
    KEFU_PORT: String(port), KEFU_HOST: '127.0.0.1', KEFU_DATABASE_URL: db.url, KEFU_DATA_DIR: db.dataDir, KEFU_LOG_LEVEL: 'warn',
    WECOM_API_BASE: sim.url, WECOM_CORP_ID: DEMO.corpId, WECOM_TOKEN: DEMO.token, WECOM_ENCODING_AES_KEY: DEMO.aesKey, WECOM_KF_SECRET: DEMO.secret,
    KEFU_SCHEDULER_POLL_MS: '0', KEFU_NOTIFY_RETRY_BASE_MS: '0', KEFU_PUBLIC_URL: 'http://kefu.test',
  });
  // Sunday 14 March 2027, 12:00 in Beijing (ahead of the real time: the clocks only move forward)
  await setTime('2027-03-14T04:00:00Z');
  kefu = await startKefu(config, { clock, logger: createLogger(process.env.KEFU_TEST_LOG_LEVEL ?? 'warn'), soothingTickMs: 0 });
  await setBotEnabled(kefu.url, false);
  token = await login(kefu.url, 'admin');
  const accounts: Json[] = (await simApi('GET', '/sim/kf/accounts')).body.accounts;
  presales = accounts.find((a) => a.name === '售前咨询')!.open_kfid;
  await tick();
}, 60_000);
afterAll(async () => {
  await kefu?.close();
  await sim?.stop();
  await db?.drop();
  hook?.close();
});

describe('rules', () => {
  it('the built-in journeys are seeded and on', async () => {
    const rules: Json[] = (await kefuApi('GET', '/api/automation/rules')).body.items;
    expect(rules.filter((r) => r.builtin).map((r) => [r.builtin, r.enabled])).toEqual([
      ['birthday_greeting', true], ['renewal_reminder', true], ['survey_on_thanks', true], ['survey_on_close', true], ['five_star_group', true], ['low_score_recovery', true],
    ]);
  });

  it('rejects bad definitions with a clear 400 and the path of each problem', async () => {
    const bad = await kefuApi('POST', '/api/automation/rules', {
      name: '坏规则', trigger: { type: 'cron', cron: '61 * * * *', timezone: 'Mars/Olympus' }, conditions: { score: { min: 5, max: 1 } },
      actions: [{ type: 'send_message', content: { type: 'text', text: '' } }, { type: 'launch_rocket' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_rule');
    const paths = (bad.body.error.details as Json[]).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['/trigger/cron', '/trigger/timezone', '/actions/0/content/text', '/actions/1/type']));
    expect(bad.body.error.message).toMatch(/\/trigger\/cron: invalid cron expression/);
    const noActions = await kefuApi('POST', '/api/automation/rules', { name: 'x', trigger: { type: 'event', event: 'message.received' }, actions: [] });
    expect(noActions.status).toBe(400);
    expect(noActions.body.error.details).toEqual([{ path: '/actions', message: 'a rule needs at least one action' }]);
    const wrongEvent = await kefuApi('POST', '/api/automation/rules', { name: 'x', trigger: { type: 'event', event: 'ticket.created' }, conditions: { text_matches: '(' }, actions: [{ type: 'tag', add: ['a'] }] });
    expect(wrongEvent.status).toBe(400);
    expect(new Set(wrongEvent.body.error.details.map((d: Json) => d.path))).toEqual(new Set(['/conditions/text_matches']));
    expect(wrongEvent.body.error.message).toMatch(/invalid regular expression.*only applies to the message.received event|only applies.*invalid regular/);
    const ok = await kefuApi('POST', '/api/automation/rules', { name: '每周一报表', trigger: { type: 'cron', cron: '0 9 * * 1' }, actions: [{ type: 'notify', to: { username: 'lead' }, summary: '周报' }] });
    expect(ok.status).toBe(201);
    expect(ok.body.trigger.timezone).toBe('Asia/Shanghai');
    expect((await kefuApi('DELETE', `/api/automation/rules/${ok.body.id}`)).status).toBe(204);
  });
});

describe('satisfaction survey', () => {
  let happy: Cust;
  let unhappy: Cust;

  it('"谢谢" gets the survey as a WeChat menu with 1★…5★', async () => {
    happy = await customerSays('满意客户', '谢谢！');
    await tick();
    const menu = (await inbox(happy.ext)).at(-1)!;
    expect(menu.msgtype).toBe('msgmenu');
    expect(menu.msgmenu.head_content).toMatch(/打分/);
    expect(menu.msgmenu.list.map((i: Json) => i.click.id)).toEqual(['survey:1', 'survey:2', 'survey:3', 'survey:4', 'survey:5']);
    // a plain question is no closing phrase
    const asker = await customerSays('提问客户', '谢谢，请问这个怎么用？');
    await tick();
    expect(await inbox(asker.ext)).toHaveLength(0);
  });

  it('5★ → invitation to the community group (and a tag)', async () => {
    await customerSays('满意客户', '5★ 非常满意', happy.ext, 'survey:5');
    await tick();
    const invite = (await inbox(happy.ext)).at(-1)!;
    expect(invite.msgtype).toBe('link');
    expect(invite.link.url).toBe(DEMO_LINKS.group);
    expect((await kefuApi('GET', `/api/automation/customers/${happy.id}/attributes`)).body.tags).toEqual(['好评客户']);
    const [run] = await runsOf('五星好评邀请入群');
    expect(run).toMatchObject({ trigger: 'survey.rated', outcome: 'succeeded', context: { score: 5 } });
  });

  it('1★ → a service-recovery ticket to the team lead', async () => {
    unhappy = await customerSays('不满客户', '好的');
    await tick();
    expect((await inbox(unhappy.ext)).at(-1)!.msgtype).toBe('msgmenu');
    await customerSays('不满客户', '1★ 非常不满意', unhappy.ext, 'survey:1');
    await tick();
    const tickets: Json[] = (await kefuApi('GET', `/api/tickets?status=all&customer_id=${unhappy.id}`)).body.items;
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ title: '服务补救：不满客户 评分 1★', priority: 'high', category: { id: 'complaint' }, assignee: { display_name: expect.any(String) } });
    const lead = (await kefuApi('GET', '/api/auth/me')).status; // token still valid
    expect(lead).toBeLessThan(500);
    const [run] = await runsOf('低分服务补救');
    expect(run.outcome).toBe('succeeded');
    expect(run.actions[0]).toMatchObject({ type: 'create_ticket', status: 'succeeded', result: { ticket_id: tickets[0]!.id } });
    expect(await runsOf('五星好评邀请入群')).toHaveLength(1);
  });

  it('a conversation ended by the agent gets the survey once, through WeCom\'s session-end code (send_msg_on_event)', async () => {
    const c = await customerSays('结束客户', '我想问下发货时间');
    expect((await kefuApi('POST', `/api/conversations/${c.conversation.id}/messages`, { content: { type: 'text', text: '今天下午发货哦' }, client_msg_id: 'end-1' })).status).toBe(201);
    expect((await kefuApi('POST', `/api/conversations/${c.conversation.id}/close`)).status).toBe(200);
    await tick();
    const runs = (await runsOf('满意度调查（会话结束）')).filter((r) => r.conversation_id === c.conversation.id);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.actions[0]).toMatchObject({ type: 'send_survey', status: 'succeeded' });
    const all: Json[] = (await simApi('GET', `/sim/kf/inbox?external_userid=${c.ext}`)).body.messages;
    const menus = all.filter((m) => m.msgtype === 'msgmenu');
    expect(menus).toHaveLength(1);
    expect(menus[0]!.via).toBe('send_msg_on_event');
    // a conversation already surveyed (谢谢) is not surveyed again when it closes
    const thanked = await customerSays('致谢后结束客户', '好的');
    await tick();
    await kefuApi('POST', `/api/conversations/${thanked.conversation.id}/messages`, { content: { type: 'text', text: '不客气～' }, client_msg_id: 'end-2' });
    expect((await kefuApi('POST', `/api/conversations/${thanked.conversation.id}/close`)).status).toBe(200);
    await tick();
    const again = (await runsOf('满意度调查（会话结束）')).filter((r) => r.conversation_id === thanked.conversation.id);
    expect(again[0]!.actions[0]).toMatchObject({ status: 'skipped', result: { skipped: 'survey already sent for this conversation' } });
  });

  it('a conversation no human served (e.g. closed after leave-a-message) is not asked to rate a service it never got', async () => {
    const c = await customerSays('无人接待客户', '有人吗');
    expect((await kefuApi('POST', `/api/conversations/${c.conversation.id}/close`)).status).toBe(200);
    await tick();
    expect((await runsOf('满意度调查（会话结束）')).filter((r) => r.conversation_id === c.conversation.id)).toEqual([]);
    expect((await simApi('GET', `/sim/kf/inbox?external_userid=${c.ext}`)).body.messages.filter((m: Json) => m.msgtype === 'msgmenu')).toEqual([]);
  });
});

describe('the assign action', () => {
  it('hands a matching conversation to a team through routing, recorded as a routing decision', async () => {
    const r = await kefuApi('POST', '/api/automation/rules', {
      name: '英文咨询转售前', trigger: { type: 'event', event: 'message.received' }, conditions: { text_matches: '[Ee]nglish' },
      actions: [{ type: 'assign', to_team: '售前', note: '英文客户' }],
    });
    expect(r.status).toBe(201);
    const bad = await kefuApi('POST', '/api/automation/rules', { name: '坏分配', trigger: { type: 'event', event: 'message.received' }, actions: [{ type: 'assign', to_team: '售前', to_username: 'agent1' }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toMatch(/exactly one of to_username or to_team/);

    const c = await customerSays('英文客户', 'Hi, do you speak English?');
    await tick();
    const [run] = await runsOf('英文咨询转售前');
    expect(run).toMatchObject({ outcome: 'succeeded', actions: [{ type: 'assign', status: 'succeeded' }] });
    await eventually(async () => {
      const decisions: Json[] = (await kefuApi('GET', `/api/conversations/${c.conversation.id}/routing`)).body.history;
      return decisions.some((d) => d.outcome === 'transferred' && /售前/.test(d.reason));
    }, 'transfer decision to 售前');
  });
});

describe('a failing action', () => {
  it('is retried on the scheduler and logged until it succeeds', async () => {
    const base = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    for (const [name, path, text] of [['通知CRM', '/flaky', '^同步CRM$'], ['通知宕机系统', '/down', '^同步宕机$']] as const) {
      const r = await kefuApi('POST', '/api/automation/rules', { name, trigger: { type: 'event', event: 'message.received' }, conditions: { text_matches: text }, actions: [{ type: 'webhook', url: base + path }] });
      expect(r.status).toBe(201);
    }
    await customerSays('同步客户', '同步CRM');
    await tick();
    let [run] = await runsOf('通知CRM');
    expect(run).toMatchObject({ outcome: 'running', actions: [{ type: 'webhook', status: 'retrying', attempts: 1, error: expect.stringMatching(/HTTP 500/) }] });
    await advance(30_000);
    await tick();
    [run] = await runsOf('通知CRM');
    expect(run!.actions[0]).toMatchObject({ status: 'retrying', attempts: 2 });
    await advance(60_000);
    await tick();
    [run] = await runsOf('通知CRM');
    expect(run).toMatchObject({ outcome: 'succeeded', error: null, actions: [{ status: 'succeeded', attempts: 3, error: null, result: { status: 200 } }] });
  });

  it('that never succeeds ends failed with its error, not dropped', async () => {
    await customerSays('同步客户2', '同步宕机');
    for (let i = 0; i < 6; i++) {
      await tick();
      await advance(5 * 60_000);
    }
    const [run] = await runsOf('通知宕机系统');
    expect(run).toMatchObject({ outcome: 'failed', actions: [{ status: 'failed', attempts: 5, error: expect.stringMatching(/HTTP 503/) }] });
    expect(run!.error).toMatch(/webhook: .*HTTP 503/);
    const failed: Json[] = (await kefuApi('GET', '/api/automation/runs?outcome=failed')).body.items;
    expect(failed.map((r) => r.rule_name)).toContain('通知宕机系统');
  });
});

describe('date journeys', () => {
  let bday: Cust;
  let renewSms: Cust;
  let renewOwner: Cust;

  it('birthday greeting at 00:00 in the customer\'s time zone, with the gift link', async () => {
    bday = await customerSays('寿星客户', '你好，我想问问会员积分');
    renewSms = await customerSays('续费短信客户', '在吗');
    renewOwner = await customerSays('续费专属客户', '在吗');
    const patch = await kefuApi('PATCH', `/api/automation/customers/${bday.id}/attributes`, { birthday: '1990-03-15', timezone: 'Asia/Shanghai' });
    expect(patch.status).toBe(200);
    await tick();
    await setTime('2027-03-14T15:59:00Z'); // 23:59 in Beijing
    await tick();
    expect((await inbox(bday.ext)).filter((m) => m.msgtype === 'link')).toHaveLength(0);
    await setTime('2027-03-14T16:00:00Z'); // 00:00 on the 15th
    await tick();
    const greeting = (await inbox(bday.ext)).at(-1)!;
    expect(greeting.msgtype).toBe('link');
    expect(greeting.link.title).toBe('寿星客户，生日快乐！🎂');
    expect(greeting.link.url).toBe(DEMO_LINKS.gift);
    const [run] = await runsOf('生日祝福');
    expect(run).toMatchObject({ outcome: 'succeeded', context: { occurrence: '2027-03-15' }, actions: [{ result: { via: 'wecom_kf' } }] });
    expect(Date.parse(run!.created_at) - Date.parse('2027-03-14T16:00:00Z')).toBeLessThan(1000);
  });

  it('renewal reminder 30 days before expiry; a closed WeChat window falls back to SMS or an owner task, and says so', async () => {
    // expiry 18 April → reminder 19 March 10:00 Beijing; the customers last wrote on 14 March (window closed)
    expect((await kefuApi('PATCH', `/api/automation/customers/${renewSms.id}/attributes`, { membership_expiry: '2027-04-18', phone: '13812345678' })).status).toBe(200);
    expect((await kefuApi('PATCH', `/api/automation/customers/${renewOwner.id}/attributes`, { membership_expiry: '2027-04-18', owner_userid: 'zhangsan' })).status).toBe(200);
    await setTime('2027-03-19T01:59:00Z');
    await tick();
    expect(await runsOf('会员续费提醒')).toHaveLength(0);
    const before = (await inbox(renewSms.ext)).length;
    await setTime('2027-03-19T02:00:00Z');
    await tick();
    const runs = await runsOf('会员续费提醒');
    expect(runs).toHaveLength(2);
    const bySms = runs.find((r) => r.customer_id === renewSms.id)!;
    expect(bySms).toMatchObject({ outcome: 'succeeded', context: { occurrence: '2027-03-19' } });
    expect(bySms.actions[0].result).toMatchObject({ via: 'sms', fallback: true, because: { code: 'window_closed', reason: expect.stringMatching(/48 小时/) } });
    const sms = smsOutbox().filter((m) => /RENEW30/.test(m.text)); // (the lead also gets the recovery ticket's SLA escalation SMS)
    expect(sms).toHaveLength(1);
    // customer-facing: the brand's signature and opt-out, not the internal 【客服系统】 alert wording
    expect(sms[0]).toMatchObject({ phone: '138****5678', template: 'customer_sms' });
    expect(sms[0].text).toMatch(/^【悦肤美妆】续费短信客户您好.*RENEW30.*拒收请回复R$/);
    expect(sms[0].text).not.toMatch(/客服系统/);
    expect(bySms.actions[0].result.template).toBe('customer_sms');
    expect(await inbox(renewSms.ext)).toHaveLength(before);
    const byOwner = runs.find((r) => r.customer_id === renewOwner.id)!;
    expect(byOwner.actions[0].result).toMatchObject({ via: 'owner_task', fallback: true, owner_userid: 'zhangsan', because: { code: 'window_closed' } });
    const tasks: Json[] = (await kefuApi('GET', `/api/automation/tasks?customer_id=${renewOwner.id}`)).body.items;
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ owner_userid: 'zhangsan', status: 'open', text: expect.stringMatching(/RENEW30/) });
    // the failed WeChat attempt stays in the conversation history with its reason
    const msgs: Json[] = (await kefuApi('GET', `/api/conversations/${renewSms.conversation.id}/messages`)).body.items;
    expect(msgs.at(-1)).toMatchObject({ status: 'failed', fail_code: 'window_closed' });
    // once only
    await advance(3_600_000);
    await tick();
    expect(await runsOf('会员续费提醒')).toHaveLength(2);
  });
});

describe('ticket triggers', () => {
  const hookUrl = (path: string) => `http://127.0.0.1:${(hook.address() as AddressInfo).port}${path}`;

  it('ticket.created: a rule on urgent tickets runs once per new ticket, logged, and tags the customer', async () => {
    const rule = await kefuApi('POST', '/api/automation/rules', {
      name: '紧急工单打标签', trigger: { type: 'event', event: 'ticket.created' }, conditions: { ticket_priorities: ['urgent'] },
      actions: [{ type: 'tag', add: ['紧急工单客户'] }],
    });
    expect(rule.status).toBe(201);
    const c = await customerSays('工单客户', '仪器坏了，很着急');
    const urgent = await kefuApi('POST', '/api/tickets', { title: '仪器无法开机', priority: 'urgent', customer_id: c.id });
    expect(urgent.status).toBe(201);
    expect((await kefuApi('POST', '/api/tickets', { title: '普通咨询', priority: 'normal', customer_id: c.id })).status).toBe(201);
    await tick();
    // a later change of the ticket is no new "created"
    expect((await kefuApi('PATCH', `/api/tickets/${urgent.body.id}`, { priority: 'high' })).status).toBeLessThan(300);
    await tick();
    const runs = await runsOf('紧急工单打标签');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'ticket.created', outcome: 'succeeded', customer_id: c.id, context: { ticket_id: urgent.body.id, ticket_priority: 'urgent' }, actions: [{ type: 'tag', status: 'succeeded' }] });
    expect((await kefuApi('GET', `/api/automation/customers/${c.id}/attributes`)).body.tags).toContain('紧急工单客户');
  });

  it('sla.warning: fires when the ticket\'s SLA timer warns, before the breach, and calls the webhook once', async () => {
    expect((await kefuApi('POST', '/api/automation/rules', {
      name: 'SLA预警推送', trigger: { type: 'event', event: 'sla.warning' }, actions: [{ type: 'webhook', url: hookUrl('/sla-warning') }],
    })).status).toBe(201);
    // urgent: 7×24, first response within 30 min, warning 10 min before
    const t = (await kefuApi('POST', '/api/tickets', { title: '订单被重复扣款', priority: 'urgent' })).body;
    await tick();
    await advance(19 * 60_000);
    await tick();
    expect(hookHits.filter((h) => h.url === '/sla-warning')).toHaveLength(0);
    await advance(60_000 + 1000); // 20 min: the warning timer
    await tick();
    await tick(); // the rule's run, then its action
    const hits = hookHits.filter((h) => h.url === '/sla-warning');
    expect(hits).toHaveLength(1);
    expect(hits[0]!.body.context).toMatchObject({ ticket_id: t.id, ticket_priority: 'urgent' });
    const [run] = await runsOf('SLA预警推送');
    expect(run).toMatchObject({ trigger: 'sla.warning', outcome: 'succeeded', actions: [{ type: 'webhook', status: 'succeeded', attempts: 1, result: { status: 200 } }] });
    const detail = (await kefuApi('GET', `/api/tickets/${t.id}`)).body;
    expect(detail.sla.state).toBe('warning');
    // later changes while still in warning are the same warning
    await advance(60_000);
    await tick();
    expect(hookHits.filter((h) => h.url === '/sla-warning')).toHaveLength(1);
  });
});

describe('schedule triggers', () => {
  const hookUrl = (path: string) => `http://127.0.0.1:${(hook.address() as AddressInfo).port}${path}`;

  it('cron: "30 12 * * *" in Beijing runs at 12:30 each day, once, each run logged', async () => {
    const now = clock.now();
    const rule = await kefuApi('POST', '/api/automation/rules', {
      name: '每日午间同步', trigger: { type: 'cron', cron: '30 12 * * *', timezone: 'Asia/Shanghai' }, actions: [{ type: 'webhook', url: hookUrl('/cron') }],
    });
    expect(rule.status).toBe(201);
    // the next 12:30 in Beijing (04:30 UTC) after now
    const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), 4, 30) + (now.getUTCHours() * 60 + now.getUTCMinutes() >= 270 ? 86_400_000 : 0));
    await setTime(new Date(next.getTime() - 60_000).toISOString());
    await tick();
    expect(hookHits.filter((h) => h.url === '/cron')).toHaveLength(0);
    await setTime(next.toISOString());
    await tick();
    await tick();
    expect(hookHits.filter((h) => h.url === '/cron')).toHaveLength(1);
    await advance(3_600_000);
    await tick();
    expect(hookHits.filter((h) => h.url === '/cron')).toHaveLength(1);
    await setTime(new Date(next.getTime() + 86_400_000).toISOString());
    await tick();
    await tick();
    const hits = hookHits.filter((h) => h.url === '/cron');
    expect(hits).toHaveLength(2);
    expect(new Set(hits.map((h) => h.body.run_id)).size).toBe(2);
    const runs = await runsOf('每日午间同步');
    expect(runs.map((r) => [r.trigger, r.outcome])).toEqual([['cron', 'succeeded'], ['cron', 'succeeded']]);
    expect(runs.map((r) => Date.parse(r.created_at) - next.getTime()).sort((a, b) => a - b)).toEqual([expect.closeTo(0, -3), expect.closeTo(86_400_000, -3)]);
    expect((await kefuApi('DELETE', `/api/automation/rules/${rule.body.id}`)).status).toBe(204);
  });

  it('date field relative: 3 days after membership expiry at 08:00 in the customer\'s zone, once', async () => {
    const c = await customerSays('过期会员', '我的会员还能用吗');
    const now = clock.now();
    const expiry = new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10); // tomorrow (UTC date)
    expect((await kefuApi('POST', '/api/automation/rules', {
      name: '会员过期挽回', trigger: { type: 'date_field', field: 'membership_expiry', offset_days: 3, at: '08:00' }, actions: [{ type: 'tag', add: ['过期待挽回'] }],
    })).status).toBe(201);
    expect((await kefuApi('PATCH', `/api/automation/customers/${c.id}/attributes`, { membership_expiry: expiry, timezone: 'Asia/Tokyo' })).status).toBe(200);
    await tick();
    // expiry + 3 days, 08:00 in Tokyo = 23:00 UTC the day before
    const due = Date.parse(`${expiry}T08:00:00+09:00`) + 3 * 86_400_000;
    for (const t of [due - 2 * 3_600_000, due - 60_000]) {
      await setTime(new Date(t).toISOString());
      await tick();
    }
    expect(await runsOf('会员过期挽回')).toHaveLength(0);
    await setTime(new Date(due).toISOString());
    await tick();
    await tick();
    const runs = await runsOf('会员过期挽回');
    expect(runs).toHaveLength(1);
    const occurrence = new Date(due + 9 * 3_600_000).toISOString().slice(0, 10);
    expect(runs[0]).toMatchObject({ trigger: 'date_field:membership_expiry', outcome: 'succeeded', customer_id: c.id, context: { occurrence } });
    expect(Date.parse(runs[0]!.created_at) - due).toBeLessThan(1000);
    expect((await kefuApi('GET', `/api/automation/customers/${c.id}/attributes`)).body.tags).toContain('过期待挽回');
    await advance(2 * 86_400_000);
    await tick();
    expect(await runsOf('会员过期挽回')).toHaveLength(1);
  });
});
