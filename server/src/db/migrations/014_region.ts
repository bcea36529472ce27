import type { Kysely } from 'kysely';

// The customer's region (e.g. 广东), set by agents in the 360 panel or by CRM sync; routing
// prefers agents with a skill of that name (dialect, local stores and couriers).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('customers').addColumn('region', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('customers').dropColumn('region').execute();
}
