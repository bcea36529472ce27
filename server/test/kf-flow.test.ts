import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, eventually, login, startStack, type Json } from './harness.js';

type Stack = Awaited<ReturnType<typeof startStack>>;
let s: Stack;
let token: string;
let presales: string;

const sim = (method: string, path: string, body?: unknown) => api(s.sim.url, method, path, body);
const kefu = (method: string, path: string, body?: unknown) => api(s.kefu.url, method, path, body, token);

async function newCustomer(nickname: string): Promise<string> {
  const r = await sim('POST', '/sim/customers', { nickname });
  expect(r.status).toBe(200);
  return r.body.external_userid;
}
async function customerSays(external_userid: string, text: string, extra: Json = {}) {
  const r = await sim('POST', '/sim/kf/messages', { open_kfid: presales, external_userid, msgtype: 'text', text: { content: text }, ...extra });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.msgid as string;
}
async function conversationOf(nickname: string): Promise<Json> {
  return eventually(async () => {
    const r = await kefu('GET', '/api/conversations?status=open');
    return r.body.items?.find((c: Json) => c.customer.display_name === nickname);
  }, `conversation of ${nickname}`);
}
async function messagesOf(conversationId: string): Promise<Json[]> {
  return (await kefu('GET', `/api/conversations/${conversationId}/messages?limit=500`)).body.items;
}
async function inbox(external_userid: string): Promise<Json[]> {
  return (await sim('GET', `/sim/kf/inbox?external_userid=${external_userid}`)).body.messages;
}
const texts = (ms: Json[]) => ms.filter((m) => m.content.type === 'text').map((m) => m.content.text);

beforeAll(async () => {
  s = await startStack();
  token = await login(s.kefu.url);
  const accounts = await api(s.sim.url, 'POST', `/cgi-bin/kf/account/list?access_token=${(await api(s.sim.url, 'GET', '/cgi-bin/gettoken?corpid=ww5823bf96d3bd56c7&corpsecret=kefu-demo-kf-secret')).body.access_token}`, {});
  presales = accounts.body.account_list.find((a: Json) => a.name === '售前咨询').open_kfid;
});
afterAll(async () => s?.stop());

describe('微信客服 through the simulator', () => {
  it('customer → kefu → agent reply → customer inbox, with the welcome on enter_session', async () => {
    const ext = await newCustomer('小红');
    expect((await sim('POST', '/sim/kf/enter', { open_kfid: presales, external_userid: ext, scene: 'pkg-2026-spring' })).status).toBe(200);
    await eventually(async () => (await inbox(ext)).find((m) => m.via === 'send_msg_on_event'), 'welcome in the inbox');

    await customerSays(ext, '你好，我想问一下发票怎么开？');
    const conv = await conversationOf('小红');
    expect(conv.channel).toBe('wecom_kf');
    expect(conv.channel_account).toBe(presales);
    const stored = await eventually(async () => {
      const ms = await messagesOf(conv.id);
      return texts(ms).includes('你好，我想问一下发票怎么开？') && ms;
    }, 'customer message stored');
    expect(stored.find((m) => m.sender_type === 'bot' && m.status === 'sent')?.content.text).toContain('悦肤美妆');

    // kefu took the session for its own agents/bot (service_state 1)
    await eventually(async () => (await sim('GET', `/sim/state/${presales}/${ext}`)).body.service_state === 1, 'service_state 1');

    const r = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: '您好，开票步骤如下：…', client_msg_id: 'reply-1' });
    expect(r.status).toBe(201);
    expect(r.body.message.status).toBe('sent');
    const got = await inbox(ext);
    expect(got.filter((m) => m.via === 'send_msg').map((m) => m.text?.content)).toEqual(['您好，开票步骤如下：…']);

    // the same client_msg_id again sends nothing new
    const again = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: '您好，开票步骤如下：…', client_msg_id: 'reply-1' });
    expect(again.status).toBe(200);
    expect(again.body.message.id).toBe(r.body.message.id);
    expect((await inbox(ext)).filter((m) => m.via === 'send_msg')).toHaveLength(1);
  });

  it('one callback delivered three times stores the message once', async () => {
    const ext = await newCustomer('重复回调');
    await customerSays(ext, '重复投递测试', { duplicate: 2 });
    const conv = await conversationOf('重复回调');
    await eventually(async () => texts(await messagesOf(conv.id)).includes('重复投递测试'), 'stored');
    await eventually(async () => {
      const cbs: Json[] = (await sim('GET', '/sim/callbacks')).body.callbacks;
      const orig = cbs.filter((c) => c.duplicate_of !== undefined).at(-1)?.duplicate_of;
      const group = cbs.filter((c) => c.id === orig || c.duplicate_of === orig);
      return group.length === 3 && group.every((c) => c.status === 'delivered');
    }, 'three deliveries acknowledged by kefu');
    await new Promise((r) => setTimeout(r, 500));
    expect(texts(await messagesOf(conv.id)).filter((t) => t === '重复投递测试')).toHaveLength(1);
  });

  it('a sync page delivered twice stores each message once', async () => {
    const ext = await newCustomer('重复页');
    expect((await sim('POST', '/sim/sync/duplicate-next-page', {})).status).toBe(200);
    await customerSays(ext, '第一条');
    await customerSays(ext, '第二条');
    const conv = await conversationOf('重复页');
    await eventually(async () => texts(await messagesOf(conv.id)).includes('第二条'), 'both stored');
    await customerSays(ext, '第三条');
    await eventually(async () => texts(await messagesOf(conv.id)).includes('第三条'), 'third stored');
    expect(texts(await messagesOf(conv.id))).toEqual(['第一条', '第二条', '第三条']);
  });

  it('the 6th agent message within 48 h is refused with a visible reason and kept; after the customer writes again sending works', async () => {
    const ext = await newCustomer('窗口测试');
    await customerSays(ext, '在吗');
    const conv = await conversationOf('窗口测试');
    for (let i = 1; i <= 5; i++) {
      const r = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: `回复${i}`, client_msg_id: `w-${i}` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const sixth = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: '回复6', client_msg_id: 'w-6' });
    expect(sixth.status).toBe(422);
    expect(sixth.body.error.code).toBe('window_closed');
    expect(sixth.body.error.message).toMatch(/5 条/);
    expect(sixth.body.message.status).toBe('failed');
    const kept = (await messagesOf(conv.id)).find((m) => m.content.text === '回复6');
    expect(kept).toMatchObject({ status: 'failed', fail_code: 'window_closed' });
    expect(kept!.fail_reason).toMatch(/客户再次发言/);
    expect((await inbox(ext)).filter((m) => m.via === 'send_msg')).toHaveLength(5);

    await customerSays(ext, '我又来了');
    await eventually(async () => texts(await messagesOf(conv.id)).includes('我又来了'), 'customer message stored');
    const seventh = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: '回复7', client_msg_id: 'w-7' });
    expect(seventh.status).toBe(201);
    expect((await inbox(ext)).map((m) => m.text?.content)).toContain('回复7');
  });

  it('msg_send_fail (fail_type 4) marks the reply failed and closes the reply window in the same page', async () => {
    const ext = await newCustomer('发送失败');
    await customerSays(ext, '你好');
    const conv = await conversationOf('发送失败');
    const sent = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: '已回复', client_msg_id: 'fail-1' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
    const ev = await sim('POST', '/sim/kf/event', { open_kfid: presales, external_userid: ext, event_type: 'msg_send_fail', fail_msgid: sent.body.message.id, fail_type: 4 });
    expect(ev.status, JSON.stringify(ev.body)).toBe(200);
    await eventually(async () => (await messagesOf(conv.id)).find((m) => m.id === sent.body.message.id)?.status === 'failed', 'reply marked failed');
    const next = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: '再回复', client_msg_id: 'fail-2' });
    expect(next.status).toBe(422);
    expect(next.body.error.code).toBe('window_closed');
  });

  it('an expired access_token is refreshed and the call retried', async () => {
    const ext = await newCustomer('令牌过期');
    await customerSays(ext, '你好');
    const conv = await conversationOf('令牌过期');
    expect((await sim('POST', '/sim/tokens/expire', {})).status).toBe(200);
    const r = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: '令牌刷新后的回复', client_msg_id: 't-1' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expect((await inbox(ext)).map((m) => m.text?.content)).toContain('令牌刷新后的回复');
  });

  it('maps every customer message type and stores media agents can open', async () => {
    const ext = await newCustomer('多类型');
    const send = (msgtype: string, payload: Json = {}) => sim('POST', '/sim/kf/messages', { open_kfid: presales, external_userid: ext, msgtype, ...payload });
    await send('image');
    await send('voice');
    await send('video');
    await send('file');
    await send('location', { location: { latitude: 31.23, longitude: 121.47, name: '悦肤美妆上海专柜', address: '上海市南京西路' } });
    await send('link', { link: { title: '订单详情', desc: '我的订单', url: 'https://shop.example.com/o/1', pic_url: 'https://shop.example.com/p.png' } });
    await send('business_card', { business_card: { userid: 'zhangsan' } });
    await send('miniprogram', { miniprogram: { title: '悦肤商城', appid: 'wx123', pagepath: 'pages/index' } });
    await sim('POST', '/sim/kf/messages', { open_kfid: presales, external_userid: ext, msgtype: 'text', text: { content: '查物流', menu_id: '101' } });
    const conv = await conversationOf('多类型');
    const ms = await eventually(async () => {
      const all = await messagesOf(conv.id);
      return all.filter((m) => m.direction === 'in').length >= 9 && all;
    }, 'nine messages');
    const byType = Object.fromEntries(ms.filter((m) => m.direction === 'in').map((m) => [m.content.type, m.content]));
    expect(Object.keys(byType).sort()).toEqual(['business_card', 'file', 'image', 'link', 'location', 'miniprogram', 'text', 'video', 'voice']);
    expect(byType.location).toMatchObject({ latitude: 31.23, longitude: 121.47, name: '悦肤美妆上海专柜' });
    expect(byType.link).toMatchObject({ title: '订单详情', url: 'https://shop.example.com/o/1' });
    expect(byType.text).toMatchObject({ text: '查物流', menu_id: '101' });
    expect(byType.business_card).toMatchObject({ userid: 'zhangsan' });
    expect(byType.miniprogram).toMatchObject({ appid: 'wx123', pagepath: 'pages/index' });
    for (const t of ['image', 'voice', 'video', 'file']) expect(byType[t].media.media_id, t).toMatch(/^f/);
    const img = await fetch(`${s.kefu.url}/api/media/${byType.image.media.media_id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toMatch(/^image\//);
    expect((await img.arrayBuffer()).byteLength).toBe(byType.image.media.size);
    expect((await fetch(`${s.kefu.url}/api/media/${byType.image.media.media_id}`)).status).toBe(401);
  });

  it('ending a conversation moves the WeCom session to 4 and a new message opens a new conversation', async () => {
    const ext = await newCustomer('结束会话');
    await customerSays(ext, '好的谢谢');
    const conv = await conversationOf('结束会话');
    await eventually(async () => (await sim('GET', `/sim/state/${presales}/${ext}`)).body.service_state === 1, 'state 1');
    const closed = await kefu('POST', `/api/conversations/${conv.id}/close`);
    expect(closed.body.status).toBe('closed');
    await eventually(async () => (await sim('GET', `/sim/state/${presales}/${ext}`)).body.service_state === 4, 'state 4');
    const refused = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: 'x', client_msg_id: 'closed-1' });
    expect(refused.status).toBe(409);
    await customerSays(ext, '还有个问题');
    const next = await conversationOf('结束会话');
    expect(next.id).not.toBe(conv.id);
  });

  it('sends image, link, mini-program and menu messages that the customer receives', async () => {
    const ext = await newCustomer('富媒体');
    await customerSays(ext, '有图片吗');
    const conv = await conversationOf('富媒体');
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), '产品图.png');
    const up = await fetch(`${s.kefu.url}/api/media`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    expect(up.status).toBe(201);
    const media = await up.json();
    expect(media).toMatchObject({ mime: 'image/png', size: png.length, filename: '产品图.png' });

    const sends: Json[] = [
      { type: 'image', media: { media_id: media.media_id } },
      { type: 'link', title: '退换货流程', desc: '7 天无理由退换', url: 'https://yuefu.example.com/help/returns' },
      { type: 'miniprogram', title: '悦肤商城', appid: 'wxa1b2c3d4', pagepath: 'pages/order/list', thumb: { media_id: media.media_id } },
      { type: 'menu', head: '请选择您要咨询的问题', items: [{ type: 'click', id: 'invoice', content: '发票开具' }, { type: 'view', url: 'https://yuefu.example.com/track', content: '物流查询' }], tail: '也可以直接输入问题' },
    ];
    for (const [i, content] of sends.entries()) {
      const r = await kefu('POST', `/api/conversations/${conv.id}/messages`, { content, client_msg_id: `rich-${i}` });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    const got = (await inbox(ext)).filter((m) => m.via === 'send_msg');
    expect(got.map((m) => m.msgtype)).toEqual(['image', 'link', 'miniprogram', 'msgmenu']);
    expect(got[1].link).toMatchObject({ title: '退换货流程', url: 'https://yuefu.example.com/help/returns' });
    expect(got[1].link.thumb_media_id).toBeTruthy();
    expect(got[3].msgmenu.list).toHaveLength(2);
    // the image the customer got is the one the agent uploaded
    const img = await fetch(`${s.sim.url}/cgi-bin/media/get?access_token=${(await sim('GET', '/cgi-bin/gettoken?corpid=ww5823bf96d3bd56c7&corpsecret=kefu-demo-kf-secret')).body.access_token}&media_id=${got[0].image.media_id}`);
    expect(Buffer.from(await img.arrayBuffer()).equals(png)).toBe(true);

    const bad = await kefu('POST', `/api/conversations/${conv.id}/messages`, { content: { type: 'image', media: { media_id: 'f000000000000000000000' } }, client_msg_id: 'rich-bad' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('unknown_media');
  });

  it('does not stop pulling on an empty page while has_more is set', async () => {
    const ext = await newCustomer('空页');
    expect((await sim('POST', '/sim/sync/empty-pages', { count: 2 })).status).toBe(200);
    await customerSays(ext, '空页之后的消息');
    const conv = await conversationOf('空页');
    await eventually(async () => texts(await messagesOf(conv.id)).includes('空页之后的消息'), 'message after empty pages');
  });

  it('hands a session to a WeCom-native servicer (state 3); kefu then refuses to send', async () => {
    const ext = await newCustomer('转人工客服');
    await customerSays(ext, '我要找你们的客服');
    const conv = await conversationOf('转人工客服');
    await eventually(async () => (await sim('GET', `/sim/state/${presales}/${ext}`)).body.service_state === 1, 'state 1');
    const r = await kefu('POST', `/api/conversations/${conv.id}/wecom-servicer`, { servicer_userid: 'zhangsan' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.service_state).toBe(3);
    expect((await sim('GET', `/sim/state/${presales}/${ext}`)).body).toMatchObject({ service_state: 3, servicer_userid: 'zhangsan' });
    const refused = await kefu('POST', `/api/conversations/${conv.id}/messages`, { text: '还在吗', client_msg_id: 'svc-1' });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('wecom_native_servicer');
    const unknown = await kefu('POST', `/api/conversations/${conv.id}/wecom-servicer`, { servicer_userid: 'nobody' });
    expect(unknown.status).toBe(502);
  });
});
