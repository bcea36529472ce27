import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { listQuerySchema, type CrmRecord, type TicketService } from '../tickets/index.js';
import { customerSchema, loadCustomer } from './routes.js';

const HISTORY_LIMIT = 30;
const TICKET_LIMIT = 20;

const conversationItem = z.object({
  id: z.string(), channel: z.string(), channel_account: z.string(), status: z.string(), created_at: z.string(), closed_at: z.string().nullable(),
  last_message_at: z.string(), last_message_preview: z.string().nullable(), assignee_name: z.string().nullable(),
});
const ticketItem = z.looseObject({ id: z.string(), number: z.string(), title: z.string(), status: z.string(), priority: z.string(), created_at: z.string() });

/**
 * The customer 360 panel in one request: profile with tags/note and channel identities (the
 * WeChat profile), conversations on every channel, tickets, and CRM records (orders, contracts,
 * devices — demo CRM for now; a real connector answers the same shape).
 */
export function customerOverviewRoutes(app: AppInstance, deps: { db: Kysely<Database>; auth: AuthService; tickets: TicketService; crm: { record(c: { id: string; display_name?: string }): CrmRecord } }) {
  const { db } = deps;
  app.get('/api/customers/:id/overview', {
    preHandler: requireUser(deps.auth),
    schema: {
      tags: ['customers'], summary: 'Customer 360: profile, tags, note, conversations across channels, tickets, CRM orders/contracts/devices', security: [{ bearer: [] }],
      params: z.object({ id: z.string().min(1).max(64) }),
      response: {
        200: z.object({
          customer: customerSchema,
          conversations: z.array(conversationItem),
          tickets: z.array(ticketItem),
          crm: z.object({ orders: z.array(z.looseObject({})), contracts: z.array(z.looseObject({})), devices: z.array(z.looseObject({})) }),
        }),
      },
    },
  }, async (req) => {
    const customer = await loadCustomer(db, req.params.id);
    const [conversations, tickets] = await Promise.all([
      db.selectFrom('conversations').leftJoin('users', 'users.id', 'conversations.assignee_id')
        .select(['conversations.id', 'conversations.channel', 'conversations.channel_account', 'conversations.status', 'conversations.created_at',
          'conversations.closed_at', 'conversations.last_message_at', 'conversations.last_message_preview', 'users.display_name as assignee_name'])
        .where('conversations.customer_id', '=', customer.id)
        .orderBy('conversations.last_message_at', 'desc').limit(HISTORY_LIMIT).execute(),
      deps.tickets.list(listQuerySchema.parse({ customer_id: customer.id, status: 'all', limit: TICKET_LIMIT })),
    ]);
    return { customer, conversations, tickets: tickets.items, crm: deps.crm.record(customer) };
  });
}
