import type { Kysely } from 'kysely';

// The agents' real-time event log: every event pushed to agents' clients gets the next number of
// its stream (`agents`, `user:<id>`), so a client that missed some (reconnect, a lost pub/sub
// message) fetches exactly those. `realtime_streams` holds each stream's last number; bumping it
// in the same transaction as the insert makes the committed numbers of a stream contiguous.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('realtime_streams')
    .addColumn('stream', 'text', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('realtime_events')
    .addColumn('stream', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('realtime_events_pk', ['stream', 'seq'])
    .execute();
  await db.schema.createIndex('realtime_events_created_at').on('realtime_events').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('realtime_events').ifExists().execute();
  await db.schema.dropTable('realtime_streams').ifExists().execute();
}
