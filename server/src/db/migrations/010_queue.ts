import type { Kysely } from 'kysely';

/**
 * The queue, second part: routing settings (queue notices, overflow rules, leave-a-message
 * limits) as one validated JSON row; the last queue notice per waiting conversation (the rate
 * limit and the "meaningful change" check read it, several instances claim it with a
 * conditional UPDATE); an agent's WeCom userid (a WeCom-native servicer); an index for the
 * customer's previous conversations (stickiness).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('routing_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('queue_notices')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id'))
    .addColumn('position', 'integer', (c) => c.notNull())
    // estimated wait in minutes when one was given
    .addColumn('wait_min', 'integer')
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('agent_profiles').addColumn('wecom_userid', 'text').execute();
  // routing's "who served this customer last" (stickiness) on every decision
  await db.schema.createIndex('conversations_customer_created').on('conversations').columns(['customer_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('conversations_customer_created').ifExists().execute();
  await db.schema.alterTable('agent_profiles').dropColumn('wecom_userid').execute();
  await db.schema.dropTable('queue_notices').ifExists().execute();
  await db.schema.dropTable('routing_settings').ifExists().execute();
}
