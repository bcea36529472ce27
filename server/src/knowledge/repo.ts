import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Dictionaries, Faq, FaqAnswer, Intent, IntentAction, KnowledgeSnapshot } from '../bot/engine/types.js';

/** The knowledge tables (migration 003_knowledge; kb_intents.skill: 015_intent_skill). */
export interface KbIntentsTable {
  id: string;
  name: string;
  category: string | null;
  action: string | null;
  examples_json: string;
  skill: string | null;
  created_at: string;
  updated_at: string;
}
export interface KbFaqsTable {
  id: string;
  intent_id: string | null;
  category: string | null;
  question: string;
  similar_json: string;
  answers_json: string;
  created_at: string;
  updated_at: string;
}
export interface KbStateTable {
  key: string;
  value: string;
  updated_at: string;
}
export interface KbVersionsTable {
  version: number;
  snapshot_json: string;
  draft_hash: string;
  published_by: string | null;
  published_at: string;
  note: string | null;
  counts_json: string;
  rollback_of: number | null;
}
export interface KbJobsTable {
  id: string;
  kind: string;
  status: string;
  filename: string | null;
  total: number;
  processed: number;
  created: number;
  updated: number;
  errors_json: string;
  message: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}
export interface KbCandidatesTable {
  id: string;
  job_id: string;
  label: string;
  examples_json: string;
  count: number;
  suggested_intent_id: string | null;
  suggested_answer: string | null;
  status: string;
  created_at: string;
  updated_at: string;
}
export interface KbTopicBucketsTable {
  topic: string;
  bucket: string;
  count: number;
  examples_json: string;
}
export interface KbAlertsTable {
  id: string;
  kind: string;
  topic: string;
  dedupe_key: string;
  ratio: number;
  count: number;
  baseline: number;
  examples_json: string;
  created_at: string;
  acked_by: string | null;
  acked_at: string | null;
}

export type KnowledgeTables = {
  kb_intents: KbIntentsTable;
  kb_faqs: KbFaqsTable;
  kb_state: KbStateTable;
  kb_versions: KbVersionsTable;
  kb_jobs: KbJobsTable;
  kb_candidates: KbCandidatesTable;
  kb_topic_buckets: KbTopicBucketsTable;
  kb_alerts: KbAlertsTable;
};

export type KbDb = Kysely<Database & KnowledgeTables>;
export type KbExecutor = KbDb | Transaction<Database & KnowledgeTables>;

export const kbDb = (db: Kysely<Database>): KbDb => db.withTables<KnowledgeTables>() as unknown as KbDb;

export const emptyDictionaries = (): Dictionaries => ({ synonyms: [], dialect: [], domainTerms: [], sensitive: [], whitelist: [] });

export type StoredIntent = Intent & { updated_at: string };
export type StoredFaq = Faq & { updated_at: string };

export function toIntent(r: KbIntentsTable): StoredIntent {
  return {
    id: r.id,
    name: r.name,
    category: r.category,
    examples: JSON.parse(r.examples_json) as string[],
    action: (r.action ?? 'answer') as IntentAction,
    // only when set: intents without one keep the shape (and draft hash) they had before skills
    ...(r.skill ? { skill: r.skill } : {}),
    updated_at: r.updated_at,
  };
}

export function toFaq(r: KbFaqsTable): StoredFaq {
  return {
    id: r.id,
    intent_id: r.intent_id,
    category: r.category,
    question: r.question,
    similar: JSON.parse(r.similar_json) as string[],
    answers: JSON.parse(r.answers_json) as FaqAnswer[],
    updated_at: r.updated_at,
  };
}

export function intentRow(i: Intent, now: string, createdAt = now): KbIntentsTable {
  return {
    id: i.id,
    name: i.name,
    category: i.category ?? null,
    action: i.action ?? 'answer',
    examples_json: JSON.stringify(i.examples),
    skill: i.skill || null,
    created_at: createdAt,
    updated_at: now,
  };
}

export function faqRow(f: Faq, now: string, createdAt = now): KbFaqsTable {
  return {
    id: f.id,
    intent_id: f.intent_id ?? null,
    category: f.category ?? null,
    question: f.question,
    similar_json: JSON.stringify(f.similar),
    answers_json: JSON.stringify(f.answers),
    created_at: createdAt,
    updated_at: now,
  };
}

export async function listIntents(db: KbExecutor): Promise<StoredIntent[]> {
  const rows = await db.selectFrom('kb_intents').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(toIntent);
}

export async function getIntent(db: KbExecutor, id: string): Promise<StoredIntent | undefined> {
  const r = await db.selectFrom('kb_intents').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toIntent(r);
}

export async function listFaqs(db: KbExecutor, category?: string): Promise<StoredFaq[]> {
  let q = db.selectFrom('kb_faqs').selectAll();
  if (category !== undefined) q = q.where('category', '=', category);
  const rows = await q.orderBy('created_at').orderBy('id').execute();
  return rows.map(toFaq);
}

export async function getFaq(db: KbExecutor, id: string): Promise<StoredFaq | undefined> {
  const r = await db.selectFrom('kb_faqs').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toFaq(r);
}

export async function getDictionaries(db: KbExecutor): Promise<Dictionaries> {
  const r = await db.selectFrom('kb_state').select('value').where('key', '=', 'dictionaries').executeTakeFirst();
  return r ? { ...emptyDictionaries(), ...(JSON.parse(r.value) as Partial<Dictionaries>) } : emptyDictionaries();
}

export async function setDictionaries(db: KbExecutor, d: Dictionaries, now: string): Promise<void> {
  const value = JSON.stringify(d);
  await db
    .insertInto('kb_state')
    .values({ key: 'dictionaries', value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/** The draft as a snapshot (version 0), in a stable order. */
export async function draftSnapshot(db: KbExecutor): Promise<KnowledgeSnapshot> {
  const [intents, faqs, dictionaries] = await Promise.all([listIntents(db), listFaqs(db), getDictionaries(db)]);
  return {
    version: 0,
    intents: intents.map(({ updated_at: _u, ...i }) => i),
    faqs: faqs.map(({ updated_at: _u, ...f }) => f),
    dictionaries,
  };
}

/** Replaces the whole draft (rollback, demo seed). */
export async function replaceDraft(db: KbExecutor, s: KnowledgeSnapshot, now: string): Promise<void> {
  await db.deleteFrom('kb_faqs').execute();
  await db.deleteFrom('kb_intents').execute();
  // created_at keeps the snapshot's order: the draft lists in the order it was published
  const base = Date.parse(now) - s.intents.length - s.faqs.length - 1;
  const at = (i: number) => new Date(base + i).toISOString();
  for (const [c, chunk] of chunks(s.intents, 200).entries()) {
    await db.insertInto('kb_intents').values(chunk.map((i, j) => intentRow(i, now, at(c * 200 + j)))).execute();
  }
  for (const [c, chunk] of chunks(s.faqs, 200).entries()) {
    await db.insertInto('kb_faqs').values(chunk.map((f, j) => faqRow(f, now, at(c * 200 + j)))).execute();
  }
  await setDictionaries(db, s.dictionaries, now);
}

function chunks<T>(xs: T[], n: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}

export async function latestVersion(db: KbExecutor) {
  return db.selectFrom('kb_versions').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
}

export async function latestVersionNumber(db: KbExecutor): Promise<number> {
  const r = await db.selectFrom('kb_versions').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
  return r ? Number(r.version) : 0;
}
