import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import { requireUser } from '../auth/routes.js';
import { notFound } from '../core/errors.js';
import { getConversation } from '../hub/repo.js';

export const TIERS = ['普通', '银卡', '金卡', 'VIP'] as const;

const customerSchema = z.object({
  id: z.string(),
  display_name: z.string(),
  avatar_url: z.string().nullable(),
  tier: z.string(),
  identities: z.array(z.object({ channel: z.string(), external_id: z.string() })),
  created_at: z.string(),
});

/** Customers: one person with identities on several channels; agents correct name and tier. */
export function customerRoutes(app: AppInstance, deps: { db: Kysely<Database>; auth: AuthService; clock: Clock; bus: EventBus }) {
  const { db } = deps;
  const auth = requireUser(deps.auth);
  const security = [{ bearer: [] }];
  const load = async (id: string) => {
    const c = await db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!c) throw notFound('customer');
    const identities = await db.selectFrom('customer_identities').select(['channel', 'external_id']).where('customer_id', '=', id).execute();
    return { id: c.id, display_name: c.display_name, avatar_url: c.avatar_url, tier: c.tier, identities, created_at: c.created_at };
  };

  app.get('/api/customers/:id', {
    preHandler: auth,
    schema: { tags: ['customers'], summary: 'One customer with their channel identities', security, params: z.object({ id: z.string().max(64) }), response: { 200: customerSchema } },
  }, async (req) => load(req.params.id));

  app.patch('/api/customers/:id', {
    preHandler: auth,
    schema: {
      tags: ['customers'], summary: 'Correct a customer\'s name or membership tier', security,
      params: z.object({ id: z.string().max(64) }),
      body: z.strictObject({ display_name: z.string().trim().min(1).max(64).optional(), tier: z.enum(TIERS).optional() }),
      response: { 200: customerSchema },
    },
  }, async (req) => {
    await load(req.params.id);
    await db.updateTable('customers').set({ ...req.body, updated_at: deps.clock.now().toISOString() }).where('id', '=', req.params.id).execute();
    const open = await db.selectFrom('conversations').select('id').where('customer_id', '=', req.params.id).where('status', '<>', 'closed').execute();
    for (const { id } of open) {
      const conversation = await getConversation(db, id);
      if (conversation) deps.bus.emit('conversation.updated', { conversation });
    }
    return load(req.params.id);
  });
}
