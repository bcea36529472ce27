import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSim, type Client } from './helpers.js';
import type { Simulator } from '../src/server.js';

let sim: Simulator;
let client: Client;
let kfid: string;
let kfid2: string;
beforeAll(async () => ({ sim, client, kfid, kfid2 } = await startSim()));
afterAll(async () => sim.close());
beforeEach(async () => {
  await client.post('/sim/reset', {});
  client.token = '';
});

describe('send_msg reply window (5 messages / 48 h)', () => {
  it('6th → 95001; after the customer writes again → ok; after 48 h → 95002', async () => {
    const u = await client.customer('小明');
    expect(u).toMatch(/^wm[A-Za-z0-9]{30}$/);
    // never wrote → no window
    expect((await client.reply(kfid, u, 'hi')).errcode).toBe(95002);
    await client.say(kfid, u, '你好');
    for (let i = 1; i <= 5; i++) {
      const r = await client.reply(kfid, u, `回复 ${i}`);
      expect(r).toMatchObject({ errcode: 0, errmsg: 'ok' });
      expect(typeof r.msgid).toBe('string');
    }
    expect((await client.reply(kfid, u, 'sixth')).errcode).toBe(95001);
    const st = await client.get(`/sim/state/${kfid}/${u}`);
    expect(st.window).toMatchObject({ sent_count: 5, remaining: 0, open: true });
    await client.say(kfid, u, '还在吗');
    expect((await client.reply(kfid, u, 'again')).errcode).toBe(0);
    await client.post('/sim/clock', { advance_seconds: 48 * 3600 + 1 });
    expect((await client.reply(kfid, u, 'late')).errcode).toBe(95002);
    const inbox = await client.get(`/sim/kf/inbox?external_userid=${u}`);
    expect(inbox.messages.map((m: { text: { content: string } }) => m.text.content)).toEqual(['回复 1', '回复 2', '回复 3', '回复 4', '回复 5', 'again']);
    expect(inbox.messages[0]).toMatchObject({ open_kfid: kfid, msgtype: 'text', via: 'send_msg' });
  });

  it('the window is per kf account', async () => {
    const u = await client.customer('小红');
    await client.say(kfid, u, 'hi');
    expect((await client.reply(kfid2, u, 'x')).errcode).toBe(95002);
  });

  it('validates ids, payloads and msgid', async () => {
    const u = await client.customer('小刚');
    await client.say(kfid, u, 'hi');
    expect((await client.reply('wkNope', u, 'x')).errcode).toBe(95004);
    expect((await client.reply(kfid, 'wmNope', 'x')).errcode).toBe(40096);
    expect((await client.reply(kfid, u, 'a'.repeat(2049))).errcode).toBe(45002);
    expect((await client.reply(kfid, u, '中'.repeat(682))).errcode).toBe(0); // 2046 bytes
    expect((await client.reply(kfid, u, '中'.repeat(683))).errcode).toBe(45002); // 2049 bytes
    expect((await client.cgi('/cgi-bin/kf/send_msg', { touser: u, open_kfid: kfid, msgtype: 'sticker', sticker: {} })).errcode).toBe(40008);
    expect((await client.cgi('/cgi-bin/kf/send_msg', { touser: u, open_kfid: kfid, msgtype: 'image', image: { media_id: 'nope' } })).errcode).toBe(40007);
    expect((await client.reply(kfid, u, 'x', { msgid: 'bad id!' })).errcode).toBe(40058);
    expect((await client.reply(kfid, u, 'x', { msgid: 'a'.repeat(33) })).errcode).toBe(40058);
    const r = await client.reply(kfid, u, 'x', { msgid: 'kefu_msg-001' });
    expect(r).toMatchObject({ errcode: 0, msgid: 'kefu_msg-001' });
    expect((await client.reply(kfid, u, 'y', { msgid: 'kefu_msg-001' })).errcode).toBe(95003);
    const menu = (n: number) => ({
      touser: u,
      open_kfid: kfid,
      msgtype: 'msgmenu',
      msgmenu: { head_content: '请选择', list: Array.from({ length: n }, (_, i) => ({ type: 'click', click: { id: `m${i}`, content: `选项${i}` } })) },
    });
    expect((await client.cgi('/cgi-bin/kf/send_msg', menu(11))).errcode).toBe(40058);
    expect((await client.cgi('/cgi-bin/kf/send_msg', { ...menu(1), msgmenu: { list: [{ type: 'click', click: {} }] } })).errcode).toBe(40058);
    expect((await client.cgi('/cgi-bin/kf/send_msg', { ...menu(1), msgmenu: { list: [{ type: 'view', view: { url: 'https://a', content: 'x' } }, { type: 'miniprogram', miniprogram: { appid: 'wx1', pagepath: 'p', content: 'c' } }] } })).errcode).toBe(0);
    expect((await client.cgi('/cgi-bin/kf/send_msg', menu(10))).errcode).toBe(0); // 4th of 5
    expect((await client.reply(kfid, u, 'fifth')).errcode).toBe(0);
    expect((await client.cgi('/cgi-bin/kf/send_msg', menu(10))).errcode).toBe(95001);
  });
});

describe('service_state', () => {
  it('get/trans with the transition rules, 95018 outside 0/1, msg_code, reopen on a new message', async () => {
    const u = await client.customer('阿强');
    await client.say(kfid, u, '人工');
    const get = () => client.cgi('/cgi-bin/kf/service_state/get', { open_kfid: kfid, external_userid: u });
    const trans = (service_state: number, servicer_userid?: string) =>
      client.cgi('/cgi-bin/kf/service_state/trans', { open_kfid: kfid, external_userid: u, service_state, servicer_userid });
    expect(await get()).toMatchObject({ errcode: 0, service_state: 0, servicer_userid: '' });
    expect((await trans(1)).errcode).toBe(0);
    expect((await client.reply(kfid, u, 'bot')).errcode).toBe(0); // state 1 may send
    const pool = await trans(2);
    expect(pool.errcode).toBe(0);
    expect(typeof pool.msg_code).toBe('string');
    expect((await client.reply(kfid, u, 'queued')).errcode).toBe(95018);
    expect((await trans(1)).errcode).toBe(95016); // 2 → 1 not allowed
    expect((await trans(3)).errcode).toBe(40058); // servicer required
    expect((await trans(3, 'nobody')).errcode).toBe(60111);
    const human = await trans(3, 'zhangsan');
    expect(human.errcode).toBe(0);
    expect(typeof human.msg_code).toBe('string');
    expect(await get()).toMatchObject({ service_state: 3, servicer_userid: 'zhangsan' });
    const transfer = await trans(3, 'lisi');
    expect(transfer.errcode).toBe(0);
    expect(transfer.msg_code).toBeUndefined(); // only the first time
    expect((await client.reply(kfid, u, 'human')).errcode).toBe(95018);
    const end = await trans(4);
    expect(typeof end.msg_code).toBe('string');
    expect((await trans(0)).errcode).toBe(95016);
    expect((await trans(4)).errcode).toBe(95016);
    // closing message with the end code (20 s, once)
    const close = await client.cgi('/cgi-bin/kf/send_msg_on_event', { code: end.msg_code, msgtype: 'text', text: { content: '感谢咨询' } });
    expect(close.errcode).toBe(0);
    // new customer message in state 4 → back to 0
    await client.say(kfid, u, '又来了');
    expect(await get()).toMatchObject({ service_state: 0 });
    expect((await client.reply(kfid, u, 'welcome back')).errcode).toBe(0);
  });

  it('servicers can be added through the control API', async () => {
    const u = await client.customer('阿珍');
    await client.post('/sim/servicers', { userid: 'wangwu' });
    expect((await client.cgi('/cgi-bin/kf/service_state/trans', { open_kfid: kfid, external_userid: u, service_state: 3, servicer_userid: 'wangwu' })).errcode).toBe(0);
  });
});

describe('send_msg_on_event', () => {
  it('welcome_code: issued on first entry, valid once and 20 s', async () => {
    const u = await client.customer('新客');
    const e = await client.post('/sim/kf/enter', { open_kfid: kfid, external_userid: u, scene: 'ad1', scene_param: 'x=1' });
    expect(e.event).toMatchObject({ event_type: 'enter_session', open_kfid: kfid, external_userid: u, scene: 'ad1', scene_param: 'x=1' });
    expect(typeof e.welcome_code).toBe('string');
    const send = (code: string, extra = {}) => client.cgi('/cgi-bin/kf/send_msg_on_event', { code, msgtype: 'text', text: { content: '欢迎光临' }, ...extra });
    expect((await send(e.welcome_code, { msgtype: 'image', image: { media_id: 'x' } })).errcode).toBe(40008);
    const ok = await send(e.welcome_code, { msgid: 'welcome-1' });
    expect(ok).toMatchObject({ errcode: 0, msgid: 'welcome-1' });
    expect((await send(e.welcome_code)).errcode).toBe(95007); // once
    const inbox = await client.get(`/sim/kf/inbox?external_userid=${u}`);
    expect(inbox.messages).toHaveLength(1);
    expect(inbox.messages[0]).toMatchObject({ via: 'send_msg_on_event', text: { content: '欢迎光临' } });
    // welcomed recently → no new code
    expect((await client.post('/sim/kf/enter', { open_kfid: kfid, external_userid: u })).welcome_code).toBeUndefined();
    // 48 h later → a new code, which expires after 20 s
    await client.post('/sim/clock', { advance_seconds: 48 * 3600 + 1 });
    const e2 = await client.post('/sim/kf/enter', { open_kfid: kfid, external_userid: u });
    expect(typeof e2.welcome_code).toBe('string');
    await client.post('/sim/clock', { advance_seconds: 21 });
    expect((await send(e2.welcome_code)).errcode).toBe(95007);
    expect((await send('made-up-code')).errcode).toBe(95007);
  });

  it('no welcome_code when the customer wrote within 48 h; msgmenu allowed for welcome', async () => {
    const u = await client.customer('老客');
    await client.say(kfid, u, 'hi');
    expect((await client.post('/sim/kf/enter', { open_kfid: kfid, external_userid: u })).welcome_code).toBeUndefined();
    const v = await client.customer('菜单客');
    const e = await client.post('/sim/kf/enter', { open_kfid: kfid, external_userid: v });
    const r = await client.cgi('/cgi-bin/kf/send_msg_on_event', {
      code: e.welcome_code,
      msgtype: 'msgmenu',
      msgmenu: { head_content: '您好', list: [{ type: 'click', click: { id: '101', content: '查订单' } }], tail_content: '' },
    });
    expect(r.errcode).toBe(0);
  });

  it('pool code only while still queued', async () => {
    const u = await client.customer('排队客');
    await client.say(kfid, u, 'hi');
    const pool = await client.cgi('/cgi-bin/kf/service_state/trans', { open_kfid: kfid, external_userid: u, service_state: 2 });
    expect((await client.cgi('/cgi-bin/kf/send_msg_on_event', { code: pool.msg_code, msgtype: 'msgmenu', msgmenu: { list: [] } })).errcode).toBe(40008);
    await client.cgi('/cgi-bin/kf/service_state/trans', { open_kfid: kfid, external_userid: u, service_state: 3, servicer_userid: 'lisi' });
    expect((await client.cgi('/cgi-bin/kf/send_msg_on_event', { code: pool.msg_code, msgtype: 'text', text: { content: '排队中' } })).errcode).toBe(95007);
  });
});

describe('customer/batchget', () => {
  it('returns profiles with a fetchable avatar and lists invalid ids', async () => {
    const u = await client.customer('张三丰');
    const r = await client.cgi('/cgi-bin/kf/customer/batchget', { external_userid_list: [u, 'wmUnknown'] });
    expect(r.errcode).toBe(0);
    expect(r.customer_list).toHaveLength(1);
    expect(r.customer_list[0]).toMatchObject({ external_userid: u, nickname: '张三丰', gender: 0 });
    expect(r.customer_list[0].unionid).toMatch(/^o/);
    expect(r.invalid_external_userid).toEqual(['wmUnknown']);
    const avatar = await fetch(r.customer_list[0].avatar);
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get('content-type')).toContain('image/svg+xml');
    expect((await client.cgi('/cgi-bin/kf/customer/batchget', { external_userid_list: [] })).errcode).toBe(40058);
  });
});
