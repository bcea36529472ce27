import type { Kysely } from 'kysely';

// Automation rules and journeys: customer attributes the journeys key on (birthday, membership
// expiry, phone for the SMS fallback, time zone, tags, the WeCom owner employee), the rules,
// every run with its actions, trigger dedupe, surveys, and tasks for owner employees.
export async function up(db: Kysely<any>): Promise<void> {
  for (const col of ['birthday', 'membership_expiry', 'phone', 'timezone', 'owner_userid']) {
    await db.schema.alterTable('customers').addColumn(col, 'text').execute();
  }
  await db.schema.alterTable('customers').addColumn('tags_json', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema
    .createTable('automation_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    // the trigger kind (event name, 'cron', 'date_field') for the listeners' lookup
    .addColumn('trigger_key', 'text', (c) => c.notNull())
    .addColumn('definition_json', 'text', (c) => c.notNull())
    // seeded journeys carry their key, so the demo seed adds each once
    .addColumn('builtin', 'text', (c) => c.unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('automation_rules_trigger').on('automation_rules').columns(['trigger_key', 'enabled']).execute();
  await db.schema
    .createTable('automation_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('rule_name', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    // one run per trigger occurrence (the job key)
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('customer_id', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('context_json', 'text', (c) => c.notNull())
    // running | succeeded | failed | skipped
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('automation_runs_rule').on('automation_runs').columns(['rule_id', 'created_at']).execute();
  await db.schema.createIndex('automation_runs_created').on('automation_runs').column('created_at').execute();
  await db.schema
    .createTable('automation_run_actions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('run_id', 'text', (c) => c.notNull().references('automation_runs.id'))
    .addColumn('idx', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('action_json', 'text', (c) => c.notNull())
    // pending | retrying | succeeded | failed | skipped
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    // what happened: delivered via which channel, the fallback and why, the ticket created …
    .addColumn('result_json', 'text')
    .addColumn('error', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('automation_run_actions_run_idx', ['run_id', 'idx'])
    .execute();
  await db.schema
    .createTable('automation_triggers')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('automation_surveys')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'text', (c) => c.notNull())
    .addColumn('score', 'integer')
    .addColumn('rated_at', 'text')
    .execute();
  await db.schema.createIndex('automation_surveys_customer').on('automation_surveys').columns(['customer_id', 'sent_at']).execute();
  await db.schema
    .createTable('automation_tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('owner_userid', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['automation_tasks', 'automation_surveys', 'automation_triggers', 'automation_run_actions', 'automation_runs', 'automation_rules']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
  for (const col of ['birthday', 'membership_expiry', 'phone', 'timezone', 'owner_userid', 'tags_json']) {
    await db.schema.alterTable('customers').dropColumn(col).execute();
  }
}
