import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKefu, type Kefu } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/core/logger.js';
import { PRIORITY } from '../src/core/message.js';
import { api, createTestDb, freePort, setBotEnabled, login, type Json, type TestDb } from './harness.js';

/**
 * Routing on the real database (both kinds), in-process: the table of routing cases with the
 * stored explanation, the capacity race (200 conversations at once, 10 agents of capacity 3),
 * transfers with a note, and an agent going online pulling from the queue.
 */
let db: TestDb;
let kefu: Kefu;
let admin: string;
const users = new Map<string, string>();
let seq = 0;

const http = (method: string, path: string, body?: unknown, token = admin) => api(kefu.url, method, path, body, token);
const routing = () => kefu.routing.service;
const settle = async () => {
  await kefu.routing.service.idle();
  await kefu.bot.service.idle();
  await kefu.routing.service.idle();
};

async function user(key: string, display: string): Promise<string> {
  let id = users.get(key);
  if (!id) {
    id = (await kefu.auth.createUser({ username: key, display_name: display, role: 'agent', password: 'kefu123' })).id;
    users.set(key, id);
  }
  return id;
}

/** Closes every open conversation and takes every agent offline: each case starts clean. */
async function reset(): Promise<void> {
  const open = await kefu.db.selectFrom('conversations').select('id').where('status', '<>', 'closed').execute();
  for (const { id } of open) await kefu.hub.close(id);
  await settle();
  await kefu.db.withTables<{ agent_profiles: { status: string } }>().updateTable('agent_profiles').set({ status: 'offline' }).execute();
}

type AgentDef = { key: string; name: string; team?: string | null; skills?: Record<string, number>; capacity?: number; rating?: number; busy?: number; idleSince?: string };

async function agents(defs: AgentDef[]): Promise<void> {
  for (const a of defs) {
    const id = await user(a.key, a.name);
    await routing().updateAgent(id, { team: a.team ?? null, skills: a.skills ?? {}, capacity: a.capacity ?? 5, rating: a.rating ?? 4 });
    await routing().setStatus(id, 'online');
    for (let i = 0; i < (a.busy ?? 0); i++) {
      const c = await conversation({ text: null });
      await kefu.hub.assign(c, id);
    }
    if (a.idleSince) {
      await kefu.db.withTables<{ agent_profiles: { user_id: string; last_assigned_at: string | null } }>()
        .updateTable('agent_profiles').set({ last_assigned_at: a.idleSince }).where('user_id', '=', id).execute();
    }
  }
  await settle();
}

/** A web customer's conversation, still with the bot (no routing yet) unless `queued`. */
async function conversation(o: { ext?: string; text: string | null; queued?: boolean }): Promise<string> {
  const ext = o.ext ?? `visitor-${++seq}`;
  kefu.hub.setNewConversationPolicy(() => (o.queued ? 'queued' : 'bot'));
  const r = await kefu.hub.ingest({
    channel: 'web', channel_account: 'web', external_id: ext, customer: { display_name: `访客${ext}` }, dedupe_key: `t:${ext}:${++seq}`,
    content: o.text === null ? { type: 'event', event: 'enter', data: {} } : { type: 'text', text: o.text },
    sender_type: o.text === null ? 'system' : 'customer',
  });
  return r.conversation.id;
}

async function handoff(conversationId: string, intent: { id: string; name: string; skill?: string } | null, opts: { vip?: boolean } = {}) {
  if (opts.vip) {
    const c = (await kefu.hub.getConversation(conversationId))!;
    await kefu.db.updateTable('customers').set({ tier: 'VIP' }).where('id', '=', c.customer_id).execute();
    await kefu.hub.raisePriority(conversationId, PRIORITY.vip);
  }
  await kefu.hub.handoff(conversationId, {
    reason: 'explicit_request', reason_text: '客户要求转人工', summary: '测试', intent: intent && { ...intent, confidence: 0.9 }, urgent: false,
  });
  await settle();
}

const assigneeOf = async (id: string) => (await kefu.hub.getConversation(id))!.assignee_id;
const latest = async (id: string) => (await routing().decisions(id, 1))[0]!;
const loadOf = async (id: string) => (await routing().agent(id)).load;

beforeAll(async () => {
  db = await createTestDb();
  const config = loadConfig({
    KEFU_PORT: String(await freePort()), KEFU_HOST: '127.0.0.1', KEFU_DATABASE_URL: db.url, KEFU_DATA_DIR: db.dataDir,
    KEFU_LOG_LEVEL: 'warn', KEFU_DEMO_DATA: 'false', WECOM_API_BASE: 'http://127.0.0.1:9', KEFU_SCHEDULER_POLL_MS: '0',
  });
  kefu = await startKefu(config, { logger: createLogger('warn'), soothingTickMs: 0 });
  await kefu.auth.createUser({ username: 'admin', display_name: '管理员', role: 'admin', password: 'kefu123' });
  await setBotEnabled(kefu.url, false);
  admin = await login(kefu.url, 'admin');
  // the team that owns the 发票 skill (the skill itself travels with the bot's intent guess)
  expect((await api(kefu.url, 'PUT', '/api/routing/settings', { skill_teams: [{ skill: '发票', team: '售后' }] }, admin)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await kefu?.close();
  await db?.drop();
});

const INVOICE = { id: 'invoice', name: '发票开具', skill: '发票' };

describe('routing picks the documented agent, and says why', () => {
  type Case = {
    name: string;
    agents: AgentDef[];
    intent?: { id: string; name: string; skill?: string } | null;
    vip?: boolean;
    previous?: string;
    english?: string;
    /** the customer's region, set on their profile before the hand-off */
    region?: string;
    expect: string | null;
    reason: RegExp;
    excluded?: [string, RegExp];
  };
  const cases: Case[] = [
    {
      name: 'skill: 发票开具 → the agent with 发票 3',
      agents: [{ key: 'a_inv', name: '票务甲', team: '售后', skills: { 发票: 3 }, rating: 4 }, { key: 'a_pre', name: '售前乙', team: '售前', skills: { 产品咨询: 3 }, rating: 5 }],
      intent: INVOICE, expect: 'a_inv', reason: /分配给 票务甲：技能「发票」3 级（\+40）.*属于「售后」组（\+10）.*高于 售前乙/,
    },
    {
      name: 'capacity: the best agent is full → the next one',
      agents: [{ key: 'a_inv', name: '票务甲', team: '售后', skills: { 发票: 3 }, capacity: 1, busy: 1 }, { key: 'a_inv2', name: '票务丙', team: '售后', skills: { 发票: 1 } }],
      intent: INVOICE, expect: 'a_inv2', reason: /分配给 票务丙：技能「发票」1 级/, excluded: ['a_inv', /已满 1\/1/],
    },
    {
      name: 'not VIP: the emptier, better-rated level-2 agent',
      agents: [{ key: 'a_senior', name: '资深丁', team: null, skills: { 发票: 3 }, rating: 2 }, { key: 'a_mid', name: '中级戊', team: '售后', skills: { 发票: 2 }, rating: 5 }],
      intent: INVOICE, expect: 'a_mid', reason: /分配给 中级戊/,
    },
    {
      name: 'VIP → the senior (level 3) agent',
      agents: [{ key: 'a_senior', name: '资深丁', team: null, skills: { 发票: 3 }, rating: 2 }, { key: 'a_mid', name: '中级戊', team: '售后', skills: { 发票: 2 }, rating: 5 }],
      intent: INVOICE, vip: true, expect: 'a_senior', reason: /分配给 资深丁：.*VIP 客户 → 资深坐席（\+15）/,
    },
    {
      name: 'sticky: the customer\'s last agent, although rated lower',
      agents: [{ key: 'a_one', name: '坐席己', rating: 5 }, { key: 'a_two', name: '坐席庚', rating: 4 }],
      intent: null, previous: 'a_two', expect: 'a_two', reason: /分配给 坐席庚：.*上次服务过该客户（\+25）/,
    },
    {
      name: 'tie → the agent idle longest',
      agents: [{ key: 'a_one', name: '坐席己', idleSince: '2026-01-02T00:00:00.000Z' }, { key: 'a_two', name: '坐席庚', idleSince: '2026-01-01T00:00:00.000Z' }],
      intent: null, expect: 'a_two', reason: /与 坐席己 同分，空闲更久者优先/,
    },
    {
      name: 'English-speaking customer → the English agent',
      agents: [{ key: 'a_pre', name: '售前乙', team: '售前', skills: { 产品咨询: 3 }, rating: 5 }, { key: 'a_en', name: 'Lily', team: '售前', skills: { English: 3 }, rating: 4 }],
      english: 'Hello, I would like to ask about my order please', expect: 'a_en', reason: /分配给 Lily：技能「English」3 级/,
    },
    {
      name: 'a customer from 广东 → the agent who knows 广东, otherwise equal',
      agents: [{ key: 'a_one', name: '坐席己', idleSince: '2026-01-01T00:00:00.000Z' }, { key: 'a_gd', name: '粤语辛', skills: { 广东: 3 }, idleSince: '2026-01-02T00:00:00.000Z' }],
      intent: null, region: '广东', expect: 'a_gd', reason: /分配给 粤语辛：.*熟悉客户所在地区「广东」3 级（\+10）/,
    },
    {
      name: 'nobody online → stays queued',
      agents: [],
      intent: INVOICE, expect: null, reason: /当前没有在线坐席，进入排队等待/,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      await reset();
      let previousId: string | undefined;
      const ext = `case-${++seq}`;
      if (c.previous) {
        await agents(c.agents);
        previousId = await conversation({ ext, text: null });
        await kefu.hub.assign(previousId, users.get(c.previous)!);
        await kefu.hub.close(previousId);
        await settle();
      } else {
        await agents(c.agents);
      }
      let id: string;
      if (c.english) {
        id = await conversation({ ext, text: c.english, queued: true });
        await settle();
      } else {
        id = await conversation({ ext, text: null });
        if (c.region) expect((await http('PATCH', `/api/customers/${(await kefu.hub.getConversation(id))!.customer_id}`, { region: c.region })).status).toBe(200);
        await handoff(id, c.intent ?? null, { vip: c.vip });
      }
      const conv = (await kefu.hub.getConversation(id))!;
      const d = await latest(id);
      expect(d.reason).toMatch(c.reason);
      if (c.expect === null) {
        expect(conv.status).toBe('queued');
        expect(d.outcome).toBe('queued');
      } else {
        expect(conv).toMatchObject({ status: 'assigned', assignee_id: users.get(c.expect) });
        expect(d).toMatchObject({ outcome: 'assigned', agent_id: users.get(c.expect) });
        // the explanation is exposed, and the conversation shows a system line
        const r = await http('GET', `/api/conversations/${id}/routing`);
        expect(r.status).toBe(200);
        expect(r.body.decision.reason).toBe(d.reason);
        expect(r.body.decision.candidates.length).toBeGreaterThan(0);
        const lines = (await kefu.hub.listMessages(id, { limit: 50 })).filter((m) => m.content.type === 'event' && m.content.event === 'assigned');
        expect(lines).toHaveLength(1);
        expect((lines[0]!.content as Json).data.text).toMatch(/^已分配给 .+（.+）$/);
      }
      if (c.excluded) {
        const cand = d.candidates.find((x) => x.agent_id === users.get(c.excluded![0]));
        expect(cand?.eligible).toBe(false);
        expect(cand?.excluded).toMatch(c.excluded[1]);
      }
    });
  }
});

describe('the queue', () => {
  it('an agent going online pulls from the queue at once, highest priority first, then the longest waiting', async () => {
    await reset();
    const id = await user('a_night', '夜班辛');
    await routing().updateAgent(id, { team: '售后', skills: { 发票: 2 }, capacity: 2 });
    const first = await conversation({ text: '在吗', queued: true });
    const second = await conversation({ text: '你好', queued: true });
    const urgent = await conversation({ text: '我要投诉', queued: true });
    await kefu.db.updateTable('conversations').set({ priority: PRIORITY.urgent }).where('id', '=', urgent).execute();
    await settle();
    expect((await latest(first)).reason).toMatch(/当前没有在线坐席/);
    const q = await http('GET', '/api/queue');
    expect(q.body.items.map((i: Json) => i.conversation_id)).toEqual([urgent, first, second]);
    expect(q.body.items.map((i: Json) => i.position)).toEqual([1, 2, 3]);

    const token = await login(kefu.url, 'a_night');
    const r = await http('PUT', '/api/agents/me/status', { status: 'online' }, token);
    expect(r.status).toBe(200);
    await settle();
    expect(await assigneeOf(urgent)).toBe(id);
    expect(await assigneeOf(first)).toBe(id);
    expect((await kefu.hub.getConversation(second))!.status).toBe('queued');
    expect(await loadOf(id)).toBe(2);
    expect((await latest(urgent)).reason).toMatch(/分配给 夜班辛/);

    // closing one frees a slot: the last one waiting is served at once
    await http('POST', `/api/conversations/${first}/close`, {}, token);
    await settle();
    expect(await assigneeOf(second)).toBe(id);
    expect(await loadOf(id)).toBe(2);
  });

  it('200 conversations at once, 10 agents of capacity 3: nobody over capacity, 30 assigned, 170 queued, a freed slot is taken at once', async () => {
    await reset();
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = await user(`load${i}`, `并发坐席${i}`);
      await routing().updateAgent(id, { team: '售后', skills: { 退换货: 1 + (i % 3) }, capacity: 3, rating: 3 + (i % 3) * 0.5 });
      await routing().setStatus(id, 'online');
      ids.push(id);
    }
    await settle();
    const assignedEvents = new Map<string, number>();
    const off = kefu.bus.on('conversation.assigned', (p) => void assignedEvents.set(p.agent_id, (assignedEvents.get(p.agent_id) ?? 0) + 1));
    kefu.hub.setNewConversationPolicy(() => 'queued');
    const base = ++seq;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => kefu.hub.ingest({
      channel: 'web', channel_account: 'web', external_id: `burst-${base}-${i}`, customer: { display_name: `并发访客${i}` },
      dedupe_key: `burst:${base}:${i}`, content: { type: 'text', text: `我要退货 ${i}` },
    })));
    await settle();
    off();
    const convIds = results.map((r) => r.conversation.id);
    const rows = await kefu.db.selectFrom('conversations').select(['id', 'status', 'assignee_id']).where('id', 'in', convIds).execute();
    const perAgent = new Map<string, number>();
    for (const r of rows) if (r.status === 'assigned') perAgent.set(r.assignee_id!, (perAgent.get(r.assignee_id!) ?? 0) + 1);
    expect(rows.filter((r) => r.status === 'assigned')).toHaveLength(30);
    expect(rows.filter((r) => r.status === 'queued')).toHaveLength(170);
    // every waiting one was decided (recorded and handed to queue care), none given up on
    const queuedIds = rows.filter((r) => r.status === 'queued').map((r) => r.id);
    const decided = await kefu.db.withTables<{ routing_decisions: { conversation_id: string; outcome: string } }>().selectFrom('routing_decisions').select('conversation_id').distinct()
      .where('conversation_id', 'in', queuedIds).where('outcome', '=', 'queued').execute();
    expect(decided).toHaveLength(170);
    for (const id of ids) {
      expect(perAgent.get(id)).toBe(3);
      expect(await loadOf(id)).toBe(3);
      // no close happened, so the assignments counted are the most an agent ever had
      expect(assignedEvents.get(id)).toBe(3);
    }

    // the oldest waiting conversation is next; an urgent one jumps the queue
    const queue = (await http('GET', '/api/queue')).body.items as Json[];
    expect(queue).toHaveLength(170);
    const urgent = queue.at(-1)!.conversation_id as string;
    await kefu.db.updateTable('conversations').set({ priority: PRIORITY.urgent }).where('id', '=', urgent).execute();
    const oldest = queue[0]!.conversation_id as string;
    const freed = rows.find((r) => r.assignee_id === ids[4])!;
    await kefu.hub.close(freed.id);
    await settle();
    expect(await assigneeOf(urgent)).toBe(ids[4]);
    expect(await loadOf(ids[4]!)).toBe(3);
    const freed2 = rows.find((r) => r.assignee_id === ids[7])!;
    await kefu.hub.close(freed2.id);
    await settle();
    expect(await assigneeOf(oldest)).toBe(ids[7]);
    const after = await kefu.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', convIds).where('status', '=', 'queued').executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(168);

    // the decision log agrees: one assignment per assigned conversation, 3 per agent, none over capacity
    const log = await kefu.db.withTables<{ routing_decisions: { conversation_id: string; outcome: string; agent_id: string | null; candidates_json: string } }>()
      .selectFrom('routing_decisions').select(['conversation_id', 'agent_id', 'candidates_json']).where('outcome', '=', 'assigned').where('conversation_id', 'in', convIds).execute();
    expect(log).toHaveLength(32);
    expect(new Set(log.map((d) => d.conversation_id)).size).toBe(32);
    for (const id of ids) expect(log.filter((d) => d.agent_id === id).length).toBe(ids[4] === id || ids[7] === id ? 4 : 3);
    for (const d of log) {
      const chosen = (JSON.parse(d.candidates_json) as Json[]).find((c) => c.agent_id === d.agent_id)!;
      expect(chosen.eligible).toBe(true);
      expect(chosen.load).toBeLessThan(chosen.capacity);
    }

    // every agent frees a slot at the same moment: ten waiting customers are served at once
    const current = await kefu.db.selectFrom('conversations').select(['id', 'assignee_id']).where('id', 'in', convIds).where('status', '=', 'assigned').execute();
    await Promise.all(ids.map((id) => kefu.hub.close(current.find((c) => c.assignee_id === id)!.id)));
    await settle();
    const queuedNow = await kefu.db.selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('id', 'in', convIds).where('status', '=', 'queued').executeTakeFirstOrThrow();
    expect(Number(queuedNow.n)).toBe(158);
    for (const id of ids) expect(await loadOf(id)).toBe(3);
  });
});

describe('transfer and the agent API', () => {
  it('transfers to an agent with a note (system line, decision, loads) and to a team', async () => {
    await reset();
    await agents([
      { key: 't_from', name: '转出甲', team: '售后', skills: { 退换货: 3 } },
      { key: 't_to', name: '接收乙', team: '售后', skills: { 发票: 3 } },
      { key: 't_pre', name: '售前丙', team: '售前', skills: { 产品咨询: 3 } },
    ]);
    const id = await conversation({ text: null });
    await handoff(id, { id: 'return_exchange', name: '退换货' });
    expect(await assigneeOf(id)).toBe(users.get('t_from'));
    const from = await login(kefu.url, 't_from');
    const other = await login(kefu.url, 't_pre');

    expect((await http('POST', `/api/conversations/${id}/transfer`, { to_agent_id: users.get('t_to') }, other)).status).toBe(403);
    const r = await http('POST', `/api/conversations/${id}/transfer`, { to_agent_id: users.get('t_to'), note: '客户要开专票，请协助' }, from);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.conversation).toMatchObject({ status: 'assigned', assignee_id: users.get('t_to') });
    expect(r.body.decision).toMatchObject({ outcome: 'transferred', note: '客户要开专票，请协助', agent_id: users.get('t_to') });
    await settle();
    expect(await loadOf(users.get('t_from')!)).toBe(0);
    expect(await loadOf(users.get('t_to')!)).toBe(1);
    const line = (await kefu.hub.listMessages(id, { limit: 50 })).find((m) => m.content.type === 'event' && m.content.event === 'transferred');
    expect((line!.content as Json).data.text).toBe('转出甲 转接给 接收乙，备注：客户要开专票，请协助');
    expect((await http('GET', `/api/conversations/${id}/routing`)).body.decision.reason).toMatch(/手动转接给 接收乙：客户要开专票/);

    const to = await login(kefu.url, 't_to');
    const t = await http('POST', `/api/conversations/${id}/transfer`, { to_team: '售前', note: '咨询新品' }, to);
    expect(t.status, JSON.stringify(t.body)).toBe(200);
    await settle();
    expect(await assigneeOf(id)).toBe(users.get('t_pre'));
    const history = (await http('GET', `/api/conversations/${id}/routing`)).body.history as Json[];
    expect(history.map((h) => h.outcome).slice(0, 2)).toEqual(['assigned', 'transferred']);
    expect(history[0]!.context.only_team).toBe('售前');
    expect(await loadOf(users.get('t_to')!)).toBe(0);

    const full = await http('POST', `/api/conversations/${id}/transfer`, { to_agent_id: users.get('t_pre') }, admin);
    expect(full.status).toBe(409);
  });

  it('agents set their status; supervisors edit and list agents; a reply to a queued conversation still takes it', async () => {
    await reset();
    const id = await user('api_agent', '接口坐席');
    const token = await login(kefu.url, 'api_agent');
    expect((await http('GET', '/api/agents/me/status', undefined, token)).body).toMatchObject({ status: 'offline', capacity: 5, load: 0 });
    expect((await http('PUT', `/api/agents/${id}`, { capacity: 8 }, token)).status).toBe(403);
    const put = await http('PUT', `/api/agents/${id}`, { team: '售后', skills: { 退换货: 3, 发票: 2, English: 1 }, capacity: 8, rating: 4.5 });
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body).toMatchObject({ team: '售后', skills: { 退换货: 3, 发票: 2, English: 1 }, capacity: 8, rating: 4.5 });
    const list = await http('GET', '/api/agents');
    expect(list.body.items.find((a: Json) => a.user_id === id)).toMatchObject({ status: 'offline', load: 0, capacity: 8 });

    const conv = await conversation({ text: '有人吗', queued: true });
    await settle();
    const sent = await http('POST', `/api/conversations/${conv}/messages`, { text: '您好', client_msg_id: 'take-1' }, token);
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    await settle();
    expect(await assigneeOf(conv)).toBe(id);
    expect(await loadOf(id)).toBe(1);
  });
});
