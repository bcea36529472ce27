/** The /sim control API used by tests, the bench and the customer console. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { simParse, type SimContext } from '../context.js';
import { ControlError } from '../errors.js';
import { H48, REPLY_LIMIT } from '../kf.js';
import { newExternalUserid, newUnionid } from '../ids.js';
import { avatarSvg } from '../samples.js';
import {
  SimCallbackUrlBody,
  SimClockBody,
  SimConversationQuery,
  SimCountBody,
  SimCustomerBody,
  SimEnterBody,
  SimEventBody,
  SimInboxQuery,
  SimMessageBody,
  SimServicerBody,
  SimServicerMessageBody,
} from '../schemas.js';
import { toWire } from '../state.js';
import { sendMedia } from './media.js';

export function registerSimRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { state, clock, kf, callbacks } = ctx;

  app.get('/sim/info', async () => ({
    corp_id: ctx.config.corpId,
    callback_url: ctx.callbackUrl,
    sync_page_size: ctx.config.syncPageSize,
    retry_delays_ms: ctx.config.retryDelaysMs,
    now: clock.now(),
  }));

  app.get('/sim/kf/accounts', async () => ({ accounts: state.accounts }));

  app.get('/sim/servicers', async () => ({ servicers: [...state.servicers] }));
  app.post('/sim/servicers', async (req) => {
    const b = simParse(SimServicerBody, req.body);
    state.servicers.add(b.userid);
    return { servicers: [...state.servicers] };
  });

  app.get('/sim/customers', async () => ({ customers: [...state.customers.values()] }));
  app.post('/sim/customers', async (req) => {
    const b = simParse(SimCustomerBody, req.body);
    const existing = [...state.customers.values()].find((c) => c.nickname === b.nickname);
    if (existing) return { external_userid: existing.external_userid, nickname: existing.nickname, created: false };
    const c = { external_userid: newExternalUserid(), nickname: b.nickname, gender: b.gender ?? 0, unionid: newUnionid(), created_at: clock.now() };
    state.customers.set(c.external_userid, c);
    return { external_userid: c.external_userid, nickname: c.nickname, created: true };
  });

  app.post('/sim/kf/enter', async (req) => {
    const b = simParse(SimEnterBody, req.body);
    const { item, welcome_code } = kf.enter(b);
    return { msgid: item.msgid, event: toWire(item).event, ...(welcome_code ? { welcome_code } : {}) };
  });

  app.post('/sim/kf/messages', async (req) => {
    const b = simParse(SimMessageBody, req.body);
    const item = kf.customerSends(b as typeof b & Record<string, unknown>);
    return { msgid: item.msgid, item: toWire(item) };
  });

  app.post('/sim/kf/servicer-message', async (req) => {
    const b = simParse(SimServicerMessageBody, req.body);
    const item = kf.servicerSends(b as typeof b & Record<string, unknown>);
    return { msgid: item.msgid, item: toWire(item) };
  });

  app.post('/sim/kf/event', async (req) => {
    const b = simParse(SimEventBody, req.body);
    const item = kf.queueEvent(b as typeof b & Record<string, unknown>);
    return { msgid: item.msgid, item: toWire(item) };
  });

  app.get('/sim/kf/inbox', async (req) => {
    const q = simParse(SimInboxQuery, req.query);
    return { messages: state.inbox.get(q.external_userid) ?? [] };
  });

  /** Both sides of one chat, in order (for the console). */
  app.get('/sim/kf/conversation', async (req) => {
    const q = simParse(SimConversationQuery, req.query);
    const fromCustomer = state.log
      .filter((i) => i.origin === 3 && i.open_kfid === q.open_kfid && i.external_userid === q.external_userid)
      .map((i): Record<string, unknown> => ({ ...toWire(i), seq: i.seq, from: 'customer' }));
    const toCustomer = (state.inbox.get(q.external_userid) ?? [])
      .filter((m) => m.open_kfid === q.open_kfid)
      .map((m): Record<string, unknown> => ({ ...m, from: 'kefu' }));
    const messages = [...fromCustomer, ...toCustomer].sort((a, b) => Number(a.seq) - Number(b.seq));
    const s = state.peekSession(q.open_kfid, q.external_userid);
    return { messages, service_state: s?.service_state ?? 0 };
  });

  app.get('/sim/state/:open_kfid/:external_userid', async (req) => {
    const p = simParse(z.object({ open_kfid: z.string().min(1), external_userid: z.string().min(1) }), req.params);
    if (!state.account(p.open_kfid)) throw new ControlError(404, 'unknown_open_kfid', `no kf account ${p.open_kfid}`);
    if (!state.customers.has(p.external_userid)) throw new ControlError(404, 'unknown_customer', `no customer ${p.external_userid}`);
    const s = state.peekSession(p.open_kfid, p.external_userid);
    const now = clock.now();
    const last = s?.last_customer_msg_time ?? null;
    const open = last !== null && now - last <= H48;
    return {
      service_state: s?.service_state ?? 0,
      servicer_userid: s?.servicer_userid ?? '',
      last_welcome_time: s?.last_welcome_time ?? null,
      window: {
        last_customer_msg_time: last,
        sent_count: s?.sent_count ?? 0,
        remaining: open ? Math.max(0, REPLY_LIMIT - (s?.sent_count ?? 0)) : 0,
        expires_at: last === null ? null : last + H48,
        open,
      },
    };
  });

  app.get('/sim/clock', async () => ({ now: clock.now(), offset_seconds: clock.offsetSeconds }));
  app.post('/sim/clock', async (req) => {
    const b = simParse(SimClockBody, req.body);
    clock.advance(b.advance_seconds);
    return { now: clock.now(), offset_seconds: clock.offsetSeconds };
  });

  app.post('/sim/tokens/expire', async () => {
    let expired = 0;
    for (const t of state.accessTokens.values()) {
      if (!t.revoked) expired++;
      t.revoked = true;
    }
    return { expired };
  });

  app.post('/sim/sync/empty-pages', async (req) => {
    const b = simParse(SimCountBody, req.body);
    state.sync.emptyPages = b.count;
    return { empty_pages: state.sync.emptyPages };
  });

  app.post('/sim/sync/duplicate-next-page', async () => {
    state.sync.duplicateNextPage = true;
    return { duplicate_next_page: true };
  });

  app.get('/sim/callbacks', async () => ({ callbacks: state.callbacks }));

  /** Internal app messages (message/send) received by employees; `?touser=` filters by one UserID. */
  app.get('/sim/app-messages', async (req) => {
    const q = simParse(z.object({ touser: z.string().min(1).max(64).optional() }), req.query);
    const messages = q.touser ? state.appMessages.filter((m) => m.touser.split('|').some((u) => u === q.touser || u === '@all')) : state.appMessages;
    return { messages };
  });

  app.post('/sim/callback-url', async (req) => {
    const b = simParse(SimCallbackUrlBody, req.body);
    ctx.callbackUrl = b.url;
    return { callback_url: ctx.callbackUrl };
  });

  app.post('/sim/verify-url', async () => callbacks.verifyUrl());

  app.post('/sim/reset', async () => {
    state.reset();
    clock.reset();
    return { ok: true };
  });

  // Assets for the console and for avatar URLs returned by the API.
  app.get('/sim/media/:media_id', async (req, reply) => {
    const p = simParse(z.object({ media_id: z.string().min(1) }), req.params);
    const m = kf.getMedia(p.media_id);
    if (!m) throw new ControlError(404, 'unknown_media', p.media_id);
    return sendMedia(reply, m);
  });

  app.get('/sim/avatar/:kind/:file', async (req, reply) => {
    const p = simParse(z.object({ kind: z.enum(['kf', 'customer']), file: z.string().regex(/^[A-Za-z0-9_-]{1,64}\.svg$/) }), req.params);
    const id = p.file.slice(0, -4);
    const label = p.kind === 'kf' ? state.account(id)?.name : state.customers.get(id)?.nickname;
    if (!label) throw new ControlError(404, 'not_found', id);
    return reply.header('content-type', 'image/svg+xml; charset=utf-8').header('cache-control', 'public, max-age=3600').send(avatarSvg(label, id));
  });
}
