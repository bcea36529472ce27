/** WeCom API paths: /cgi-bin/gettoken and /cgi-bin/kf/*. HTTP 200 with {errcode, errmsg} always. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cgiBody, cgiParse, type SimContext } from '../context.js';
import { ERR, WecomApiError } from '../errors.js';
import { newAccessToken, newMsgid } from '../ids.js';
import { AccountListBody, BatchGetBody, ServiceStateGetBody, ServiceStateTransBody, SyncMsgBody } from '../schemas.js';
import { syncMsg } from '../sync.js';

export const ACCESS_TOKEN_TTL_S = 7200;
const ok = { errcode: 0, errmsg: 'ok' };

const MessageSendBody = z.looseObject({
  touser: z.string().max(100_000).optional(),
  toparty: z.string().max(10_000).optional(),
  totag: z.string().max(10_000).optional(),
  msgtype: z.enum(['text', 'markdown', 'textcard', 'news', 'image', 'file']),
  agentid: z.coerce.number().int(),
  safe: z.number().int().optional(),
  enable_duplicate_check: z.number().int().min(0).max(1).optional(),
  duplicate_check_interval: z.number().int().min(1).optional(),
});

function origin(ctx: SimContext, req: FastifyRequest): string {
  return ctx.config.publicUrl ?? `${req.protocol}://${req.host}`;
}

export function registerCgiRoutes(app: FastifyInstance, ctx: SimContext): void {
  const { state, clock, kf } = ctx;

  // Every /cgi-bin call except gettoken needs a valid access_token.
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0];
    if (!path.startsWith('/cgi-bin/') || path === '/cgi-bin/gettoken') return;
    const token = (req.query as Record<string, unknown> | undefined)?.access_token;
    if (typeof token !== 'string' || token === '') throw new WecomApiError(ERR.MISSING_ACCESS_TOKEN);
    const t = state.accessTokens.get(token);
    if (!t) throw new WecomApiError(ERR.INVALID_ACCESS_TOKEN);
    if (t.revoked || clock.now() >= t.expires_at) throw new WecomApiError(ERR.ACCESS_TOKEN_EXPIRED);
    // each app's token opens its own APIs: the alert app sends message/send, the kf app kf/*
    const app = t.app ?? 'kf';
    if ((path === '/cgi-bin/message/send') !== (app === 'agent')) throw new WecomApiError(ERR.API_FORBIDDEN, `token of the ${app} app`);
  });

  app.get('/cgi-bin/gettoken', async (req) => {
    const q = cgiParse(z.object({ corpid: z.string().optional(), corpsecret: z.string().optional() }), req.query);
    if (q.corpid !== ctx.config.corpId) throw new WecomApiError(ERR.INVALID_CORPID);
    const app = q.corpsecret === ctx.config.kfSecret ? 'kf' : q.corpsecret === ctx.config.agentSecret ? 'agent' : null;
    if (!app) throw new WecomApiError(ERR.INVALID_SECRET);
    const now = clock.now();
    let current = [...state.accessTokens.values()].find((t) => !t.revoked && now < t.expires_at && (t.app ?? 'kf') === app);
    if (!current) {
      current = { access_token: newAccessToken(), expires_at: now + ACCESS_TOKEN_TTL_S, revoked: false, app };
      state.accessTokens.set(current.access_token, current);
    }
    return { ...ok, access_token: current.access_token, expires_in: current.expires_at - now };
  });

  // Internal app message to employees (the alert app's SLA warnings and escalations).
  app.post('/cgi-bin/message/send', async (req) => {
    const b = cgiParse(MessageSendBody, cgiBody(req));
    if (b.agentid !== ctx.config.agentId) throw new WecomApiError(ERR.INVALID_AGENTID, `agentid ${b.agentid}`);
    const body = (b as Record<string, unknown>)[b.msgtype];
    if (!body || typeof body !== 'object') throw new WecomApiError(ERR.INVALID_PARAMETER, `${b.msgtype} is required for msgtype ${b.msgtype}`);
    const content = body as Record<string, unknown>;
    if (b.msgtype === 'text' || b.msgtype === 'markdown') {
      if (typeof content.content !== 'string' || content.content === '') throw new WecomApiError(ERR.INVALID_PARAMETER, `${b.msgtype}.content is required`);
      if (Buffer.byteLength(content.content) > 2048) throw new WecomApiError(ERR.CONTENT_TOO_LONG, `${b.msgtype}.content exceeds 2048 bytes`);
    }
    // [A] any syntactically valid UserID is a member of the app (the simulator has no address book)
    const users = (b.touser ?? '').split('|').filter(Boolean);
    const invalid = users.filter((u) => u !== '@all' && !/^[A-Za-z0-9_.@-]{1,64}$/.test(u));
    const valid = users.filter((u) => !invalid.includes(u));
    if (valid.length === 0 && !b.toparty && !b.totag) throw new WecomApiError(ERR.ALL_RECIPIENTS_INVALID);
    const now = clock.now();
    const touser = valid.join('|');
    if (b.enable_duplicate_check === 1) {
      const window = Math.min(b.duplicate_check_interval ?? 1800, 14_400);
      const dup = state.appMessages.find((m) => m.touser === touser && m.msgtype === b.msgtype && JSON.stringify(m.content) === JSON.stringify(content) && now - m.send_time < window);
      if (dup) return { ...ok, invaliduser: invalid.join('|'), invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: dup.msgid };
    }
    const msg = { msgid: newMsgid(), agentid: b.agentid, touser, toparty: b.toparty ?? '', totag: b.totag ?? '', msgtype: b.msgtype, content, send_time: now, duplicate_check: b.enable_duplicate_check === 1 };
    state.appMessages.push(msg);
    return { ...ok, invaliduser: invalid.join('|'), invalidparty: '', invalidtag: '', unlicenseduser: '', msgid: msg.msgid };
  });

  app.post('/cgi-bin/kf/account/list', async (req) => {
    const b = cgiParse(AccountListBody, cgiBody(req));
    const base = origin(ctx, req);
    const account_list = state.accounts.slice(b.offset, b.offset + b.limit).map((a) => ({
      open_kfid: a.open_kfid,
      name: a.name,
      avatar: `${base}/sim/avatar/kf/${a.open_kfid}.svg`,
      manage_privilege: true,
    }));
    return { ...ok, account_list };
  });

  app.post('/cgi-bin/kf/sync_msg', async (req) => {
    const b = cgiParse(SyncMsgBody, cgiBody(req));
    if (ctx.config.syncDelayMs) await new Promise((r) => setTimeout(r, ctx.config.syncDelayMs));
    return { ...ok, ...syncMsg(state, clock, ctx.config.syncPageSize, b) };
  });

  app.post('/cgi-bin/kf/send_msg', async (req) => ({ ...ok, ...kf.sendMsg(cgiBody(req)) }));

  app.post('/cgi-bin/kf/send_msg_on_event', async (req) => ({ ...ok, ...kf.sendMsgOnEvent(cgiBody(req)) }));

  app.post('/cgi-bin/kf/service_state/get', async (req) => {
    const b = cgiParse(ServiceStateGetBody, cgiBody(req));
    return { ...ok, ...kf.getServiceState(b.open_kfid, b.external_userid) };
  });

  app.post('/cgi-bin/kf/service_state/trans', async (req) => {
    const b = cgiParse(ServiceStateTransBody, cgiBody(req));
    return { ...ok, ...kf.transServiceState(b) };
  });

  app.post('/cgi-bin/kf/customer/batchget', async (req) => {
    const b = cgiParse(BatchGetBody, cgiBody(req));
    const base = origin(ctx, req);
    const customer_list: Record<string, unknown>[] = [];
    const invalid_external_userid: string[] = [];
    for (const id of new Set(b.external_userid_list)) {
      const c = state.customers.get(id);
      if (!c) {
        invalid_external_userid.push(id);
        continue;
      }
      customer_list.push({
        external_userid: c.external_userid,
        nickname: c.nickname,
        avatar: `${base}/sim/avatar/customer/${c.external_userid}.svg`,
        gender: c.gender,
        unionid: c.unionid,
      });
    }
    return { ...ok, customer_list, invalid_external_userid };
  });
}
