import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { forbidden } from '../core/errors.js';
import type { AutomationService } from './service.js';

const canEdit = (role: string) => ['admin', 'supervisor'].includes(role);
const dateRe = /^(\d{4}|-)-\d{2}-\d{2}$/;

/** Rules CRUD, the run log, owner tasks and the journeys' customer attributes. */
export function automationRoutes(app: AppInstance, deps: { auth: AuthService; automation: AutomationService }) {
  const auth = requireUser(deps.auth);
  const security = [{ bearer: [] }];
  const a = deps.automation;
  const id = z.object({ id: z.string().max(64) });
  // the body is checked by parseRule, so a bad definition gets every problem with its path (400 invalid_rule)
  const body = z.unknown();
  const editor = (role: string) => {
    if (!canEdit(role)) throw forbidden('只有主管或管理员可以修改自动化规则');
  };

  app.get('/api/automation/rules', { preHandler: auth, schema: { tags: ['automation'], summary: 'Automation rules and built-in journeys', security } }, async () => ({ items: await a.list() }));
  app.get('/api/automation/rules/:id', { preHandler: auth, schema: { tags: ['automation'], summary: 'One rule', security, params: id } }, async (req) => a.get(req.params.id));
  app.post('/api/automation/rules', { preHandler: auth, schema: { tags: ['automation'], summary: 'Create a rule (trigger + conditions + actions)', security, body } }, async (req, reply) => {
    editor(req.user!.role);
    return reply.status(201).send(await a.create(req.body));
  });
  app.put('/api/automation/rules/:id', { preHandler: auth, schema: { tags: ['automation'], summary: 'Replace a rule definition', security, params: id, body } }, async (req) => {
    editor(req.user!.role);
    return a.update(req.params.id, req.body);
  });
  app.delete('/api/automation/rules/:id', { preHandler: auth, schema: { tags: ['automation'], summary: 'Delete a rule', security, params: id } }, async (req, reply) => {
    editor(req.user!.role);
    await a.remove(req.params.id);
    return reply.status(204).send();
  });
  app.patch('/api/automation/rules/:id', {
    preHandler: auth,
    schema: { tags: ['automation'], summary: 'Switch a rule or journey on or off', security, params: id, body: z.strictObject({ enabled: z.boolean() }) },
  }, async (req) => {
    editor(req.user!.role);
    const { id: _id, builtin: _b, created_at: _c, updated_at: _u, ...def } = await a.get(req.params.id);
    return a.update(req.params.id, { ...def, enabled: req.body.enabled });
  });
  app.get('/api/automation/runs/daily', {
    preHandler: auth,
    schema: {
      tags: ['automation'], summary: 'Runs per day (Beijing time) by outcome, for the run log chart', security,
      querystring: z.object({ rule_id: z.string().max(64).optional(), days: z.coerce.number().int().min(1).max(90).default(14) }),
    },
  }, async (req) => ({ items: await a.runsPerDay(req.query) }));
  app.get('/api/automation/runs', {
    preHandler: auth,
    schema: {
      tags: ['automation'], summary: 'Rule runs, newest first, with each action\'s outcome, attempts, error and delivery channel', security,
      querystring: z.object({ rule_id: z.string().max(64).optional(), outcome: z.enum(['running', 'succeeded', 'failed', 'skipped']).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
    },
  }, async (req) => ({ items: await a.runs(req.query) }));
  app.get('/api/automation/tasks', {
    preHandler: auth,
    schema: { tags: ['automation'], summary: 'Tasks for owner employees (journeys that could not reach the customer on WeChat)', security, querystring: z.object({ customer_id: z.string().max(64).optional() }) },
  }, async (req) => ({ items: await a.tasks(req.query.customer_id) }));
  app.patch('/api/automation/tasks/:id', {
    preHandler: auth,
    schema: { tags: ['automation'], summary: 'Mark an owner task done, or open again', security, params: id, body: z.strictObject({ status: z.enum(['open', 'done']) }) },
  }, async (req) => a.setTaskStatus(req.params.id, req.body.status));
  app.get('/api/automation/customers/:id/attributes', { preHandler: auth, schema: { tags: ['automation'], summary: 'A customer\'s journey attributes', security, params: id } }, async (req) => a.customerAttributes(req.params.id));
  app.patch('/api/automation/customers/:id/attributes', {
    preHandler: auth,
    schema: {
      tags: ['automation'], summary: 'Set birthday, membership expiry, phone, time zone, tags or WeCom owner of a customer', security, params: id,
      body: z.strictObject({
        birthday: z.string().regex(dateRe, 'YYYY-MM-DD or --MM-DD').nullable().optional(),
        membership_expiry: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD').nullable().optional(),
        phone: z.string().min(5).max(20).nullable().optional(),
        timezone: z.string().min(1).max(64).nullable().optional(),
        owner_userid: z.string().min(1).max(64).nullable().optional(),
        tags: z.array(z.string().min(1).max(40)).max(50).optional(),
      }),
    },
  }, async (req) => a.setCustomerAttributes(req.params.id, req.body));
}
