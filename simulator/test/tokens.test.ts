import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CORP, SECRET, startSim, type Client } from './helpers.js';
import type { Simulator } from '../src/server.js';

let sim: Simulator;
let client: Client;
beforeAll(async () => ({ sim, client } = await startSim()));
afterAll(async () => sim.close());

describe('access_token', () => {
  it('gettoken validates corpid and secret', async () => {
    expect((await client.get(`/cgi-bin/gettoken?corpid=wrong&corpsecret=${SECRET}`)).errcode).toBe(40013);
    expect((await client.get(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=wrong`)).errcode).toBe(40001);
    const a = await client.get(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${SECRET}`);
    expect(a).toMatchObject({ errcode: 0, errmsg: 'ok', expires_in: 7200 });
    expect(a.access_token.length).toBeLessThanOrEqual(512);
    const b = await client.get(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${SECRET}`);
    expect(b.access_token).toBe(a.access_token); // same token while valid
  });

  it('missing 41001, unknown 40014, expired after 7200 s 42001', async () => {
    expect((await client.post('/cgi-bin/kf/account/list', {})).errcode).toBe(41001);
    expect((await client.post('/cgi-bin/kf/account/list?access_token=nope', {})).errcode).toBe(40014);
    const t = await client.accessToken();
    const ok = await client.post(`/cgi-bin/kf/account/list?access_token=${t}`, { offset: 0, limit: 100 });
    expect(ok.errcode).toBe(0);
    expect(ok.account_list.map((a: { name: string }) => a.name)).toEqual(['售前咨询', '售后服务']);
    expect(ok.account_list[0].open_kfid).toMatch(/^wk[A-Za-z0-9]{30}$/);
    await client.post('/sim/clock', { advance_seconds: 7200 });
    const res = await fetch(`${sim.url}/cgi-bin/kf/account/list?access_token=${t}`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200); // HTTP 200 even on errcode ≠ 0
    expect(((await res.json()) as { errcode: number }).errcode).toBe(42001);
    const fresh = await client.get(`/cgi-bin/gettoken?corpid=${CORP}&corpsecret=${SECRET}`);
    expect(fresh.access_token).not.toBe(t);
  });

  it('POST /sim/tokens/expire invalidates current tokens early', async () => {
    client.token = '';
    const t = await client.accessToken();
    expect((await client.cgi('/cgi-bin/kf/account/list', {})).errcode).toBe(0);
    await client.post('/sim/tokens/expire', {});
    expect((await client.post(`/cgi-bin/kf/account/list?access_token=${t}`, {})).errcode).toBe(42001);
    client.token = '';
    expect(await client.accessToken()).not.toBe(t);
    expect((await client.cgi('/cgi-bin/kf/account/list', {})).errcode).toBe(0);
  });

  it('open_kfids are deterministic across restarts', async () => {
    const { sim: other } = await startSim();
    expect(other.state.accounts).toEqual(sim.state.accounts);
    await other.close();
  });

  it('bad JSON → 47001, bad params → 40058, control API → 400', async () => {
    const t = await client.accessToken();
    const res = await fetch(`${sim.url}/cgi-bin/kf/send_msg?access_token=${t}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{bad' });
    expect(((await res.json()) as { errcode: number }).errcode).toBe(47001);
    expect((await client.cgi('/cgi-bin/kf/account/list', { limit: 1000 })).errcode).toBe(40058);
    const bad = await client.postStatus('/sim/customers', { nickname: '' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('invalid_request');
  });
});
