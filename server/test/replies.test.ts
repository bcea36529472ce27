import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, startStack, type Json } from './harness.js';

type Stack = Awaited<ReturnType<typeof startStack>>;
let s: Stack;
let agent: string;
let lead: string;

beforeAll(async () => {
  s = await startStack();
  agent = await login(s.kefu.url, 'agent1');
  lead = await login(s.kefu.url, 'lead');
});
afterAll(async () => s?.stop());

const as = (token: string, method: string, path: string, body?: unknown) => api(s.kefu.url, method, path, body, token);

describe('quick replies on F1–F12', () => {
  it('the demo has F1 退换货流程 and F2 电子发票指南 for every agent', async () => {
    const items: Json[] = (await as(agent, 'GET', '/api/quick-replies')).body.items;
    expect(items.find((i) => i.hotkey === 'F1')).toMatchObject({ title: '退换货流程', scope: 'shared' });
    expect(items.find((i) => i.hotkey === 'F2')).toMatchObject({ title: '电子发票指南', scope: 'shared' });
  });

  it('an agent\'s own template wins on its key, for that agent only; removing it brings the shared one back', async () => {
    const put = await as(agent, 'PUT', '/api/quick-replies/F1', { title: '我的退货话术', text: '亲，退货请这样操作…' });
    expect(put.status).toBe(200);
    expect((await as(agent, 'GET', '/api/quick-replies')).body.items.find((i: Json) => i.hotkey === 'F1').title).toBe('我的退货话术');
    expect((await as(lead, 'GET', '/api/quick-replies')).body.items.find((i: Json) => i.hotkey === 'F1').title).toBe('退换货流程');
    expect((await as(agent, 'DELETE', '/api/quick-replies/F1?scope=user')).status).toBe(204);
    expect((await as(agent, 'GET', '/api/quick-replies')).body.items.find((i: Json) => i.hotkey === 'F1').title).toBe('退换货流程');
  });

  it('only supervisors change shared templates; bad keys and empty texts are refused', async () => {
    expect((await as(agent, 'PUT', '/api/quick-replies/F5', { title: 'x', text: 'y', scope: 'shared' })).status).toBe(403);
    expect((await as(lead, 'PUT', '/api/quick-replies/F5', { title: '催单安抚', text: '亲，已为您催促仓库尽快发货～', scope: 'shared' })).status).toBe(200);
    expect((await as(agent, 'GET', '/api/quick-replies')).body.items.find((i: Json) => i.hotkey === 'F5').title).toBe('催单安抚');
    const bad = await as(agent, 'PUT', '/api/quick-replies/F13', { title: 'x', text: 'y' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_error');
    expect((await as(agent, 'PUT', '/api/quick-replies/F6', { title: 'x', text: '   ' })).status).toBe(400);
  });

  it('a team\'s templates reach its members only, between the shared ones and an agent\'s own', async () => {
    const agent2 = await login(s.kefu.url, 'agent2'); // 售前; agent1 and lead are 售后
    const f7 = async (token: string) => (await as(token, 'GET', '/api/quick-replies')).body.items.find((i: Json) => i.hotkey === 'F7');
    expect((await as(agent, 'PUT', '/api/quick-replies/F7', { title: 'x', text: 'y', scope: 'team' })).status).toBe(403);
    expect((await as(lead, 'PUT', '/api/quick-replies/F7', { title: '共享话术', text: '全员', scope: 'shared' })).status).toBe(200);
    expect((await as(lead, 'PUT', '/api/quick-replies/F7', { title: '售后话术', text: '亲，售后问题请提供订单号～', scope: 'team' })).status).toBe(200);
    expect(await f7(agent)).toMatchObject({ title: '售后话术', scope: 'team' });
    expect(await f7(agent2)).toMatchObject({ title: '共享话术', scope: 'shared' });
    await as(agent, 'PUT', '/api/quick-replies/F7', { title: '我的售后话术', text: '…' });
    expect(await f7(agent)).toMatchObject({ title: '我的售后话术', scope: 'user' });
    // the editor sees every layer of the key
    const layers = (await as(agent, 'GET', '/api/quick-replies/layers')).body;
    expect(layers.team_id).toBeTruthy();
    expect(layers.items.filter((i: Json) => i.hotkey === 'F7').map((i: Json) => i.scope).sort()).toEqual(['shared', 'team', 'user']);
    expect((await as(lead, 'DELETE', '/api/quick-replies/F7?scope=team')).status).toBe(204);
    expect((await as(agent, 'DELETE', '/api/quick-replies/F7?scope=user')).status).toBe(204);
    expect(await f7(agent)).toMatchObject({ title: '共享话术' });
  });
});

describe('knowledge suggestions', () => {
  it('suggest the FAQ answers for the customer\'s latest question', async () => {
    const ext = (await api(s.sim.url, 'POST', '/sim/customers', { nickname: '建议客户' })).body.external_userid;
    const kfid = (await api(s.sim.url, 'GET', '/sim/kf/accounts')).body.accounts[0].open_kfid;
    await api(s.sim.url, 'POST', '/sim/kf/messages', { open_kfid: kfid, external_userid: ext, msgtype: 'text', text: { content: '请问发票怎么开呀' } });
    const conv = await eventually(async () => (await as(agent, 'GET', '/api/conversations')).body.items.find((c: Json) => c.customer.display_name === '建议客户'), 'conversation');
    const r = await as(agent, 'GET', `/api/conversations/${conv.id}/suggestions`);
    expect(r.status).toBe(200);
    expect(r.body.question).toBe('请问发票怎么开呀');
    expect(r.body.items[0].question).toMatch(/发票/);
    expect(r.body.items[0].text).toMatch(/申请开票/);
  });
});
