import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { forbidden, notFound } from '../core/errors.js';
import { conversationSchema, errorSchema } from '../workspace/routes.js';
import { AGENT_STATUSES, type RoutingService } from './service.js';

const tags = ['routing'];
const security = [{ bearer: [] }];
const idParams = z.object({ id: z.string().min(1).max(64) });
const skills = z.record(z.string().min(1).max(32), z.number().int().min(1).max(3));

const agentSchema = z.object({
  user_id: z.string(), username: z.string(), display_name: z.string(), role: z.string(), team: z.string().nullable(),
  skills: z.record(z.string(), z.number()), status: z.enum(AGENT_STATUSES), capacity: z.number(), load: z.number(), rating: z.number(),
  last_assigned_at: z.string().nullable(), status_changed_at: z.string(),
});
const partSchema = z.object({ step: z.string(), points: z.number(), why: z.string() });
const decisionSchema = z.object({
  id: z.string(), conversation_id: z.string(), outcome: z.enum(['assigned', 'queued', 'transferred']),
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
});

const MANAGERS = new Set(['admin', 'supervisor']);

/** Routing API: agent status and profiles, the queue, routing explanations, transfers. */
export function routingRoutes(app: AppInstance, deps: { auth: AuthService; routing: RoutingService }) {
  const { routing } = deps;
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
      tags, summary: 'Edit an agent\'s team, skills (levels 1–3), capacity and rating (admins, supervisors)', security, params: idParams,
      body: z.strictObject({
        team: z.string().min(1).max(32).nullable().optional(),
        skills: skills.optional(),
        capacity: z.number().int().min(0).max(50).optional(),
        rating: z.number().min(0).max(5).optional(),
      }),
      response: { 200: agentSchema, 403: errorSchema, 404: errorSchema },
    },
  }, async (req) => {
    if (!MANAGERS.has(req.user!.role)) throw forbidden('只有管理员或主管可以修改坐席资料');
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
  }, async (req) => routing.transfer(req.params.id, req.user!, req.body));

  app.get('/api/queue', {
    preHandler: auth,
    schema: {
      tags, summary: 'Queued conversations in serving order (priority, then waiting time), with position and waiting seconds', security,
      response: { 200: z.object({ items: z.array(queueItemSchema), total: z.number() }) },
    },
  }, async () => {
    const items = await routing.queue();
    return { items, total: items.length };
  });
}
