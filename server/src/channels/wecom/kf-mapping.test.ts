import { describe, expect, it } from 'vitest';
import type { MessageContent } from '../../core/message.js';
import {
  failTypeReason,
  KF_LIMITS,
  KfMappingError,
  KfOutboundError,
  mapKfItem,
  sendErrorReason,
  toKfOutbound,
  type KfMappedEvent,
  type KfMappedMessage,
} from './kf-mapping.js';

const base = { msgid: 'm1', open_kfid: 'wkAAA', external_userid: 'wmBBB', send_time: 1_700_000_000, origin: 3 };
const SENT_AT = new Date(1_700_000_000 * 1000).toISOString();

function msg(msgtype: string, payload: unknown, extra: Record<string, unknown> = {}): KfMappedMessage {
  const r = mapKfItem({ ...base, ...extra, msgtype, [msgtype]: payload });
  expect(r.kind).toBe('message');
  return r as KfMappedMessage;
}
function ev(event: Record<string, unknown>): KfMappedEvent {
  const r = mapKfItem({ msgid: 'e1', send_time: 1_700_000_000, origin: 4, msgtype: 'event', event });
  expect(r.kind).toBe('event');
  return r as KfMappedEvent;
}

describe('mapKfItem: messages', () => {
  it('text (with and without menu_id) keeps the common fields', () => {
    const r = msg('text', { content: '你好' });
    expect(r).toEqual({
      kind: 'message', msgid: 'm1', open_kfid: 'wkAAA', external_userid: 'wmBBB', origin: 3, sent_at: SENT_AT,
      content: { type: 'text', text: '你好' },
    });
    expect(msg('text', { content: '查订单', menu_id: '101' }).content).toEqual({ type: 'text', text: '查订单', menu_id: '101' });
  });

  it('servicer message (origin 5) keeps servicer_userid', () => {
    const r = msg('text', { content: 'hi' }, { origin: 5, servicer_userid: 'zhangsan' });
    expect(r.origin).toBe(5);
    expect(r.servicer_userid).toBe('zhangsan');
  });

  it.each(['image', 'voice', 'video', 'file'] as const)('%s → empty media + mediaToFetch', (t) => {
    const r = msg(t, { media_id: `MEDIA_${t}` });
    expect(r.content).toEqual({ type: t, media: {} });
    expect(r.mediaToFetch).toEqual({ media_id: `MEDIA_${t}`, kind: t });
  });

  it('location (numbers, also numeric strings)', () => {
    expect(msg('location', { latitude: 23.1, longitude: 113.3, name: '广州塔', address: '海珠区' }).content).toEqual({
      type: 'location', latitude: 23.1, longitude: 113.3, name: '广州塔', address: '海珠区',
    });
    expect(msg('location', { latitude: '23.1', longitude: '113.3' }).content).toEqual({ type: 'location', latitude: 23.1, longitude: 113.3 });
  });

  it('link', () => {
    expect(msg('link', { title: 'T', desc: 'D', url: 'https://e.x/', pic_url: 'https://e.x/p.png' }).content).toEqual({
      type: 'link', title: 'T', desc: 'D', url: 'https://e.x/', pic_url: 'https://e.x/p.png',
    });
  });

  it('business_card', () => {
    expect(msg('business_card', { userid: 'lisi' }).content).toEqual({ type: 'business_card', userid: 'lisi' });
  });

  it('miniprogram → thumb + mediaToFetch kind thumb', () => {
    const r = msg('miniprogram', { title: '商城', appid: 'wx123', pagepath: 'pages/index', thumb_media_id: 'THUMB' });
    expect(r.content).toEqual({ type: 'miniprogram', title: '商城', appid: 'wx123', pagepath: 'pages/index', thumb: {} });
    expect(r.mediaToFetch).toEqual({ media_id: 'THUMB', kind: 'thumb' });
    const noThumb = msg('miniprogram', { title: '商城', appid: 'wx123', pagepath: 'p' });
    expect(noThumb.mediaToFetch).toBeUndefined();
    expect(noThumb.content).toEqual({ type: 'miniprogram', title: '商城', appid: 'wx123', pagepath: 'p' });
  });

  it('msgmenu → menu (click/view/miniprogram; unknown item types dropped)', () => {
    const r = msg('msgmenu', {
      head_content: '请选择',
      list: [
        { type: 'click', click: { id: '101', content: '满意' } },
        { type: 'view', view: { url: 'https://e.x', content: '官网' } },
        { type: 'miniprogram', miniprogram: { appid: 'wx1', pagepath: 'p/i', content: '小程序' } },
        { type: 'text', text: { content: 'new-type' } },
      ],
      tail_content: '谢谢',
    });
    expect(r.content).toEqual({
      type: 'menu',
      head: '请选择',
      items: [
        { type: 'click', id: '101', content: '满意' },
        { type: 'view', url: 'https://e.x', content: '官网' },
        { type: 'miniprogram', appid: 'wx1', pagepath: 'p/i', content: '小程序' },
      ],
      tail: '谢谢',
    });
  });

  it.each(['channels', 'merged_msg', 'channels_shop_product', 'brand_new_type'])('unknown msgtype %s → unsupported_msgtype event content', (t) => {
    const r = msg(t, { whatever: 1 });
    expect(r.content).toEqual({ type: 'event', event: 'unsupported_msgtype', data: { msgtype: t } });
    expect(r.mediaToFetch).toBeUndefined();
  });

  it('known msgtype with a malformed payload → malformed_message, never throws', () => {
    expect(msg('image', {}).content).toEqual({ type: 'event', event: 'malformed_message', data: { msgtype: 'image' } });
    expect(msg('text', undefined).content).toEqual({ type: 'event', event: 'malformed_message', data: { msgtype: 'text' } });
  });

  it('sent_at is ISO from send_time seconds (also a numeric string)', () => {
    expect(msg('text', { content: 'x' }, { send_time: '1700000000' }).sent_at).toBe('2023-11-14T22:13:20.000Z');
  });

  it('unidentifiable items throw KfMappingError', () => {
    expect(() => mapKfItem({ msgtype: 'text', send_time: 1, text: { content: 'x' } })).toThrow(KfMappingError);
    expect(() => mapKfItem({ msgid: 'x', msgtype: 'text', text: { content: 'x' } })).toThrow(/send_time/);
    expect(() => mapKfItem({ msgid: 'x', msgtype: 'text', send_time: 1, text: { content: 'x' } })).toThrow(/open_kfid/);
    expect(() => mapKfItem(null)).toThrow(KfMappingError);
  });
});

describe('mapKfItem: events', () => {
  it('enter_session with welcome_code/scene/scene_param', () => {
    const r = ev({ event_type: 'enter_session', open_kfid: 'wkAAA', external_userid: 'wmBBB', scene: 'qr', scene_param: 'a=1', welcome_code: 'WC' });
    expect(r).toEqual({
      kind: 'event', msgid: 'e1', event_type: 'enter_session', open_kfid: 'wkAAA', external_userid: 'wmBBB', sent_at: SENT_AT,
      data: { scene: 'qr', scene_param: 'a=1', welcome_code: 'WC' },
    });
  });

  it('msg_send_fail with fail_msgid/fail_type + Chinese reason', () => {
    const r = ev({ event_type: 'msg_send_fail', open_kfid: 'wkAAA', external_userid: 'wmBBB', fail_msgid: 'out1', fail_type: 4 });
    expect(r.data).toEqual({ fail_msgid: 'out1', fail_type: 4, fail_reason: failTypeReason(4) });
    expect(r.data.fail_reason).toContain('48');
    expect(ev({ event_type: 'msg_send_fail', fail_msgid: 'o', fail_type: '6' }).data.fail_type).toBe(6);
  });

  it('servicer_status_change', () => {
    const r = ev({ event_type: 'servicer_status_change', open_kfid: 'wkAAA', servicer_userid: 'zs', status: 2 });
    expect(r.open_kfid).toBe('wkAAA');
    expect(r.external_userid).toBeUndefined();
    expect(r.data).toEqual({ servicer_userid: 'zs', status: 2 });
  });

  it('session_status_change', () => {
    const r = ev({
      event_type: 'session_status_change', open_kfid: 'wkAAA', external_userid: 'wmBBB',
      change_type: 2, old_servicer_userid: 'a', new_servicer_userid: 'b',
    });
    expect(r.data).toEqual({ change_type: 2, old_servicer_userid: 'a', new_servicer_userid: 'b' });
    expect(ev({ event_type: 'session_status_change', change_type: 3, msg_code: 'MC' }).data).toEqual({ change_type: 3, msg_code: 'MC' });
  });

  it('user_recall_msg / servicer_recall_msg', () => {
    expect(ev({ event_type: 'user_recall_msg', open_kfid: 'k', external_userid: 'u', recall_msgid: 'r1' }).data).toEqual({ recall_msgid: 'r1' });
    expect(ev({ event_type: 'servicer_recall_msg', open_kfid: 'k', external_userid: 'u', recall_msgid: 'r2', servicer_userid: 's' }).data)
      .toEqual({ recall_msgid: 'r2', servicer_userid: 's' });
  });

  it('unknown event types keep their raw data', () => {
    const r = ev({ event_type: 'reject_customer_msg_switch_change', open_kfid: 'k', external_userid: 'u', reject_switch: 1, extra: { a: [1] } });
    expect(r.event_type).toBe('reject_customer_msg_switch_change');
    expect(r.data).toEqual({ reject_switch: 1, extra: { a: [1] } });
  });

  it('missing event object or event_type → event_type unknown, no throw', () => {
    const r = mapKfItem({ msgid: 'e2', send_time: 1, msgtype: 'event' }) as KfMappedEvent;
    expect(r.kind).toBe('event');
    expect(r.event_type).toBe('unknown');
    expect(r.data).toEqual({});
  });
});

describe('reasons', () => {
  it('failTypeReason covers the documented codes in Chinese', () => {
    expect(failTypeReason(4)).toMatch(/48 小时/);
    expect(failTypeReason(6)).toMatch(/5 条/);
    expect(failTypeReason(10)).toMatch(/拒收/);
    for (const n of [0, 1, 2, 5, 7, 8, 9]) expect(failTypeReason(n)).toMatch(/[\u4e00-\u9fa5]/);
    expect(failTypeReason(99)).toContain('fail_type=99');
  });

  it('sendErrorReason gives a machine code + actionable Chinese reason', () => {
    expect(sendErrorReason(95001)).toEqual({ code: 'wecom_95001', reason: '48 小时内已回复 5 条，需等待客户再次发言后才能继续发送' });
    expect(sendErrorReason(95002).reason).toMatch(/48 小时/);
    expect(sendErrorReason(95018).reason).toMatch(/会话/);
    expect(sendErrorReason(40096).code).toBe('wecom_40096');
    expect(sendErrorReason(95004).reason).toMatch(/客服账号/);
    expect(sendErrorReason(60020).reason).toMatch(/可信 IP/);
    expect(sendErrorReason(-2)).toEqual({ code: 'wecom_timeout', reason: expect.stringMatching(/超时/) });
    expect(sendErrorReason(12345, 'weird')).toEqual({ code: 'wecom_12345', reason: '企业微信返回错误 12345：weird' });
  });
});

describe('toKfOutbound', () => {
  it('text, with the 2048-byte limit counted in UTF-8 bytes', () => {
    expect(toKfOutbound({ type: 'text', text: 'hi', menu_id: 'x' })).toEqual({ msgtype: 'text', text: { content: 'hi' } });
    expect(toKfOutbound({ type: 'text', text: 'a'.repeat(2048) }).msgtype).toBe('text');
    // 683 CJK chars = 2049 bytes: too long although far below 2048 characters
    const tooLong = () => toKfOutbound({ type: 'text', text: '字'.repeat(683) });
    expect(tooLong).toThrow(KfOutboundError);
    expect(tooLong).toThrow(/2049 字节 > 2048 字节/);
    try {
      tooLong();
    } catch (e) {
      expect((e as KfOutboundError).status).toBe(400);
      expect((e as KfOutboundError).code).toBe('content_too_long');
    }
    expect(() => toKfOutbound({ type: 'text', text: '' })).toThrow(/不能为空/);
  });

  it('image/voice/video/file need a WeCom media_id', () => {
    expect(toKfOutbound({ type: 'image', media: { media_id: 'kefu-local' } }, { media_id: 'WX_MEDIA' })).toEqual({
      msgtype: 'image', image: { media_id: 'WX_MEDIA' },
    });
    expect(toKfOutbound({ type: 'file', media: {} }, { media_id: 'F' })).toEqual({ msgtype: 'file', file: { media_id: 'F' } });
    expect(() => toKfOutbound({ type: 'image', media: { media_id: 'kefu-local' } })).toThrow(/media_id/);
  });

  it('link with byte limits and thumb_media_id', () => {
    const link: MessageContent = { type: 'link', title: '标题', desc: '描述', url: 'https://e.x', pic_url: 'https://e.x/p' };
    expect(toKfOutbound(link, { thumb_media_id: 'T' })).toEqual({
      msgtype: 'link', link: { title: '标题', desc: '描述', url: 'https://e.x', thumb_media_id: 'T' },
    });
    expect(() => toKfOutbound(link)).toThrow(/thumb_media_id/);
    expect(() => toKfOutbound({ ...link, title: '标'.repeat(43) } as MessageContent, { thumb_media_id: 'T' })).toThrow(/链接标题.*129 字节 > 128/);
    expect(() => toKfOutbound({ ...link, desc: 'd'.repeat(513) } as MessageContent, { thumb_media_id: 'T' })).toThrow(/链接描述/);
    expect(() => toKfOutbound({ ...link, url: 'https://e.x/' + 'u'.repeat(2040) } as MessageContent, { thumb_media_id: 'T' })).toThrow(/链接地址/);
  });

  it('miniprogram with the 64-byte title limit', () => {
    const mp: MessageContent = { type: 'miniprogram', title: '商城', appid: 'wx1', pagepath: 'pages/i' };
    expect(toKfOutbound(mp, { thumb_media_id: 'T' })).toEqual({
      msgtype: 'miniprogram', miniprogram: { appid: 'wx1', title: '商城', thumb_media_id: 'T', pagepath: 'pages/i' },
    });
    expect(() => toKfOutbound({ ...mp, title: '商'.repeat(22) } as MessageContent, { thumb_media_id: 'T' })).toThrow(/小程序标题/);
    expect(() => toKfOutbound(mp)).toThrow(/thumb_media_id/);
  });

  it('menu → msgmenu with click/view/miniprogram items', () => {
    expect(
      toKfOutbound({
        type: 'menu', head: '请评价', tail: '谢谢',
        items: [
          { type: 'click', id: '101', content: '满意' },
          { type: 'view', url: 'https://e.x', content: '官网' },
          { type: 'miniprogram', appid: 'wx1', pagepath: 'p', content: '小程序' },
        ],
      }),
    ).toEqual({
      msgtype: 'msgmenu',
      msgmenu: {
        head_content: '请评价',
        list: [
          { type: 'click', click: { id: '101', content: '满意' } },
          { type: 'view', view: { url: 'https://e.x', content: '官网' } },
          { type: 'miniprogram', miniprogram: { appid: 'wx1', pagepath: 'p', content: '小程序' } },
        ],
        tail_content: '谢谢',
      },
    });
  });

  it('menu byte and count limits', () => {
    const click = (id: string, content: string) => ({ type: 'click' as const, id, content });
    const menu = (over: object): MessageContent => ({ type: 'menu', head: 'h', items: [click('1', 'ok')], ...over }) as MessageContent;
    expect(() => toKfOutbound(menu({ head: 'h'.repeat(KF_LIMITS.menuHead + 1) }))).toThrow(/菜单头部文字/);
    expect(() => toKfOutbound(menu({ tail: '尾'.repeat(342) }))).toThrow(/菜单尾部文字.*1026 字节 > 1024/);
    expect(() => toKfOutbound(menu({ items: Array.from({ length: 11 }, (_, i) => click(String(i), 'x')) }))).toThrow(/11 项 > 10 项/);
    expect(toKfOutbound(menu({ items: Array.from({ length: 10 }, (_, i) => click(String(i), 'x')) })).msgtype).toBe('msgmenu');
    expect(() => toKfOutbound(menu({ items: [click('i'.repeat(65), 'x')] }))).toThrow(/第 1 个菜单项的 id/);
    expect(() => toKfOutbound(menu({ items: [click('', 'x')] }))).toThrow(/不能为空/);
    expect(() => toKfOutbound(menu({ items: [click('1', '满'.repeat(43))] }))).toThrow(/129 字节 > 128/);
    expect(() => toKfOutbound(menu({ items: [{ type: 'view', url: 'u'.repeat(2049), content: 'x' }] }))).toThrow(/链接/);
    expect(() => toKfOutbound(menu({ items: [{ type: 'view', url: 'u', content: 'x'.repeat(1025) }] }))).toThrow(/文字/);
    expect(() => toKfOutbound(menu({ items: [{ type: 'miniprogram', appid: 'a'.repeat(33), pagepath: 'p', content: 'x' }] }))).toThrow(/appid/);
    expect(() => toKfOutbound(menu({ items: [{ type: 'miniprogram', appid: 'a', pagepath: 'p'.repeat(1025), content: 'x' }] }))).toThrow(/路径/);
    expect(() => toKfOutbound({ type: 'menu', items: [] })).toThrow(/不能为空/);
  });

  it('location', () => {
    expect(toKfOutbound({ type: 'location', latitude: 23.1, longitude: 113.3, name: '广州塔', address: '海珠区' })).toEqual({
      msgtype: 'location', location: { name: '广州塔', address: '海珠区', latitude: 23.1, longitude: 113.3 },
    });
    expect(() => toKfOutbound({ type: 'location', latitude: 91, longitude: 0 })).toThrow(/经纬度/);
  });

  it('business_card and event cannot be sent', () => {
    expect(() => toKfOutbound({ type: 'business_card', userid: 'x' })).toThrow(KfOutboundError);
    expect(() => toKfOutbound({ type: 'event', event: 'x', data: {} })).toThrow(/不支持/);
  });

  it('inbound → outbound round trip for text and menu', () => {
    const menuIn = mapKfItem({
      ...base, msgtype: 'msgmenu',
      msgmenu: { head_content: 'h', list: [{ type: 'click', click: { id: '1', content: 'a' } }], tail_content: 't' },
    }) as KfMappedMessage;
    expect(toKfOutbound(menuIn.content)).toEqual({
      msgtype: 'msgmenu',
      msgmenu: { head_content: 'h', list: [{ type: 'click', click: { id: '1', content: 'a' } }], tail_content: 't' },
    });
  });
});
