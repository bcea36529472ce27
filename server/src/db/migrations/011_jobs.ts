import type { Kysely } from 'kysely';

// Scheduler housekeeping and a shared home for WeCom's session-end codes.
// - jobs_finished (status, updated_at): the retention purge deletes old done/failed jobs by it
//   without scanning the pending timers (the due query keeps using jobs_due (status, run_at)).
// - kf_end_codes: the msg_code WeCom returns when kefu ends a 微信客服 session allows one
//   message for 20 s (the survey). Kept in the database, not in the closing instance's memory,
//   so whichever instance runs the survey job can use it, and use it once.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('jobs_finished').on('jobs').columns(['status', 'updated_at']).execute();
  await db.schema
    .createTable('kf_end_codes')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kf_end_codes').ifExists().execute();
  await db.schema.dropIndex('jobs_finished').ifExists().execute();
}
