import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseXml } from '@kefu/server/wecom-xml';
import { CORP, Receiver, startSim, waitFor, type Client } from './helpers.js';
import type { Simulator } from '../src/server.js';

let sim: Simulator;
let client: Client;
let kfid: string;
let kfid2: string;
let rx: Receiver;

beforeAll(async () => {
  rx = await new Receiver().start();
  ({ sim, client, kfid, kfid2 } = await startSim({ callbackUrl: rx.url, retryDelaysMs: [30, 60, 90], callbackTimeoutMs: 1000 }));
});
afterAll(async () => {
  await sim.close();
  await rx.stop();
});
beforeEach(async () => {
  await sim.callbacksIdle();
  await client.post('/sim/reset', {});
  rx.received = [];
  rx.status = 200;
});

describe('encrypted callbacks', () => {
  it('a customer message triggers an encrypted kf_msg_or_event whose Token syncs the message', async () => {
    const u = await client.customer('回调客');
    const sent = await client.say(kfid, u, '你好，在吗？');
    await sim.callbacksIdle();
    expect(rx.received).toHaveLength(1);
    const r = rx.received[0];
    const outer = parseXml(r.body);
    expect(outer.ToUserName).toBe(CORP);
    expect(outer.AgentID).toBe('');
    expect(r.body).toContain('<AgentID><![CDATA[]]></AgentID>');
    expect(Math.abs(Number(r.query.timestamp) - Date.now() / 1000)).toBeLessThan(5);
    const inner = rx.decode(r);
    expect(inner).toMatchObject({ ToUserName: CORP, MsgType: 'event', Event: 'kf_msg_or_event', OpenKfId: kfid });
    expect(inner.Token).toMatch(/^ENC/);
    const page = await client.cgi('/cgi-bin/kf/sync_msg', { token: inner.Token, open_kfid: kfid, limit: 1000 });
    expect(page).toMatchObject({ errcode: 0, has_more: 0 });
    expect(page.msg_list).toEqual([
      { msgid: sent.msgid, open_kfid: kfid, external_userid: u, send_time: expect.any(Number), origin: 3, msgtype: 'text', text: { content: '你好，在吗？' } },
    ]);
    const deliveries = (await client.get('/sim/callbacks')).callbacks;
    expect(deliveries[0]).toMatchObject({ status: 'delivered', open_kfid: kfid, attempts: [{ status: 200 }] });
  });

  it('retries on HTTP 500 (3 retries, then failed) and records every attempt', async () => {
    const u = await client.customer('重试客');
    rx.status = 500;
    await client.say(kfid, u, 'retry me');
    await sim.callbacksIdle();
    expect(rx.received).toHaveLength(4);
    const [d] = (await client.get('/sim/callbacks')).callbacks;
    expect(d.status).toBe('failed');
    expect(d.attempts.map((a: { status: number }) => a.status)).toEqual([500, 500, 500, 500]);
    // identical body each time; gaps follow SIM_RETRY_DELAYS_MS
    expect(new Set(rx.received.map((x) => x.body)).size).toBe(1);
    expect(rx.received[3].at - rx.received[0].at).toBeGreaterThanOrEqual(30 + 60 + 90 - 5);
  });

  it('a receiver that recovers gets the retry; only 200 counts', async () => {
    const u = await client.customer('恢复客');
    rx.status = 503;
    await client.say(kfid, u, 'x');
    await waitFor(() => rx.received.length >= 1);
    rx.status = 200;
    await sim.callbacksIdle();
    const [d] = (await client.get('/sim/callbacks')).callbacks;
    expect(d.status).toBe('delivered');
    expect(d.attempts.at(-1).status).toBe(200);
    expect(d.attempts[0].status).toBe(503);
  });

  it('retries when the receiver is down', async () => {
    const down = new Receiver();
    await down.start();
    const port = down.port;
    await down.stop(); // nothing listens there now
    sim.setCallbackUrl(`http://127.0.0.1:${port}/cb`);
    try {
      const u = await client.customer('宕机客');
      await client.say(kfid, u, 'anyone?');
      await waitFor(async () => (await client.get('/sim/callbacks')).callbacks[0]?.attempts.length >= 1);
      await down.start(port); // comes back before the last retry
      await sim.callbacksIdle();
      const [d] = (await client.get('/sim/callbacks')).callbacks;
      expect(d.attempts[0].status).toBeNull();
      expect(d.attempts[0].error).toBeTruthy();
      expect(d.status).toBe('delivered');
      expect(down.received.length).toBeGreaterThanOrEqual(1);
    } finally {
      await down.stop();
      sim.setCallbackUrl(rx.url);
    }
  });

  it('duplicate: n delivers the same callback n extra times', async () => {
    const u = await client.customer('重复客');
    await client.say(kfid, u, 'dup', { duplicate: 2 });
    await sim.callbacksIdle();
    expect(rx.received).toHaveLength(3);
    expect(new Set(rx.received.map((x) => x.body)).size).toBe(1);
    expect(new Set(rx.received.map((x) => x.query.msg_signature)).size).toBe(1);
  });

  it('enter_session and other events are delivered as events in sync_msg', async () => {
    const u = await client.customer('事件客');
    await client.post('/sim/kf/enter', { open_kfid: kfid2, external_userid: u, scene: 'qr' });
    await client.post('/sim/kf/event', { open_kfid: kfid2, external_userid: u, event_type: 'msg_send_fail', fail_msgid: 'm1', fail_type: 4 });
    await client.post('/sim/kf/event', { open_kfid: kfid2, external_userid: u, event_type: 'user_recall_msg', recall_msgid: 'm2' });
    await client.post('/sim/kf/servicer-message', { open_kfid: kfid2, external_userid: u, servicer_userid: 'zhangsan', msgtype: 'text', text: { content: '我是人工' } });
    await sim.callbacksIdle();
    expect(rx.received).toHaveLength(4);
    const token = rx.decode(rx.received[3]).Token;
    const page = await client.cgi('/cgi-bin/kf/sync_msg', { token, open_kfid: kfid2 });
    expect(page.msg_list).toHaveLength(4);
    const [enter, fail, recall, human] = page.msg_list;
    expect(enter).toMatchObject({ origin: 4, msgtype: 'event', event: { event_type: 'enter_session', open_kfid: kfid2, external_userid: u, scene: 'qr' } });
    expect(enter.open_kfid).toBeUndefined();
    expect(typeof enter.event.welcome_code).toBe('string');
    expect(fail.event).toMatchObject({ event_type: 'msg_send_fail', fail_msgid: 'm1', fail_type: 4 });
    expect(recall.event).toMatchObject({ event_type: 'user_recall_msg', recall_msgid: 'm2' });
    expect(human).toMatchObject({ origin: 5, servicer_userid: 'zhangsan', msgtype: 'text', text: { content: '我是人工' } });
  });

  it('POST /sim/verify-url performs the GET verification like the admin console', async () => {
    const r = await client.post('/sim/verify-url', {});
    expect(r.ok).toBe(true);
    expect(r.body).toBe(r.expected);
    expect(r.body).toMatch(/^\d+$/);
  });
});
