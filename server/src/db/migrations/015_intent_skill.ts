import type { Kysely } from 'kysely';

// The agent skill a conversation about an intent needs when it goes to a human (e.g. 发票):
// routing reads it from the published knowledge instead of a hard-coded table. Null: none.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('kb_intents').addColumn('skill', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('kb_intents').dropColumn('skill').execute();
}
