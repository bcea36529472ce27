import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, startStack, wechatCustomers, type Json } from './harness.js';

// The workspace API: tabs (mine / queue / team / all) with filters and search, counts per tab,
// internal notes, and the customer 360 (tags, note, WeChat profile, history, CRM).
type Stack = Awaited<ReturnType<typeof startStack>>;
let s: Stack;
const tok: Record<string, string> = {};
const id: Record<string, string> = {};
let wechat: Awaited<ReturnType<typeof wechatCustomers>>;

beforeAll(async () => {
  s = await startStack();
  for (const u of ['agent1', 'agent2', 'agent3', 'lead']) {
    tok[u] = await login(s.kefu.url, u);
    id[u] = (await api(s.kefu.url, 'GET', '/api/me', undefined, tok[u])).body.id;
  }
  wechat = await wechatCustomers(s.sim.url);
});
afterAll(async () => s?.stop());

const as = (user: string, method: string, path: string, body?: unknown) => api(s.kefu.url, method, path, body, tok[user]);
const names = async (user: string, query: string) => ((await as(user, 'GET', `/api/conversations?${query}`)).body.items as Json[]).map((c) => c.customer.display_name).sort();
const conversationOf = (name: string) =>
  eventually(async () => ((await as('lead', 'GET', `/api/conversations?view=all&q=${encodeURIComponent(name)}`)).body.items as Json[]).find((c) => c.customer.display_name === name), name);

describe('workspace API', () => {
  it('tabs: queue while nobody is online, then mine / team by assignee; all only for supervisors; counts per tab', async () => {
    const a = await wechat.create('孙女士');
    await wechat.says(a, '我想退货，面霜用了过敏');
    const b = await wechat.create('周先生');
    await wechat.says(b, 'Do you ship to Hong Kong?');
    await conversationOf('孙女士');
    await conversationOf('周先生');

    expect(await names('agent1', 'view=queue')).toEqual(['周先生', '孙女士'].sort());
    expect(await names('agent1', 'view=mine')).toEqual([]);
    const counts = (await as('agent1', 'GET', '/api/conversations/counts')).body.views;
    expect(counts.queue).toEqual({ total: 2, unread: 2 });
    expect(counts.all, 'agents have no all tab').toBeUndefined();
    expect((await as('agent1', 'GET', '/api/conversations?view=all')).status).toBe(403);
    expect((await as('lead', 'GET', '/api/conversations/counts')).body.views.all.total).toBe(2);

    // agent1 (售后) online: both come to agent1, the only one online
    await as('agent1', 'PUT', '/api/agents/me/status', { status: 'online' });
    await eventually(async () => (await names('agent1', 'view=mine')).length === 2, 'both assigned to agent1');
    expect(await names('agent1', 'view=queue')).toEqual([]);
    // team = the assignee's team and the queue: agent3 (售后) sees them, agent2 (售前) does not
    expect(await names('agent3', 'view=team')).toEqual(['周先生', '孙女士'].sort());
    expect(await names('agent2', 'view=team')).toEqual([]);
    // counts are memoised for a few hundred ms (every client asks after the same event)
    await eventually(async () => (await as('agent1', 'GET', '/api/conversations/counts')).body.views.mine.total === 2, 'mine counts 2');
  });

  it('filters by channel and tier; searches names and message text, taking % and _ literally', async () => {
    expect(await names('agent1', 'view=mine&channel=web')).toEqual([]);
    expect(await names('agent1', 'view=mine&channel=wecom_kf')).toHaveLength(2);
    const sun = await conversationOf('孙女士');
    await as('agent1', 'PATCH', `/api/customers/${sun.customer.id}`, { tier: 'VIP' });
    expect(await names('agent1', 'view=mine&tier=VIP')).toEqual(['孙女士']);
    expect(await names('agent1', `view=mine&q=${encodeURIComponent('过敏')}`)).toEqual(['孙女士']);
    expect(await names('agent1', 'view=mine&q=hong%20KONG')).toEqual(['周先生']);
    expect(await names('agent1', `view=mine&q=${encodeURIComponent('周')}`)).toEqual(['周先生']);
    expect(await names('agent1', 'view=mine&q=%25')).toEqual([]);
    expect(await names('agent1', 'view=mine&q=type'), 'the JSON keys of stored messages are not searched').toEqual([]);
  });

  it('internal notes: stored apart from messages, listed in order, validated', async () => {
    const sun = await conversationOf('孙女士');
    const r1 = await as('agent1', 'POST', `/api/conversations/${sun.id}/notes`, { text: '过敏客户，先安抚再走退货' });
    expect(r1.status).toBe(201);
    expect(r1.body.note).toMatchObject({ conversation_id: sun.id, text: '过敏客户，先安抚再走退货', author: { id: id.agent1 } });
    await as('agent3', 'POST', `/api/conversations/${sun.id}/notes`, { text: '已联系仓库' });
    const notes = (await as('agent2', 'GET', `/api/conversations/${sun.id}/notes`)).body.items as Json[];
    expect(notes.map((n) => n.text)).toEqual(['过敏客户，先安抚再走退货', '已联系仓库']);
    const messages = (await as('agent1', 'GET', `/api/conversations/${sun.id}/messages`)).body.items as Json[];
    expect(messages.some((m) => JSON.stringify(m.content).includes('先安抚'))).toBe(false);
    const empty = await as('agent1', 'POST', `/api/conversations/${sun.id}/notes`, { text: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('validation_error');
    expect((await as('agent1', 'GET', '/api/conversations/nope/notes')).status).toBe(404);
  });

  it('customer 360: WeChat profile, tags and note saved, conversations, tickets and CRM orders', async () => {
    const sun = await conversationOf('孙女士');
    const patched = await as('agent1', 'PATCH', `/api/customers/${sun.customer.id}`, { tags: ['敏感肌', '回头客', '敏感肌'], note: '只接受顺丰' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ tags: ['敏感肌', '回头客'], note: '只接受顺丰' });
    expect((await as('agent1', 'PATCH', `/api/customers/${sun.customer.id}`, { tags: ['x'.repeat(17)] })).status).toBe(400);
    await as('agent1', 'POST', `/api/conversations/${sun.id}/tickets`, {});

    const o = (await as('agent1', 'GET', `/api/customers/${sun.customer.id}/overview`)).body;
    expect(o.customer.tags).toEqual(['敏感肌', '回头客']);
    expect(o.customer.note).toBe('只接受顺丰');
    const wecom = o.customer.identities.find((i: Json) => i.channel === 'wecom_kf');
    expect(wecom.profile.nickname, 'kf/customer/batchget kept on the identity').toBe('孙女士');
    expect(o.conversations.map((c: Json) => c.id)).toContain(sun.id);
    expect(o.conversations[0].assignee_name).toContain('李小美');
    expect(o.tickets).toHaveLength(1);
    expect(o.crm.orders.length).toBeGreaterThan(0);
    expect(o.crm.orders[0].order_no).toMatch(/^YF\d+/);
    expect((await as('agent1', 'GET', '/api/customers/nope/overview')).status).toBe(404);
  });
});
