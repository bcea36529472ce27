import { z } from 'zod';
import type { AppInstance } from '../../http/app.js';
import type { AuthService } from '../../auth/service.js';
import { requireUser } from '../../auth/routes.js';
import type { HubService } from '../../hub/index.js';
import { AppError, notFound } from '../../core/errors.js';
import type { AuthUser } from '../../auth/service.js';
import { KF_STATE, type KfSessions } from './kf-sessions.js';

export type HandedOver = (conversationId: string, servicerUserid: string, by: AuthUser) => Promise<void>;

/**
 * Hands a 微信客服 session to a WeCom-native servicer (service_state 3): the customer is then
 * served from the WeCom client, and kefu stops sending (WeCom would refuse with 95018).
 * From 3 WeCom allows only another servicer (3) or the end (4), never kefu's API again.
 */
export function wecomServicerRoutes(app: AppInstance, deps: { auth: AuthService; hub: HubService; sessions: KfSessions; onHandedOver?: HandedOver }) {
  app.post('/api/conversations/:id/wecom-servicer', {
    preHandler: requireUser(deps.auth),
    schema: {
      tags: ['wecom'], summary: 'Hand a 微信客服 conversation to a WeCom-native servicer (service_state → 3)', security: [{ bearer: [] }],
      params: z.object({ id: z.string().min(1).max(64) }),
      body: z.strictObject({ servicer_userid: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a WeCom userid') }),
    },
  }, async (req) => {
    const conv = await deps.hub.getConversation(req.params.id);
    if (!conv) throw notFound('conversation');
    if (conv.channel !== 'wecom_kf') throw new AppError(409, 'not_wecom', 'only 微信客服 conversations can go to a WeCom servicer');
    if (conv.status === 'closed') throw new AppError(409, 'conversation_closed', '会话已结束');
    const ext = await deps.hub.externalIdOf(conv);
    const moved = await deps.sessions.trans(conv, ext, KF_STATE.servicer, req.body.servicer_userid);
    if (!moved) throw new AppError(502, 'wecom_refused', '企业微信拒绝了转接（接待人员需为「正在接待」状态）');
    await deps.onHandedOver?.(conv.id, req.body.servicer_userid, req.user!);
    return (await deps.hub.getConversation(conv.id))!;
  });
}
