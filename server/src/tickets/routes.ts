import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { commentSchema, createTicketSchema, fromConversationSchema, handoverSchema, listQuerySchema, transitionSchema, updateTicketSchema, type Actor } from './model.js';
import type { TicketService } from './service.js';

const idParams = z.object({ id: z.string().min(1).max(64) });
const tags = ['tickets'];
const security = [{ bearer: [] }];

/** The ticket REST API (agents and supervisors). */
export function ticketRoutes(app: AppInstance, deps: { auth: AuthService; tickets: TicketService }) {
  const { tickets } = deps;
  const auth = requireUser(deps.auth);
  const actor = (req: { user?: { id: string } }): Actor => ({ type: 'user', id: req.user?.id ?? null });

  app.get('/api/tickets/meta', {
    preHandler: auth,
    schema: { tags, security, summary: 'Statuses, categories with custom fields, departments and SLA policies' },
  }, async () => tickets.meta());

  app.get('/api/tickets', {
    preHandler: auth,
    schema: { tags, security, summary: 'Tickets with filters and the computed SLA state per ticket (badges)', querystring: listQuerySchema },
  }, async (req) => tickets.list(req.query));

  app.post('/api/tickets', {
    preHandler: auth,
    schema: { tags, security, summary: 'Create a ticket', body: createTicketSchema },
  }, async (req, reply) => reply.status(201).send(await tickets.create(req.body, actor(req))));

  app.post('/api/conversations/:id/tickets', {
    preHandler: auth,
    schema: { tags, security, summary: 'Create a ticket from a conversation (prefilled title, transcript, category from the hand-off intent, CRM context)', params: idParams, body: fromConversationSchema.optional() },
  }, async (req, reply) => reply.status(201).send(await tickets.createFromConversation(req.params.id, req.body ?? {}, actor(req))));

  app.get('/api/tickets/:id', {
    preHandler: auth,
    schema: { tags, security, summary: 'One ticket with its audit trail and comments', params: idParams },
  }, async (req) => tickets.get(req.params.id));

  app.patch('/api/tickets/:id', {
    preHandler: auth,
    schema: { tags, security, summary: 'Change title, description, priority, assignee or custom fields (audited)', params: idParams, body: updateTicketSchema },
  }, async (req) => tickets.update(req.params.id, req.body, actor(req)));

  app.post('/api/tickets/:id/transition', {
    preHandler: auth,
    schema: { tags, security, summary: 'Move the ticket through the workflow (409 invalid_transition when not allowed)', params: idParams, body: transitionSchema },
  }, async (req) => tickets.transition(req.params.id, req.body.to, actor(req), req.body.note));

  app.post('/api/tickets/:id/handover', {
    preHandler: auth,
    schema: { tags, security, summary: 'Hand the ticket over to another department with a note', params: idParams, body: handoverSchema },
  }, async (req) => tickets.handover(req.params.id, req.body, actor(req)));

  app.post('/api/tickets/:id/comments', {
    preHandler: auth,
    schema: { tags, security, summary: 'Add an internal note or a public reply (sent to the customer through their channel)', params: idParams, body: commentSchema },
  }, async (req, reply) => reply.status(201).send(await tickets.comment(req.params.id, req.body, actor(req))));
}
