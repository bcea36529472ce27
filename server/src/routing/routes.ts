import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { AppError, forbidden, notFound } from '../core/errors.js';
import { conversationSchema, errorSchema } from '../workspace/routes.js';
import { AGENT_STATUSES, type RoutingService } from './service.js';
import { MANAGER_ROLES, OUTCOMES } from './store.js';
import type { Handovers } from './handover.js';
import { routingSettingsSchema, type RoutingSettingsStore } from './settings.js';
import type { MonitorRooms } from './monitor.js';
import { estimateWaitMinutes, type WaitStats } from './wait.js';

const tags = ['routing'];
const security = [{ bearer: [] }];
const idParams = z.object({ id: z.string().min(1).max(64) });
const skills = z.record(z.string().min(1).max(32), z.number().int().min(1).max(3));

const agentSchema = z.object({
  user_id: z.string(), username: z.string(), display_name: z.string(), role: z.string(), team: z.string().nullable(),
  skills: z.record(z.string(), z.number()), status: z.enum(AGENT_STATUSES), capacity: z.number(), load: z.number(), rating: z.number(),
  last_assigned_at: z.string().nullable(), status_changed_at: z.string(),
  wecom_userid: z.string().nullable().describe('the WeCom userid when the agent also serves as a WeCom-native 微信客服 servicer'),
});
const partSchema = z.object({ step: z.string(), points: z.number(), why: z.string() });
const decisionSchema = z.object({
  id: z.string(), conversation_id: z.string(), outcome: z.enum(OUTCOMES),
  agent_id: z.string().nullable(), agent_name: z.string().nullable(), team: z.string().nullable(),
  reason: z.string().describe('human-readable (Chinese) explanation'),
  context: z.record(z.string(), z.unknown()),
  candidates: z.array(z.object({
    agent_id: z.string(), name: z.string(), eligible: z.boolean(), excluded: z.string().nullable(), score: z.number(),
    parts: z.array(partSchema), load: z.number(), capacity: z.number(),
  })),
  note: z.string().nullable(), by_user_id: z.string().nullable(), created_at: z.string(),
});
const queueItemSchema = z.object({
  conversation_id: z.string(), position: z.number(), priority: z.number(), waiting_s: z.number(), since: z.string(), channel: z.string(),
  customer: z.object({ id: z.string(), display_name: z.string(), tier: z.string() }), team: z.string().nullable(), preview: z.string().nullable(),
  estimated_wait_min: z.number().nullable().describe('estimated minutes until served; null while no agent is online'),
});
const socketBody = z.strictObject({ socket_id: z.string().min(1).max(64).describe('the id of the supervisor\'s own /agent Socket.IO connection') });

/**
 * Routing API: agent status and profiles, the queue, routing explanations, transfers, queue
 * settings, supervisors' take-over and monitoring.
 */
export function routingRoutes(app: AppInstance, deps: { auth: AuthService; routing: RoutingService; handovers: Handovers; settings: RoutingSettingsStore; wait: WaitStats; monitor?: MonitorRooms }) {
  const { routing, handovers } = deps;
  const manager = (role: string, what: string) => {
    if (!MANAGER_ROLES.has(role)) throw forbidden(`只有管理员或主管可以${what}`);
  };
  const auth = requireUser(deps.auth);

  app.get('/api/agents/me/status', {
    preHandler: auth,
    schema: { tags, summary: 'My status, load and capacity', security, response: { 200: agentSchema } },
  }, async (req) => routing.agent(req.user!.id));

  app.put('/api/agents/me/status', {
    preHandler: auth,
    schema: {
      tags, summary: 'Set my status (online pulls from the queue at once)', security,
      body: z.strictObject({ status: z.enum(AGENT_STATUSES) }),
      response: { 200: agentSchema },
    },
  }, async (req) => routing.setStatus(req.user!.id, req.body.status));

  app.get('/api/agents', {
    preHandler: auth,
    schema: { tags, summary: 'Agents with status, load/capacity, team, skills and rating', security, response: { 200: z.object({ items: z.array(agentSchema) }) } },
  }, async () => ({ items: await routing.agents() }));

  app.put('/api/agents/:id', {
    preHandler: auth,
    schema: {
      tags, summary: 'Edit an agent\'s team, skills (levels 1–3), capacity, rating and WeCom userid (admins, supervisors)', security, params: idParams,
      body: z.strictObject({
        team: z.string().min(1).max(32).nullable().optional(),
        skills: skills.optional(),
        capacity: z.number().int().min(0).max(50).optional(),
        rating: z.number().min(0).max(5).optional(),
        wecom_userid: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'a WeCom userid').nullable().optional(),
      }),
      response: { 200: agentSchema, 403: errorSchema, 404: errorSchema },
    },
  }, async (req) => {
    manager(req.user!.role, '修改坐席资料');
    return routing.updateAgent(req.params.id, req.body);
  });

  app.get('/api/teams', {
    preHandler: auth,
    schema: { tags, summary: 'Teams', security, response: { 200: z.object({ items: z.array(z.object({ id: z.string(), name: z.string() })) }) } },
  }, async () => ({ items: await routing.teams() }));

  app.get('/api/conversations/:id/routing', {
    preHandler: auth,
    schema: {
      tags, summary: 'Why the conversation went where it did (为什么分配给我): latest decision and history', security, params: idParams,
      response: { 200: z.object({ decision: decisionSchema.nullable(), history: z.array(decisionSchema) }), 404: errorSchema },
    },
  }, async (req) => {
    const history = await routing.decisions(req.params.id);
    if (!history.length && !(await routing.conversationExists(req.params.id))) throw notFound('conversation');
    return { decision: history[0] ?? null, history };
  });

  app.post('/api/conversations/:id/transfer', {
    preHandler: auth,
    schema: {
      tags, summary: 'Transfer to an agent or a team, with a note shown as a system line', security, params: idParams,
      body: z.union([
        z.strictObject({ to_agent_id: z.string().min(1).max(64), note: z.string().max(500).optional() }),
        z.strictObject({ to_team: z.string().min(1).max(64), note: z.string().max(500).optional() }),
      ]),
      response: { 200: z.object({ conversation: conversationSchema, decision: decisionSchema }), 403: errorSchema, 404: errorSchema, 409: errorSchema },
    },
  }, async (req) => handovers.transfer(req.params.id, req.user!, req.body));

  app.get('/api/queue', {
    preHandler: auth,
    schema: {
      tags, summary: 'Queued conversations in serving order (priority, then waiting time), with position, waiting seconds and estimated wait', security,
      response: { 200: z.object({ items: z.array(queueItemSchema), total: z.number() }) },
    },
  }, async () => {
    const [queue, { slots, avgHandleS }] = await Promise.all([routing.queue(), deps.wait.current()]);
    const items = queue.map((q) => ({ ...q, estimated_wait_min: estimateWaitMinutes(q.position, slots, avgHandleS) }));
    return { items, total: items.length };
  });

  app.get('/api/routing/settings', {
    preHandler: auth,
    schema: { tags, summary: 'Queue settings: position notices, overflow rules, leave-a-message limits', security, response: { 200: routingSettingsSchema } },
  }, async () => deps.settings.get());

  app.put('/api/routing/settings', {
    preHandler: auth,
    schema: {
      tags, summary: 'Change the queue settings (admins, supervisors); omitted fields take their defaults', security,
      description: 'queue_notice: position/estimated-wait messages to waiting customers ({position}, {ahead}, {minutes}), rate-limited, never using the last `keep_reply_slots` of a WeCom reply window. overflow: [{from_team, to_team, after_minutes}]. leave_message: ticket instead of waiting when outside human hours (bot settings\' calendar), too many waiting, or too long a wait ({why}, {ticket}).',
      body: routingSettingsSchema,
      response: { 200: routingSettingsSchema, 400: errorSchema, 403: errorSchema },
    },
  }, async (req) => {
    manager(req.user!.role, '修改排队设置');
    return deps.settings.put(req.body);
  });

  app.post('/api/conversations/:id/take-over', {
    preHandler: auth,
    schema: {
      tags, summary: 'Take the conversation over (admins, supervisors): reassigned to me, with the reason recorded', security, params: idParams,
      body: z.strictObject({ note: z.string().max(500).optional() }),
      response: { 200: z.object({ conversation: conversationSchema, decision: decisionSchema }), 403: errorSchema, 404: errorSchema, 409: errorSchema },
    },
  }, async (req) => handovers.takeOver(req.params.id, req.user!, req.body.note));

  const monitorSchema = {
    tags, security, params: idParams, body: socketBody,
    response: { 200: z.object({ conversation: conversationSchema, monitoring: z.boolean() }), 403: errorSchema, 404: errorSchema, 409: errorSchema },
  };
  const monitor = (watch: boolean) => async (req: { params: { id: string }; body: { socket_id: string }; user?: { id: string; role: string } }) => {
    manager(req.user!.role, '监控会话');
    if (!deps.monitor) throw new AppError(503, 'realtime_unavailable', '实时连接不可用');
    const conversation = await routing.conversation(req.params.id);
    const ok = await (watch ? deps.monitor.join : deps.monitor.leave)(req.body.socket_id, req.user!.id, req.params.id);
    if (!ok) throw new AppError(409, 'socket_not_found', '找不到您的实时连接（socket_id），请刷新后重试');
    return { conversation, monitoring: watch };
  };
  app.post('/api/conversations/:id/monitor', {
    preHandler: auth,
    schema: { ...monitorSchema, summary: 'Monitor a conversation read-only (admins, supervisors): my socket gets its events as `monitor.event` {type, payload}' },
  }, monitor(true));
  app.delete('/api/conversations/:id/monitor', {
    preHandler: auth,
    schema: { ...monitorSchema, summary: 'Stop monitoring a conversation' },
  }, monitor(false));
}
