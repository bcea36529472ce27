/** The 微信客服 behaviour of the simulator (no HTTP here). */
import type { CallbackDispatcher } from './callbacks.js';
import { cgiParse } from './context.js';
import type { SimClock } from './clock.js';
import { ControlError, ERR, WecomApiError } from './errors.js';
import { newEventCode, newMediaId, newMsgid } from './ids.js';
import { sampleFile, type MediaType } from './samples.js';
import {
  OutgoingPayload,
  OUTGOING_TYPES,
  type CustomerMsgType,
  CustomerContent,
  type OutgoingType,
  SendMsgEnvelope,
  SendOnEventEnvelope,
} from './schemas.js';
import type { EventCode, EventCodeKind, InboxMessage, Media, ServiceState, Session, SimState, SyncItem } from './state.js';

export const H48 = 48 * 3600;
export const REPLY_LIMIT = 5;
export const TEXT_MAX_BYTES = 2048;
export const MEDIA_TTL_S = 3 * 86400;
const CODE_TTL: Record<EventCodeKind, number> = { welcome: 20, end: 20, pool: H48, connected: H48 };
const CODE_TYPES: Record<EventCodeKind, ReadonlyArray<'text' | 'msgmenu'>> = {
  welcome: ['text', 'msgmenu'],
  end: ['text', 'msgmenu'],
  pool: ['text'],
  connected: ['text'],
};

/** Allowed service_state/trans targets (the permissive table; 4 → nothing). */
export const TRANSITIONS: Record<ServiceState, ServiceState[]> = {
  0: [1, 2, 3, 4],
  1: [1, 2, 3, 4],
  2: [2, 3, 4],
  3: [3, 4],
  4: [],
};

export class KfService {
  constructor(
    private readonly state: SimState,
    private readonly clock: SimClock,
    private readonly callbacks: CallbackDispatcher,
  ) {}

  // ---------- media ----------
  addMedia(type: MediaType, data: Buffer, filename: string, mime: string): Media {
    const m: Media = { media_id: newMediaId(), type, data, filename, mime, created_at: this.clock.now() };
    this.state.media.set(m.media_id, m);
    return m;
  }

  getMedia(media_id: string): Media | undefined {
    const m = this.state.media.get(media_id);
    if (!m || this.clock.now() - m.created_at > MEDIA_TTL_S) return undefined;
    return m;
  }

  // ---------- checks ----------
  private requireAccountCgi(open_kfid: string) {
    if (!this.state.account(open_kfid)) throw new WecomApiError(ERR.OPEN_KFID_NOT_FOUND, open_kfid);
  }

  private requireCustomerCgi(external_userid: string) {
    if (!this.state.customers.has(external_userid)) throw new WecomApiError(ERR.INVALID_EXTERNAL_USERID, external_userid);
  }

  private requirePairControl(open_kfid: string, external_userid: string) {
    if (!this.state.account(open_kfid)) throw new ControlError(404, 'unknown_open_kfid', `no kf account ${open_kfid}`);
    if (!this.state.customers.has(external_userid)) throw new ControlError(404, 'unknown_customer', `no customer ${external_userid}`);
  }

  // ---------- customer side (control API) ----------
  private buildCustomerBody(msgtype: CustomerMsgType, raw: unknown): Record<string, unknown> {
    const r = CustomerContent[msgtype].safeParse(raw);
    if (!r.success) throw new ControlError(400, 'invalid_request', `${msgtype}: ${r.error.issues[0].message}`);
    const v = r.data as Record<string, unknown> | undefined;
    switch (msgtype) {
      case 'image':
      case 'voice':
      case 'video':
      case 'file': {
        const sample = sampleFile(msgtype);
        let data = sample.data;
        if (v?.data_base64) {
          data = Buffer.from(String(v.data_base64), 'base64');
          if (data.length === 0) throw new ControlError(400, 'invalid_request', 'data_base64 is empty');
        }
        const m = this.addMedia(msgtype, data, String(v?.filename ?? sample.filename), String(v?.mime ?? sample.mime));
        return { media_id: m.media_id };
      }
      case 'miniprogram': {
        const thumb = v?.thumb_media_id ?? this.addMedia('image', sampleFile('image').data, 'thumb.png', 'image/png').media_id;
        return { title: v?.title ?? '', appid: v?.appid, pagepath: v?.pagepath ?? '', thumb_media_id: thumb };
      }
      default:
        return { ...(v ?? {}) };
    }
  }

  customerSends(input: { open_kfid: string; external_userid: string; msgtype: CustomerMsgType; duplicate?: number } & Record<string, unknown>): SyncItem {
    this.requirePairControl(input.open_kfid, input.external_userid);
    const body = this.buildCustomerBody(input.msgtype, input[input.msgtype]);
    const now = this.clock.now();
    const s = this.state.session(input.open_kfid, input.external_userid);
    if (s.service_state === 4) this.restartSession(s);
    s.last_customer_msg_time = now;
    s.sent_count = 0;
    const item = this.state.append({
      msgid: newMsgid(),
      open_kfid: input.open_kfid,
      external_userid: input.external_userid,
      send_time: now,
      origin: 3,
      msgtype: input.msgtype,
      body,
    });
    this.callbacks.notify(input.open_kfid, input.duplicate ?? 0);
    return item;
  }

  servicerSends(input: { open_kfid: string; external_userid: string; servicer_userid: string; msgtype: CustomerMsgType } & Record<string, unknown>): SyncItem {
    this.requirePairControl(input.open_kfid, input.external_userid);
    if (!this.state.servicers.has(input.servicer_userid)) throw new ControlError(404, 'unknown_servicer', `no servicer ${input.servicer_userid}`);
    const body = this.buildCustomerBody(input.msgtype, input[input.msgtype]);
    const now = this.clock.now();
    this.state.session(input.open_kfid, input.external_userid);
    const item = this.state.append({
      msgid: newMsgid(),
      open_kfid: input.open_kfid,
      external_userid: input.external_userid,
      send_time: now,
      origin: 5,
      servicer_userid: input.servicer_userid,
      msgtype: input.msgtype,
      body,
    });
    this.state.pushInbox({
      msgid: item.msgid,
      open_kfid: input.open_kfid,
      external_userid: input.external_userid,
      msgtype: input.msgtype,
      [input.msgtype]: body,
      send_time: now,
      via: 'servicer',
      servicer_userid: input.servicer_userid,
    });
    this.callbacks.notify(input.open_kfid);
    return item;
  }

  private restartSession(s: Session) {
    s.service_state = 0;
    s.servicer_userid = '';
    s.code_issued_2 = false;
    s.code_issued_3 = false;
  }

  enter(input: { open_kfid: string; external_userid: string; scene?: string; scene_param?: string }): { item: SyncItem; welcome_code?: string } {
    this.requirePairControl(input.open_kfid, input.external_userid);
    const now = this.clock.now();
    const s = this.state.session(input.open_kfid, input.external_userid);
    const recent = (t: number | null) => t !== null && now - t <= H48;
    const eligible = !recent(s.last_welcome_time) && !recent(s.last_customer_msg_time);
    const welcome_code = eligible ? this.issueCode('welcome', s).code : undefined;
    const event: Record<string, unknown> = { event_type: 'enter_session', open_kfid: input.open_kfid, external_userid: input.external_userid };
    if (input.scene !== undefined) event.scene = input.scene;
    if (input.scene_param !== undefined) event.scene_param = input.scene_param;
    if (welcome_code) event.welcome_code = welcome_code;
    const item = this.appendEvent(input.open_kfid, input.external_userid, event);
    this.callbacks.notify(input.open_kfid);
    return { item, welcome_code };
  }

  /** Any other event (msg_send_fail, session_status_change, user_recall_msg, servicer_status_change, ...). */
  queueEvent(input: { open_kfid: string; external_userid?: string; event_type: string } & Record<string, unknown>): SyncItem {
    if (!this.state.account(input.open_kfid)) throw new ControlError(404, 'unknown_open_kfid', `no kf account ${input.open_kfid}`);
    if (input.external_userid !== undefined && !this.state.customers.has(input.external_userid)) {
      throw new ControlError(404, 'unknown_customer', `no customer ${input.external_userid}`);
    }
    const event: Record<string, unknown> = { ...input };
    if (input.event_type === 'session_status_change' && input.external_userid) {
      const s = this.state.session(input.open_kfid, input.external_userid);
      const type = Number(input.change_type);
      if (type === 1 || type === 2) {
        const servicer = String(input.new_servicer_userid ?? '');
        s.service_state = 3;
        s.servicer_userid = servicer;
        if (type === 1 && event.msg_code === undefined) event.msg_code = this.issueCode('connected', s).code;
      } else if (type === 3) {
        s.service_state = 4;
        s.servicer_userid = '';
        if (event.msg_code === undefined) event.msg_code = this.issueCode('end', s).code;
      }
    }
    const item = this.appendEvent(input.open_kfid, input.external_userid, event);
    this.callbacks.notify(input.open_kfid);
    return item;
  }

  private appendEvent(open_kfid: string, external_userid: string | undefined, event: Record<string, unknown>): SyncItem {
    return this.state.append({ msgid: newMsgid(), open_kfid, external_userid, send_time: this.clock.now(), origin: 4, msgtype: 'event', body: event });
  }

  private issueCode(kind: EventCodeKind, s: Session): EventCode {
    const c: EventCode = {
      code: newEventCode(),
      kind,
      open_kfid: s.open_kfid,
      external_userid: s.external_userid,
      expires_at: this.clock.now() + CODE_TTL[kind],
      used: false,
      bound_state: kind === 'welcome' ? null : s.service_state,
      msgtypes: CODE_TYPES[kind],
    };
    this.state.eventCodes.set(c.code, c);
    return c;
  }

  // ---------- /cgi-bin/kf ----------
  private parsePayload(msgtype: string, raw: unknown): { type: OutgoingType; payload: Record<string, unknown> } {
    if (!(OUTGOING_TYPES as string[]).includes(msgtype)) throw new WecomApiError(ERR.INVALID_MSGTYPE, msgtype);
    const type = msgtype as OutgoingType;
    const payload = cgiParse(OutgoingPayload[type], raw) as Record<string, unknown>;
    if (type === 'text' && Buffer.byteLength(String(payload.content), 'utf8') > TEXT_MAX_BYTES) {
      throw new WecomApiError(ERR.CONTENT_TOO_LONG, `text.content exceeds ${TEXT_MAX_BYTES} bytes`);
    }
    for (const key of ['media_id', 'thumb_media_id']) {
      if (typeof payload[key] === 'string' && !this.getMedia(payload[key] as string)) {
        throw new WecomApiError(ERR.INVALID_MEDIA_ID, String(payload[key]));
      }
    }
    return { type, payload };
  }

  private takeMsgid(open_kfid: string, msgid: string | undefined): string {
    const used = this.state.msgidSet(open_kfid);
    if (msgid !== undefined && used.has(msgid)) throw new WecomApiError(ERR.DUPLICATE_MSGID, msgid);
    let id = msgid;
    while (id === undefined || used.has(id)) id = newMsgid();
    return id;
  }

  sendMsg(body: unknown): { msgid: string } {
    const env = cgiParse(SendMsgEnvelope, body);
    this.requireAccountCgi(env.open_kfid);
    this.requireCustomerCgi(env.touser);
    const { type, payload } = this.parsePayload(env.msgtype, (body as Record<string, unknown>)[env.msgtype]);
    const used = this.state.msgidSet(env.open_kfid);
    if (env.msgid !== undefined && used.has(env.msgid)) throw new WecomApiError(ERR.DUPLICATE_MSGID, env.msgid);
    const s = this.state.session(env.open_kfid, env.touser);
    if (s.service_state !== 0 && s.service_state !== 1) {
      throw new WecomApiError(ERR.SESSION_STATE_INVALID, `service_state ${s.service_state}`);
    }
    const now = this.clock.now();
    if (s.last_customer_msg_time === null || now - s.last_customer_msg_time > H48) throw new WecomApiError(ERR.REPLY_WINDOW_CLOSED);
    if (s.sent_count >= REPLY_LIMIT) throw new WecomApiError(ERR.REPLY_LIMIT_EXCEEDED);
    const msgid = this.takeMsgid(env.open_kfid, env.msgid);
    used.add(msgid);
    s.sent_count += 1;
    this.deliver({ msgid, open_kfid: env.open_kfid, external_userid: env.touser, msgtype: type, [type]: payload, send_time: now, via: 'send_msg' });
    return { msgid };
  }

  sendMsgOnEvent(body: unknown): { msgid: string } {
    const env = cgiParse(SendOnEventEnvelope, body);
    const now = this.clock.now();
    const code = this.state.eventCodes.get(env.code);
    if (!code || code.used || now > code.expires_at) throw new WecomApiError(ERR.INVALID_EVENT_CODE, !code ? 'unknown code' : code.used ? 'code already used' : 'code expired');
    const s = this.state.session(code.open_kfid, code.external_userid);
    if (code.bound_state !== null && s.service_state !== code.bound_state) throw new WecomApiError(ERR.INVALID_EVENT_CODE, 'session state changed');
    if (!(code.msgtypes as string[]).includes(env.msgtype)) throw new WecomApiError(ERR.INVALID_MSGTYPE, `${env.msgtype} not allowed for this code`);
    const { type, payload } = this.parsePayload(env.msgtype, (body as Record<string, unknown>)[env.msgtype]);
    const msgid = this.takeMsgid(code.open_kfid, env.msgid);
    this.state.msgidSet(code.open_kfid).add(msgid);
    code.used = true;
    if (code.kind === 'welcome') s.last_welcome_time = now;
    this.deliver({ msgid, open_kfid: code.open_kfid, external_userid: code.external_userid, msgtype: type, [type]: payload, send_time: now, via: 'send_msg_on_event' });
    return { msgid };
  }

  private deliver(msg: InboxMessage) {
    this.state.pushInbox(msg);
  }

  getServiceState(open_kfid: string, external_userid: string): { service_state: ServiceState; servicer_userid: string } {
    this.requireAccountCgi(open_kfid);
    this.requireCustomerCgi(external_userid);
    const s = this.state.peekSession(open_kfid, external_userid);
    return { service_state: s?.service_state ?? 0, servicer_userid: s?.service_state === 3 ? s.servicer_userid : '' };
  }

  transServiceState(input: { open_kfid: string; external_userid: string; service_state: number; servicer_userid?: string }): { msg_code?: string } {
    this.requireAccountCgi(input.open_kfid);
    this.requireCustomerCgi(input.external_userid);
    const s = this.state.session(input.open_kfid, input.external_userid);
    const target = input.service_state as ServiceState;
    if (!TRANSITIONS[s.service_state].includes(target)) {
      throw new WecomApiError(ERR.STATE_TRANSITION_NOT_ALLOWED, `${s.service_state} -> ${target}`);
    }
    if (target === 3) {
      if (!input.servicer_userid) throw new WecomApiError(ERR.INVALID_PARAMETER, 'servicer_userid is required for service_state 3');
      if (!this.state.servicers.has(input.servicer_userid)) throw new WecomApiError(ERR.USERID_NOT_FOUND, input.servicer_userid);
    }
    s.service_state = target;
    s.servicer_userid = target === 3 ? input.servicer_userid! : '';
    let msg_code: string | undefined;
    if (target === 2 && !s.code_issued_2) {
      s.code_issued_2 = true;
      msg_code = this.issueCode('pool', s).code;
    } else if (target === 3 && !s.code_issued_3) {
      s.code_issued_3 = true;
      msg_code = this.issueCode('connected', s).code;
    } else if (target === 4) {
      msg_code = this.issueCode('end', s).code;
    }
    return msg_code ? { msg_code } : {};
  }
}
