import type { Kysely } from 'kysely';

// Knowledge base: the draft (intents, FAQs, dictionaries), published versions (linear history),
// import/mining jobs, mined candidates, hot-word counts and alerts. Portable types only:
// ISO text timestamps, JSON as text.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kb_intents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text')
    .addColumn('action', 'text')
    .addColumn('examples_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_intents_name').on('kb_intents').column('name').execute();

  await db.schema
    .createTable('kb_faqs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('intent_id', 'text')
    .addColumn('category', 'text')
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('similar_json', 'text', (c) => c.notNull())
    .addColumn('answers_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_faqs_question').on('kb_faqs').column('question').execute();
  await db.schema.createIndex('kb_faqs_category').on('kb_faqs').column('category').execute();

  /** small key/value state of the draft: `dictionaries` (JSON) */
  await db.schema
    .createTable('kb_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('kb_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('snapshot_json', 'text', (c) => c.notNull())
    .addColumn('draft_hash', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text')
    .addColumn('published_at', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('counts_json', 'text', (c) => c.notNull())
    .addColumn('rollback_of', 'integer')
    .execute();

  await db.schema
    .createTable('kb_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('filename', 'text')
    .addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('errors_json', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('kb_candidates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('examples_json', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('suggested_intent_id', 'text')
    .addColumn('suggested_answer', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kb_candidates_status').on('kb_candidates').columns(['status', 'count']).execute();

  /** hot-word counts: one row per topic and 10-minute bucket */
  await db.schema
    .createTable('kb_topic_buckets')
    .addColumn('topic', 'text', (c) => c.notNull())
    .addColumn('bucket', 'text', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('examples_json', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('kb_topic_buckets_pk', ['topic', 'bucket'])
    .execute();
  await db.schema.createIndex('kb_topic_buckets_bucket').on('kb_topic_buckets').column('bucket').execute();

  await db.schema
    .createTable('kb_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('topic', 'text', (c) => c.notNull())
    /** one alert per kind, topic and hour, whichever instance sees the surge first */
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('ratio', 'real', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('baseline', 'real', (c) => c.notNull())
    .addColumn('examples_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('acked_by', 'text')
    .addColumn('acked_at', 'text')
    .execute();
  await db.schema.createIndex('kb_alerts_topic_created').on('kb_alerts').columns(['topic', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['kb_alerts', 'kb_topic_buckets', 'kb_candidates', 'kb_jobs', 'kb_versions', 'kb_state', 'kb_faqs', 'kb_intents']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
