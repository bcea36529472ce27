import type { Kysely } from 'kysely';

/**
 * Administration: named business calendars (SLA policies copy the definition of the one they
 * use into their own calendar_json, so the SLA maths keep reading one row) and admin-edited
 * notification templates (overrides of the built-in ones, by name).
 * The calendars the seeded SLA policies already use become the first named calendars.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('business_calendars')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('definition_json', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('notification_templates')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('sms', 'text')
    .addColumn('urgent', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  const now = new Date().toISOString();
  const policies: { calendar_json: string }[] = await db.selectFrom('sla_policies').select('calendar_json').orderBy('sort').execute();
  const seen = new Set<string>();
  let sort = 0;
  for (const p of policies) {
    const def = JSON.parse(p.calendar_json) as { id?: string; name?: string };
    if (!def.id || seen.has(def.id)) continue;
    seen.add(def.id);
    sort += 10;
    await db.insertInto('business_calendars').values({ id: def.id, name: def.name ?? def.id, definition_json: p.calendar_json, sort, created_at: now, updated_at: now }).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('notification_templates').ifExists().execute();
  await db.schema.dropTable('business_calendars').ifExists().execute();
}
