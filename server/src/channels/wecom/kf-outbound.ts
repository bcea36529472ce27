import { readFileSync } from 'node:fs';
import type { ChannelAdapter, SendResult } from '../../core/channel.js';
import type { MediaRef, MessageContent } from '../../core/message.js';
import type { MediaStore } from '../../media/store.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { AppError } from '../../core/errors.js';
import { sendErrorReason, toKfOutbound, WINDOW_CLOSED_ERRCODES, type KfOutboundMedia } from './kf-mapping.js';
import type { KfWindows } from './kf-window.js';
import { WecomApiError, type WecomApiClient } from './api-client.js';
import { KF_STATE, type KfSessions } from './kf-sessions.js';
import type { KfEndCodes } from './kf-end-codes.js';

/**
 * Outbound 微信客服 messages: checks kefu's own copy of the reply window first (so the agent
 * learns at once, without a doomed API call), then kf/send_msg with kefu's message id as
 * `msgid` (WeCom dedupes it, so a retried send cannot double).
 */
/** Links and mini-program cards need a thumbnail on WeCom; this one is used when none is given. */
const DEFAULT_THUMB = readFileSync(new URL('../../../assets/link-thumb.png', import.meta.url));
const IMAGE_MAX = 10 * 1024 * 1024;

export function kfChannelAdapter(deps: { api: WecomApiClient; windows: KfWindows; sessions: KfSessions; endCodes: KfEndCodes; media: MediaStore; clock: Clock; log: Logger }): ChannelAdapter {
  const { api, windows, sessions, endCodes, clock, log } = deps;

  /** Uploads kefu media to WeCom (media/upload): WeCom only sends its own media_ids. */
  const uploadImage = async (ref: MediaRef | undefined): Promise<string> => {
    if (!ref?.media_id) return api.uploadMedia('image', DEFAULT_THUMB, 'thumb.png', 'image/png');
    const f = await deps.media.read(ref.media_id);
    if (!f.mime.startsWith('image/')) throw new AppError(400, 'invalid_content', '只能发送图片文件作为图片消息或缩略图');
    if (f.bytes.length > IMAGE_MAX) throw new AppError(400, 'content_too_long', '图片超过企业微信 10 MB 的上限');
    return api.uploadMedia('image', f.bytes, f.filename ?? 'image', f.mime);
  };
  const wecomMedia = async (c: MessageContent): Promise<KfOutboundMedia> => {
    if (c.type === 'image') return { media_id: await uploadImage(c.media) };
    if (c.type === 'link' || c.type === 'miniprogram') return { thumb_media_id: await uploadImage(c.thumb) };
    return {};
  };

  return {
    channel: 'wecom_kf',
    async send({ conversation, external_id, message, keep_reply_slots }): Promise<SendResult> {
      const open_kfid = conversation.channel_account;
      if (conversation.service_state === KF_STATE.servicer) {
        return { ok: false, code: 'wecom_native_servicer', reason: '该会话已转给企业微信客服人员接待，kefu 无法再发送' };
      }
      let payload;
      try {
        payload = toKfOutbound(message.content, await wecomMedia(message.content));
      } catch (e) {
        if (e instanceof AppError) return { ok: false, code: e.code, reason: e.message };
        throw e;
      }
      const slot = await windows.reserve(open_kfid, external_id, clock.now(), keep_reply_slots);
      if (!slot.ok) return { ok: false, code: slot.code, reason: slot.reason };
      try {
        await api.sendMsg({ touser: external_id, open_kfid, msgid: message.id, ...payload });
        return { ok: true, channel_msg_id: message.id };
      } catch (e) {
        if (!(e instanceof WecomApiError)) throw e;
        const { code, reason } = sendErrorReason(e.errcode, e.errmsg);
        if (WINDOW_CLOSED_ERRCODES.has(e.errcode)) await windows.close(open_kfid, external_id);
        else await windows.release(open_kfid, external_id);
        log.warn({ errcode: e.errcode, message_id: message.id }, 'kf send_msg refused');
        return { ok: false, code, reason };
      }
    },
    async replyBudget({ conversation, external_id }) {
      if (conversation.service_state === KF_STATE.servicer) return 0;
      return windows.remaining(conversation.channel_account, external_id, clock.now());
    },
    async onClosed({ conversation, external_id }) {
      if (conversation.service_state !== null && conversation.service_state !== KF_STATE.ended) {
        const r = await sessions.trans(conversation, external_id, KF_STATE.ended);
        // WeCom's session-end code allows one text/menu message (the survey) for 20 s
        if (r?.msg_code) await endCodes.put(conversation.id, r.msg_code);
      }
    },
    async sendAfterClose(ctx) {
      const c = ctx.message.content;
      const code = c.type === 'text' || c.type === 'menu' ? await endCodes.take(ctx.conversation.id) : undefined;
      if (!code) return this.send(ctx);
      try {
        await api.sendMsgOnEvent({ code, msgid: ctx.message.id, ...toKfOutbound(c) });
        return { ok: true, channel_msg_id: ctx.message.id };
      } catch (e) {
        if (e instanceof AppError) return { ok: false, code: e.code, reason: e instanceof WecomApiError ? sendErrorReason(e.errcode, e.errmsg).reason : e.message };
        throw e;
      }
    },
  };
}
