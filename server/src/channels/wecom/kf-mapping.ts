/**
 * Pure mapping between WeCom 微信客服 (kf) wire shapes and kefu's internal message format.
 *
 * - `mapKfItem`: one `sync_msg` `msg_list` item → an internal message or event (fact sheet C3).
 *   External input: every field is checked; unknown msgtypes and event types never throw.
 * - `toKfOutbound`: internal content → the `msgtype` + payload part of a `send_msg` body (C4),
 *   enforcing the documented byte limits with a clear error.
 * - `failTypeReason` / `sendErrorReason`: Chinese, actionable reasons shown to agents (C3, C5).
 */
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import type { MenuItem, MessageContent } from '../../core/message.js';

// ---------------------------------------------------------------------------------------------
// Inbound: sync_msg item → internal
// ---------------------------------------------------------------------------------------------

/** `origin` of a sync_msg item. */
export const KF_ORIGIN = { customer: 3, system: 4, servicer: 5 } as const;

export type KfMediaKind = 'image' | 'voice' | 'video' | 'file' | 'thumb';

export type KfMappedMessage = {
  kind: 'message';
  msgid: string;
  open_kfid: string;
  external_userid: string;
  /** 3 customer, 4 system, 5 servicer via the WeCom client (see KF_ORIGIN) */
  origin: number;
  servicer_userid?: string;
  /** ISO 8601, from `send_time` (seconds) */
  sent_at: string;
  content: MessageContent;
  /** WeCom media to download (media/get) and store; then fill `content.media` / `content.thumb` */
  mediaToFetch?: { media_id: string; kind: KfMediaKind };
};

export type KfMappedEvent = {
  kind: 'event';
  msgid: string;
  /** enter_session, msg_send_fail, servicer_status_change, session_status_change,
   *  user_recall_msg, servicer_recall_msg, or any other (unknown) value as sent */
  event_type: string;
  open_kfid?: string;
  external_userid?: string;
  sent_at: string;
  /** every field of the event object except event_type/open_kfid/external_userid; known
   *  numeric fields are numbers; msg_send_fail also gets `fail_reason` (Chinese) */
  data: Record<string, unknown>;
};

export type KfMapped = KfMappedMessage | KfMappedEvent;

/** Thrown only when an item lacks the fields needed to identify it (msgid, msgtype, send_time,
 *  and open_kfid/external_userid for non-event items). Callers should log `msgid` and skip. */
export class KfMappingError extends Error {
  constructor(message: string, readonly msgid?: string) {
    super(message);
    this.name = 'KfMappingError';
  }
}

const str = z.string();
const optStr = z.string().optional();
/** numbers sometimes arrive as numeric strings */
const num = z.union([z.number(), z.string().trim().regex(/^-?\d+(\.\d+)?$/).transform(Number)]);

const common = z.object({
  msgid: z.string().min(1),
  msgtype: z.string().min(1),
  send_time: num,
  open_kfid: optStr,
  external_userid: optStr,
  origin: num.optional(),
  servicer_userid: optStr,
});

const payloads = {
  text: z.object({ content: z.string(), menu_id: optStr }),
  media: z.object({ media_id: z.string().min(1) }),
  location: z.object({ latitude: num, longitude: num, name: optStr, address: optStr }),
  link: z.object({ title: z.string().default(''), desc: optStr, url: str, pic_url: optStr }),
  business_card: z.object({ userid: str }),
  miniprogram: z.object({ title: z.string().default(''), appid: str, pagepath: z.string().default(''), thumb_media_id: optStr }),
  msgmenu: z.object({ head_content: optStr, list: z.array(z.unknown()).default([]), tail_content: optStr }),
};

const menuItemIn = z.discriminatedUnion('type', [
  z.object({ type: z.literal('click'), click: z.object({ id: z.string().default(''), content: z.string() }) }),
  z.object({ type: z.literal('view'), view: z.object({ url: z.string(), content: z.string() }) }),
  z.object({
    type: z.literal('miniprogram'),
    miniprogram: z.object({ appid: z.string(), pagepath: z.string().default(''), content: z.string() }),
  }),
]);

function isoFromSeconds(s: number, msgid: string): string {
  const d = new Date(s * 1000);
  if (!Number.isFinite(s) || Number.isNaN(d.getTime())) throw new KfMappingError(`invalid send_time on ${msgid}`, msgid);
  return d.toISOString();
}

function asRecord(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** content for a message whose msgtype kefu does not model (channels, merged_msg, …) */
const unsupported = (msgtype: string): MessageContent => ({ type: 'event', event: 'unsupported_msgtype', data: { msgtype } });
/** content for a known msgtype whose payload did not have the documented fields */
const malformed = (msgtype: string): MessageContent => ({ type: 'event', event: 'malformed_message', data: { msgtype } });

function mapMenuItems(list: unknown[]): MenuItem[] {
  const out: MenuItem[] = [];
  for (const raw of list) {
    const r = menuItemIn.safeParse(raw);
    if (!r.success) continue; // unknown menu item types are dropped, never fatal
    const it = r.data;
    if (it.type === 'click') out.push({ type: 'click', id: it.click.id, content: it.click.content });
    else if (it.type === 'view') out.push({ type: 'view', url: it.view.url, content: it.view.content });
    else out.push({ type: 'miniprogram', appid: it.miniprogram.appid, pagepath: it.miniprogram.pagepath, content: it.miniprogram.content });
  }
  return out;
}

type ContentResult = { content: MessageContent; mediaToFetch?: KfMappedMessage['mediaToFetch'] };

function mapContent(msgtype: string, payload: unknown): ContentResult {
  switch (msgtype) {
    case 'text': {
      const p = payloads.text.safeParse(payload);
      if (!p.success) return { content: malformed(msgtype) };
      return { content: { type: 'text', text: p.data.content, ...(p.data.menu_id ? { menu_id: p.data.menu_id } : {}) } };
    }
    case 'image':
    case 'voice':
    case 'video':
    case 'file': {
      const p = payloads.media.safeParse(payload);
      if (!p.success) return { content: malformed(msgtype) };
      return { content: { type: msgtype, media: {} }, mediaToFetch: { media_id: p.data.media_id, kind: msgtype } };
    }
    case 'location': {
      const p = payloads.location.safeParse(payload);
      if (!p.success) return { content: malformed(msgtype) };
      const { latitude, longitude, name, address } = p.data;
      return { content: { type: 'location', latitude, longitude, ...(name !== undefined ? { name } : {}), ...(address !== undefined ? { address } : {}) } };
    }
    case 'link': {
      const p = payloads.link.safeParse(payload);
      if (!p.success) return { content: malformed(msgtype) };
      const { title, desc, url, pic_url } = p.data;
      return { content: { type: 'link', title, url, ...(desc !== undefined ? { desc } : {}), ...(pic_url ? { pic_url } : {}) } };
    }
    case 'business_card': {
      const p = payloads.business_card.safeParse(payload);
      if (!p.success) return { content: malformed(msgtype) };
      return { content: { type: 'business_card', userid: p.data.userid } };
    }
    case 'miniprogram': {
      const p = payloads.miniprogram.safeParse(payload);
      if (!p.success) return { content: malformed(msgtype) };
      const { title, appid, pagepath, thumb_media_id } = p.data;
      if (!thumb_media_id) return { content: { type: 'miniprogram', title, appid, pagepath } };
      return {
        content: { type: 'miniprogram', title, appid, pagepath, thumb: {} },
        mediaToFetch: { media_id: thumb_media_id, kind: 'thumb' },
      };
    }
    case 'msgmenu': {
      const p = payloads.msgmenu.safeParse(payload);
      if (!p.success) return { content: malformed(msgtype) };
      const { head_content, list, tail_content } = p.data;
      return {
        content: {
          type: 'menu',
          items: mapMenuItems(list),
          ...(head_content !== undefined ? { head: head_content } : {}),
          ...(tail_content !== undefined ? { tail: tail_content } : {}),
        },
      };
    }
    default:
      return { content: unsupported(msgtype) };
  }
}

/** numeric fields of known events, normalised to numbers when they arrive as strings */
const EVENT_NUMERIC_FIELDS = ['fail_type', 'status', 'change_type', 'scene_type'] as const;

function mapEventData(eventType: string, ev: Record<string, unknown>): Record<string, unknown> {
  const { event_type: _t, open_kfid: _k, external_userid: _u, ...rest } = ev;
  const data: Record<string, unknown> = { ...rest };
  for (const f of EVENT_NUMERIC_FIELDS) {
    const r = num.safeParse(data[f]);
    if (r.success) data[f] = r.data;
  }
  if (eventType === 'msg_send_fail') {
    const ft = typeof data.fail_type === 'number' ? data.fail_type : 0;
    data.fail_reason = failTypeReason(ft);
  }
  return data;
}

/**
 * Map one `sync_msg` `msg_list` item. Never throws for unknown msgtypes / event types or for
 * malformed payloads of known types (those become `event` contents); throws KfMappingError only
 * when the item cannot be identified at all.
 */
export function mapKfItem(item: unknown): KfMapped {
  const c = common.safeParse(item);
  if (!c.success) {
    const msgid = typeof asRecord(item).msgid === 'string' ? (asRecord(item).msgid as string) : undefined;
    throw new KfMappingError(
      `sync_msg item is missing ${c.error.issues.map((i) => i.path.join('.') || '(root)').join(', ')}`,
      msgid,
    );
  }
  const it = c.data;
  const raw = asRecord(item);
  const sent_at = isoFromSeconds(it.send_time, it.msgid);

  if (it.msgtype === 'event') {
    const ev = asRecord(raw.event);
    const event_type = typeof ev.event_type === 'string' && ev.event_type ? ev.event_type : 'unknown';
    const open_kfid = typeof ev.open_kfid === 'string' ? ev.open_kfid : it.open_kfid;
    const external_userid = typeof ev.external_userid === 'string' ? ev.external_userid : it.external_userid;
    return {
      kind: 'event',
      msgid: it.msgid,
      event_type,
      ...(open_kfid ? { open_kfid } : {}),
      ...(external_userid ? { external_userid } : {}),
      sent_at,
      data: mapEventData(event_type, ev),
    };
  }

  if (!it.open_kfid || !it.external_userid) {
    throw new KfMappingError(`sync_msg ${it.msgtype} item ${it.msgid} has no open_kfid/external_userid`, it.msgid);
  }
  const { content, mediaToFetch } = mapContent(it.msgtype, raw[it.msgtype]);
  return {
    kind: 'message',
    msgid: it.msgid,
    open_kfid: it.open_kfid,
    external_userid: it.external_userid,
    origin: it.origin ?? KF_ORIGIN.customer,
    ...(it.servicer_userid ? { servicer_userid: it.servicer_userid } : {}),
    sent_at,
    content,
    ...(mediaToFetch ? { mediaToFetch } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Human reasons
// ---------------------------------------------------------------------------------------------

const FAIL_TYPE_REASONS: Record<number, string> = {
  0: '发送失败，企业微信未说明原因，请稍后重试',
  1: '客服账号已被删除，消息无法送达',
  2: '调用接口的应用已停用或删除，请在企业微信管理后台检查应用状态',
  4: '会话已超过 48 小时，需等待客户再次发言后才能继续发送',
  5: '会话已结束，需等待客户再次发言后才能继续发送',
  6: '超过 5 条消息限制：48 小时内已回复 5 条，需等待客户再次发言后才能继续发送',
  7: '企业主体未绑定视频号，无法向该客户发送消息',
  8: '企业主体未完成验证，无法向该客户发送消息',
  9: '企业主体未绑定视频号且未完成验证，无法向该客户发送消息',
  10: '客户已设置拒收该客服账号的消息',
};

/** Chinese reason for a `msg_send_fail` event's `fail_type` (fact sheet C3). */
export function failTypeReason(failType: number): string {
  return FAIL_TYPE_REASONS[failType] ?? `消息发送失败（fail_type=${failType}），请稍后重试`;
}

const SEND_ERROR_REASONS: Record<number, string> = {
  [-2]: '连接企业微信超时或网络异常，请稍后重试',
  [-1]: '企业微信系统繁忙，请稍后重试',
  40001: '企业微信 Secret 不正确，请检查 WECOM_KF_SECRET 配置',
  40013: '企业 ID（CorpID）不正确，请检查 WECOM_CORP_ID 配置',
  40014: '企业微信 access_token 无效，请稍后重试',
  40091: 'Secret 不属于该企业，请检查 WECOM_KF_SECRET 配置',
  40096: '客户 ID（external_userid）无效，可能不是本企业的客户',
  40201: '客服账号因发送违规内容已被封禁，暂时无法发送',
  41051: '欢迎语已被其他应用发送或客户已开始聊天，本次欢迎语未发送',
  42001: '企业微信 access_token 已过期，请稍后重试',
  45009: '调用企业微信接口过于频繁，请稍后重试',
  45033: '企业微信接口并发调用过多，请稍后重试',
  48002: '应用没有调用该接口的权限，请在「微信客服 → 可调用接口的应用」中添加本应用',
  60020: '服务器出口 IP 不在应用的「企业可信 IP」列表中，请在企业微信管理后台添加',
  84061: '该客户与企业不存在外部联系人关系',
  95000: '客服账号 ID（open_kfid）无效',
  95001: '48 小时内已回复 5 条，需等待客户再次发言后才能继续发送',
  95002: '会话已超过 48 小时，需等待客户再次发言后才能继续发送',
  95004: '客服账号不存在或已被删除（open_kfid 不存在）',
  95011: '该客服账号已在企业微信客户端中接待，请在管理后台改为「通过 API 管理」',
  95012: '该客服账号未在企业微信中启用微信客服',
  95013: '会话已结束，需等待客户再次发言后才能继续发送',
  95016: '当前会话状态不允许这样转换，请刷新会话后重试',
  95017: '微信客服的 API 开关已关闭，请在管理后台开启「通过 API 管理微信客服账号」',
  95018: '会话当前不允许通过接口发送（已转人工客户端、排队中或已结束），请刷新会话状态',
  95021: '未配置升级服务的目标，请在管理后台配置后重试',
};

/** Machine code + Chinese reason for an errcode returned by send_msg (and related kf calls). */
export function sendErrorReason(errcode: number, errmsg?: string): { code: string; reason: string } {
  const reason = SEND_ERROR_REASONS[errcode];
  if (errcode === -2) return { code: 'wecom_timeout', reason: reason! };
  if (reason) return { code: `wecom_${errcode}`, reason };
  return { code: `wecom_${errcode}`, reason: `企业微信返回错误 ${errcode}${errmsg ? `：${errmsg.slice(0, 120)}` : ''}` };
}

/** errcodes meaning "the reply window is closed: wait for the customer" (not retryable) */
export const WINDOW_CLOSED_ERRCODES: ReadonlySet<number> = new Set([95001, 95002, 95013, 95018]);

// ---------------------------------------------------------------------------------------------
// Outbound: internal content → send_msg payload
// ---------------------------------------------------------------------------------------------

export type KfMenuItemOut =
  | { type: 'click'; click: { id: string; content: string } }
  | { type: 'view'; view: { url: string; content: string } }
  | { type: 'miniprogram'; miniprogram: { appid: string; pagepath: string; content: string } };

export type KfOutbound =
  | { msgtype: 'text'; text: { content: string } }
  | { msgtype: 'image'; image: { media_id: string } }
  | { msgtype: 'voice'; voice: { media_id: string } }
  | { msgtype: 'video'; video: { media_id: string } }
  | { msgtype: 'file'; file: { media_id: string } }
  | { msgtype: 'link'; link: { title: string; desc?: string; url: string; thumb_media_id: string } }
  | { msgtype: 'miniprogram'; miniprogram: { appid: string; title: string; thumb_media_id: string; pagepath: string } }
  | { msgtype: 'msgmenu'; msgmenu: { head_content?: string; list: KfMenuItemOut[]; tail_content?: string } }
  | { msgtype: 'location'; location: { name?: string; address?: string; latitude: number; longitude: number } };

/** WeCom media ids for the outbound payload (kefu's own MediaRef ids are NOT WeCom media ids). */
export type KfOutboundMedia = {
  /** WeCom media_id (from media/upload) for image/voice/video/file */
  media_id?: string;
  /** WeCom media_id of the thumbnail, required for link and miniprogram */
  thumb_media_id?: string;
};

/** A payload that WeCom would reject. `code`: content_too_long | invalid_content | media_required | unsupported_content */
export class KfOutboundError extends AppError {
  constructor(code: string, message: string, readonly field?: string) {
    super(400, code, message, field ? { field } : undefined);
    this.name = 'KfOutboundError';
  }
}

/** Documented send_msg byte limits (fact sheet C4). */
export const KF_LIMITS = {
  text: 2048,
  linkTitle: 128,
  linkDesc: 512,
  linkUrl: 2048,
  miniprogramTitle: 64,
  menuHead: 1024,
  menuTail: 1024,
  menuItems: 10,
  clickId: 64,
  clickContent: 128,
  viewUrl: 2048,
  viewContent: 1024,
  mpAppid: 32,
  mpPagepath: 1024,
  mpContent: 1024,
} as const;

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

function maxBytes(field: string, label: string, value: string | undefined, limit: number, min = 0): void {
  if (value === undefined) {
    if (min > 0) throw new KfOutboundError('invalid_content', `${label}不能为空`, field);
    return;
  }
  const n = bytes(value);
  if (n < min) throw new KfOutboundError('invalid_content', `${label}不能为空`, field);
  if (n > limit) {
    throw new KfOutboundError(
      'content_too_long',
      `${label}超过企业微信上限：${n} 字节 > ${limit} 字节（UTF-8，一个汉字约 3 字节，约 ${Math.floor(limit / 3)} 个汉字），请缩短后重试`,
      field,
    );
  }
}

function requireMedia(id: string | undefined, field: string, label: string): string {
  if (!id) throw new KfOutboundError('media_required', `${label}需要先上传到企业微信（缺少 ${field}）`, field);
  return id;
}

function mediaPayload(type: 'image' | 'voice' | 'video' | 'file', media_id: string): KfOutbound {
  switch (type) {
    case 'image': return { msgtype: 'image', image: { media_id } };
    case 'voice': return { msgtype: 'voice', voice: { media_id } };
    case 'video': return { msgtype: 'video', video: { media_id } };
    case 'file': return { msgtype: 'file', file: { media_id } };
  }
}

/**
 * Build the `msgtype` + payload part of a send_msg / send_msg_on_event body. Throws
 * KfOutboundError (400) for payloads WeCom would reject: byte limits, missing media ids,
 * unsupported content types (business_card, event).
 */
export function toKfOutbound(content: MessageContent, media: KfOutboundMedia = {}): KfOutbound {
  switch (content.type) {
    case 'text':
      maxBytes('text', '文本消息', content.text, KF_LIMITS.text, 1);
      return { msgtype: 'text', text: { content: content.text } };
    case 'image':
    case 'voice':
    case 'video':
    case 'file': {
      return mediaPayload(content.type, requireMedia(media.media_id, 'media_id', '媒体文件'));
    }
    case 'link': {
      maxBytes('title', '链接标题', content.title, KF_LIMITS.linkTitle, 1);
      maxBytes('desc', '链接描述', content.desc, KF_LIMITS.linkDesc);
      maxBytes('url', '链接地址', content.url, KF_LIMITS.linkUrl, 1);
      const thumb_media_id = requireMedia(media.thumb_media_id, 'thumb_media_id', '链接缩略图');
      return {
        msgtype: 'link',
        link: { title: content.title, ...(content.desc ? { desc: content.desc } : {}), url: content.url, thumb_media_id },
      };
    }
    case 'miniprogram': {
      maxBytes('title', '小程序标题', content.title, KF_LIMITS.miniprogramTitle, 1);
      maxBytes('appid', '小程序 appid', content.appid, KF_LIMITS.mpAppid, 1);
      maxBytes('pagepath', '小程序页面路径', content.pagepath, KF_LIMITS.mpPagepath, 1);
      const thumb_media_id = requireMedia(media.thumb_media_id, 'thumb_media_id', '小程序封面');
      return {
        msgtype: 'miniprogram',
        miniprogram: { appid: content.appid, title: content.title, thumb_media_id, pagepath: content.pagepath },
      };
    }
    case 'menu': {
      maxBytes('head', '菜单头部文字', content.head, KF_LIMITS.menuHead);
      maxBytes('tail', '菜单尾部文字', content.tail, KF_LIMITS.menuTail);
      if (content.items.length > KF_LIMITS.menuItems) {
        throw new KfOutboundError(
          'content_too_long',
          `菜单选项超过企业微信上限：${content.items.length} 项 > ${KF_LIMITS.menuItems} 项`,
          'items',
        );
      }
      if (content.items.length === 0 && !content.head && !content.tail) {
        throw new KfOutboundError('invalid_content', '菜单消息不能为空', 'items');
      }
      const list = content.items.map((it, i): KfMenuItemOut => {
        const f = `items[${i}]`;
        const n = `第 ${i + 1} 个菜单项`;
        switch (it.type) {
          case 'click':
            maxBytes(`${f}.id`, `${n}的 id`, it.id, KF_LIMITS.clickId, 1);
            maxBytes(`${f}.content`, `${n}的文字`, it.content, KF_LIMITS.clickContent, 1);
            return { type: 'click', click: { id: it.id, content: it.content } };
          case 'view':
            maxBytes(`${f}.url`, `${n}的链接`, it.url, KF_LIMITS.viewUrl, 1);
            maxBytes(`${f}.content`, `${n}的文字`, it.content, KF_LIMITS.viewContent, 1);
            return { type: 'view', view: { url: it.url, content: it.content } };
          case 'miniprogram':
            maxBytes(`${f}.appid`, `${n}的小程序 appid`, it.appid, KF_LIMITS.mpAppid, 1);
            maxBytes(`${f}.pagepath`, `${n}的小程序路径`, it.pagepath, KF_LIMITS.mpPagepath, 1);
            maxBytes(`${f}.content`, `${n}的文字`, it.content, KF_LIMITS.mpContent, 1);
            return { type: 'miniprogram', miniprogram: { appid: it.appid, pagepath: it.pagepath, content: it.content } };
        }
      });
      return {
        msgtype: 'msgmenu',
        msgmenu: {
          ...(content.head ? { head_content: content.head } : {}),
          list,
          ...(content.tail ? { tail_content: content.tail } : {}),
        },
      };
    }
    case 'location': {
      const { latitude, longitude } = content;
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude) || Math.abs(latitude) > 90 || Math.abs(longitude) > 180) {
        throw new KfOutboundError('invalid_content', '位置的经纬度无效', 'latitude');
      }
      return {
        msgtype: 'location',
        location: {
          ...(content.name ? { name: content.name } : {}),
          ...(content.address ? { address: content.address } : {}),
          latitude,
          longitude,
        },
      };
    }
    case 'business_card':
    case 'event':
      throw new KfOutboundError('unsupported_content', `微信客服不支持发送该类型的消息（${content.type}）`, 'type');
  }
}
