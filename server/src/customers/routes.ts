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

export const customerSchema = z.object({
  id: z.string(),
  display_name: z.string(),
  avatar_url: z.string().nullable(),
  tier: z.string(),
  tags: z.array(z.string()),
  note: z.string().nullable(),
  region: z.string().nullable().describe('e.g. 广东; routing prefers agents with a skill of that name'),
  identities: z.array(z.object({ channel: z.string(), external_id: z.string(), profile: z.record(z.string(), z.unknown()).nullable().describe('the channel\'s own profile, e.g. WeChat nickname, gender, unionid') })),
  created_at: z.string(),
});
const tagsSchema = z.array(z.string().trim().min(1).max(16)).max(20).transform((xs) => [...new Set(xs)]);

function parseJson<T>(json: string | null, fallback: T): T {
  try {
    return json ? (JSON.parse(json) as T) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * Columns other modules added to customers: tags_json (automation, 008: its journeys and the 360
 * panel share the tags) and note (workspace, 012).
 */
type CustomerDb = Kysely<Omit<Database, 'customers'> & { customers: Database['customers'] & { tags_json: string; note: string | null; region: string | null } }>;

/** A customer with tags, note and channel identities (404 when unknown). */
export async function loadCustomer(db: Kysely<Database>, id: string) {
  const c = await (db as unknown as CustomerDb).selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw notFound('customer');
  const identities = await db.selectFrom('customer_identities').select(['channel', 'external_id', 'profile_json']).where('customer_id', '=', id).execute();
  return {
    id: c.id, display_name: c.display_name, avatar_url: c.avatar_url, tier: c.tier, tags: parseJson<string[]>(c.tags_json, []), note: c.note, region: c.region,
    identities: identities.map((i) => ({ channel: i.channel, external_id: i.external_id, profile: parseJson<Record<string, unknown> | null>(i.profile_json, null) })),
    created_at: c.created_at,
  };
}

/** Customers: one person with identities on several channels; agents correct name and tier. */
export function customerRoutes(app: AppInstance, deps: { db: Kysely<Database>; auth: AuthService; clock: Clock; bus: EventBus }) {
  const { db } = deps;
  const auth = requireUser(deps.auth);
  const security = [{ bearer: [] }];
  const load = (id: string) => loadCustomer(db, id);

  app.get('/api/customers/:id', {
    preHandler: auth,
    schema: { tags: ['customers'], summary: 'One customer with their channel identities', security, params: z.object({ id: z.string().max(64) }), response: { 200: customerSchema } },
  }, async (req) => load(req.params.id));

  app.patch('/api/customers/:id', {
    preHandler: auth,
    schema: {
      tags: ['customers'], summary: 'Correct a customer\'s name or membership tier; set their tags, note and region', security,
      params: z.object({ id: z.string().max(64) }),
      body: z.strictObject({
        display_name: z.string().trim().min(1).max(64).optional(),
        tier: z.enum(TIERS).optional(),
        tags: tagsSchema.optional(),
        note: z.string().trim().max(2000).nullable().optional(),
        region: z.string().trim().max(32).nullable().optional(),
      }),
      response: { 200: customerSchema },
    },
  }, async (req) => {
    await load(req.params.id);
    const { tags, note, region, ...rest } = req.body;
    await (db as unknown as CustomerDb).updateTable('customers').set({
      ...rest,
      ...(tags ? { tags_json: JSON.stringify(tags) } : {}),
      ...(note !== undefined ? { note: note || null } : {}),
      ...(region !== undefined ? { region: region || null } : {}),
      updated_at: deps.clock.now().toISOString(),
    }).where('id', '=', req.params.id).execute();
    const open = await db.selectFrom('conversations').select('id').where('customer_id', '=', req.params.id).where('status', '<>', 'closed').execute();
    for (const { id } of open) {
      const conversation = await getConversation(db, id);
      if (conversation) deps.bus.emit('conversation.updated', { conversation });
    }
    return load(req.params.id);
  });
}
