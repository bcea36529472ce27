import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORP, SECRET, startSim, type Client } from './helpers.js';
import type { Simulator } from '../src/server.js';

// message/send: the internal alert app (its own secret and token) and GET /sim/app-messages.
let sim: Simulator;
let client: Client;
beforeAll(async () => ({ sim, client } = await startSim()));
afterAll(async () => sim.close());

const AGENT_SECRET = 'kefu-demo-agent-secret';

describe('message/send (internal app message)', () => {
  it('needs the alert app token: a kf token is refused (48002), and vice versa', async () => {
    const kf = (await client.get(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${SECRET}`)).access_token;
    const agent = (await client.get(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${AGENT_SECRET}`)).access_token;
    expect(agent).not.toBe(kf);
    const body = { touser: 'wangzhuguan', msgtype: 'text', agentid: 1000002, text: { content: '测试' } };
    expect((await client.post(`/cgi-bin/message/send?access_token=${kf}`, body)).errcode).toBe(48002);
    expect((await client.post(`/cgi-bin/kf/account/list?access_token=${agent}`, {})).errcode).toBe(48002);
    expect((await client.post(`/cgi-bin/message/send?access_token=${agent}`, body)).errcode).toBe(0);
  });

  it('records what employees received, dedupes with enable_duplicate_check, validates the request', async () => {
    const agent = (await client.get(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${AGENT_SECRET}`)).access_token;
    const send = (b: Record<string, unknown>) => client.post(`/cgi-bin/message/send?access_token=${agent}`, b);
    const msg = { touser: 'zhaozongjian|bad user!', msgtype: 'text', agentid: 1000002, text: { content: '【SLA超时升级】工单 T1' }, enable_duplicate_check: 1, duplicate_check_interval: 1800 };
    const a = await send(msg);
    expect(a).toMatchObject({ errcode: 0, invaliduser: 'bad user!', msgid: expect.any(String) });
    const b = await send(msg);
    expect(b.msgid).toBe(a.msgid);
    const got = (await client.get('/sim/app-messages?touser=zhaozongjian')).messages;
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ touser: 'zhaozongjian', agentid: 1000002, msgtype: 'text', content: { content: '【SLA超时升级】工单 T1' } });
    expect((await send({ ...msg, agentid: 42 })).errcode).toBe(40056);
    expect((await send({ ...msg, touser: 'bad user!' })).errcode).toBe(81013);
    expect((await send({ ...msg, text: { content: '长'.repeat(700) } })).errcode).toBe(45002);
    expect((await send({ touser: 'x', msgtype: 'text', agentid: 1000002 })).errcode).toBe(40058);
  });
});
