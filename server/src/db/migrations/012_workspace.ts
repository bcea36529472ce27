import type { Kysely } from 'kysely';

// The agent workspace: internal notes on a conversation (agents only, never sent to the
// customer) and the agents' free-text note on a customer (360 panel; tags exist since 008).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('conversation_notes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversation_notes_conversation').on('conversation_notes').columns(['conversation_id', 'created_at']).execute();
  await db.schema.alterTable('customers').addColumn('note', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('conversation_notes').ifExists().execute();
  await db.schema.alterTable('customers').dropColumn('note').execute();
}
