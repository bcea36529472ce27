import type { Kysely } from 'kysely';

// The bot's own tables: its settings, and per-conversation memory for hand-off triggers.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('bot_settings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('bot_state')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id'))
    .addColumn('state_json', 'text', (c) => c.notNull())
    .addColumn('soothing_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_soothing_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('bot_state_soothing').on('bot_state').column('next_soothing_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('bot_state').ifExists().execute();
  await db.schema.dropTable('bot_settings').ifExists().execute();
}
