import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { forbidden } from '../core/errors.js';
import { calendarBodySchema, calendarPreviewSchema, categoryBodySchema, departmentBodySchema, slaPolicyBodySchema, type TicketAdmin } from './admin.js';

const ADMINS = ['admin', 'supervisor'];
const tags = ['admin'];
const security = [{ bearer: [] }];
const idParams = z.object({ id: z.string().min(1).max(100) });

/**
 * Administration of calendars, SLA policies, ticket categories and departments (admins and
 * supervisors only: these change every agent's clocks and escalations).
 */
export function ticketAdminRoutes(app: AppInstance, deps: { auth: AuthService; admin: TicketAdmin }) {
  const { admin } = deps;
  const user = requireUser(deps.auth);
  const preHandler = async (req: FastifyRequest, reply: Parameters<typeof user>[1]) => {
    await user(req, reply);
    if (!ADMINS.includes(req.user!.role)) throw forbidden('只有管理员或主管可以管理工单设置');
  };

  app.get('/api/admin/users', { preHandler, schema: { tags, security, summary: 'Users (id, username, name, role) for the head / manager pickers' } }, async () => ({ items: await admin.users() }));

  app.get('/api/admin/calendars', { preHandler, schema: { tags, security, summary: 'Business calendars with the SLA policies using each, and the years the holiday data source covers' } }, async () => admin.calendars());
  app.post('/api/admin/calendars/preview', {
    preHandler, schema: { tags, security, summary: 'A year of a (possibly unsaved) calendar day by day: workday, rest, holiday, 调休 make-up day, company day off; optionally the due time of N business minutes from an instant', body: calendarPreviewSchema },
  }, async (req) => admin.preview(req.body));
  app.post('/api/admin/calendars', { preHandler, schema: { tags, security, summary: 'Create a business calendar', body: calendarBodySchema } }, async (req, reply) => reply.status(201).send(await admin.createCalendar(req.body)));
  app.put('/api/admin/calendars/:id', {
    preHandler, schema: { tags, security, summary: 'Replace a calendar; SLA policies using it follow at once', params: idParams, body: calendarBodySchema },
  }, async (req) => admin.updateCalendar(req.params.id, req.body));
  app.delete('/api/admin/calendars/:id', { preHandler, schema: { tags, security, summary: 'Delete a calendar (409 in_use while a policy uses it)', params: idParams } }, async (req, reply) => {
    await admin.deleteCalendar(req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/admin/sla-policies', { preHandler, schema: { tags, security, summary: 'SLA policies in match order, with their calendar and escalation ladder' } }, async () => ({ items: await admin.policies() }));
  app.post('/api/admin/sla-policies', { preHandler, schema: { tags, security, summary: 'Create an SLA policy', body: slaPolicyBodySchema } }, async (req, reply) => reply.status(201).send(await admin.createPolicy(req.body)));
  app.put('/api/admin/sla-policies/:id', { preHandler, schema: { tags, security, summary: 'Replace an SLA policy', params: idParams, body: slaPolicyBodySchema } }, async (req) => admin.updatePolicy(req.params.id, req.body));
  app.delete('/api/admin/sla-policies/:id', { preHandler, schema: { tags, security, summary: 'Delete an SLA policy (409 in_use while tickets use it)', params: idParams } }, async (req, reply) => {
    await admin.deletePolicy(req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/admin/ticket-categories', { preHandler, schema: { tags, security, summary: 'Ticket categories with custom fields' } }, async () => ({ items: await admin.categories() }));
  app.post('/api/admin/ticket-categories', { preHandler, schema: { tags, security, summary: 'Create a category', body: categoryBodySchema } }, async (req, reply) => reply.status(201).send(await admin.createCategory(req.body)));
  app.put('/api/admin/ticket-categories/:id', { preHandler, schema: { tags, security, summary: 'Replace a category and its custom fields', params: idParams, body: categoryBodySchema } }, async (req) => admin.updateCategory(req.params.id, req.body));
  app.delete('/api/admin/ticket-categories/:id', { preHandler, schema: { tags, security, summary: 'Delete a category (409 in_use while tickets use it)', params: idParams } }, async (req, reply) => {
    await admin.deleteCategory(req.params.id);
    return reply.status(204).send();
  });

  app.get('/api/admin/departments', { preHandler, schema: { tags, security, summary: 'Departments with head, next manager and contacts' } }, async () => ({ items: await admin.departments() }));
  app.post('/api/admin/departments', { preHandler, schema: { tags, security, summary: 'Create a department', body: departmentBodySchema } }, async (req, reply) => reply.status(201).send(await admin.createDepartment(req.body)));
  app.put('/api/admin/departments/:id', { preHandler, schema: { tags, security, summary: 'Replace a department', params: idParams, body: departmentBodySchema } }, async (req) => admin.updateDepartment(req.params.id, req.body));
  app.delete('/api/admin/departments/:id', { preHandler, schema: { tags, security, summary: 'Delete a department (409 in_use while tickets or categories use it)', params: idParams } }, async (req, reply) => {
    await admin.deleteDepartment(req.params.id);
    return reply.status(204).send();
  });
}
