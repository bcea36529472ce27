import type { Kysely } from 'kysely';

// Quick-reply templates on hotkeys (F1–F12): shared ones for everybody, and each agent's own.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('quick_replies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('hotkey', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('quick_replies_scope_owner_hotkey', ['scope', 'owner', 'hotkey'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('quick_replies').ifExists().execute();
}
