import type { Kysely } from 'kysely';

// Hand-off from the bot to humans: priority for the queue and the agent page (red border),
// and the reason/summary/intent the bot hands over.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('conversations').addColumn('handoff_json', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('conversations').dropColumn('handoff_json').execute();
  await db.schema.alterTable('conversations').dropColumn('priority').execute();
}
