import type { Kysely } from 'kysely';

/**
 * Notification tables (portable types only, like db/migrations/*):
 * - notification_log: one row per attempt and per final outcome, written as it happens, so
 *   nothing sent (or not sent) is ever invisible;
 * - notification_preferences: per-user channel choices and quiet hours, as JSON.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('notification_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('notification_id', 'text', (c) => c.notNull())
    .addColumn('delivery_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('recipient_user_id', 'text')
    .addColumn('address_masked', 'text')
    .addColumn('attempt', 'integer', (c) => c.notNull())
    // sent | retry (failed, will try again) | failed (final) | skipped (preference, no address)
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('body', 'text')
    .addColumn('error', 'text')
    .addColumn('provider_ref', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notification_log_created').on('notification_log').columns(['created_at']).execute();
  await db.schema.createIndex('notification_log_recipient').on('notification_log').columns(['recipient_user_id', 'created_at']).execute();
  await db.schema.createIndex('notification_log_delivery').on('notification_log').columns(['delivery_id', 'attempt']).execute();

  await db.schema
    .createTable('notification_preferences')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('prefs_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_preferences').ifExists().execute();
  await db.schema.dropTable('notification_log').ifExists().execute();
}
