import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Channel } from '../core/message.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { isUniqueViolation } from '../db/connect.js';
import type { Analysis, BotModel, Dictionaries, Faq, FaqAnswer, Intent, KnowledgeSnapshot } from '../bot/engine/types.js';
import * as repo from './repo.js';
import { kbDb, type KbDb, type KbExecutor, type StoredFaq, type StoredIntent } from './repo.js';
import type { FaqInput, IntentInput } from './schemas.js';
import { pickAnswer, train } from './engine.js';

/** a FAQ as the service takes it (routes validate FaqInput; imports and candidates build it) */
export type FaqData = Omit<FaqInput, 'answers'> & { answers: FaqAnswer[] };
export type Counts = { intents: number; faqs: number };
export type VersionInfo = { version: number; published_by: string | null; published_at: string; note: string | null; counts: Counts; rollback_of: number | null };
export type PublishResult = { version: number; published_at: string; train_ms: number };
export type TestResult = Analysis & { answer: { faq_id: string; question: string; answer: FaqAnswer } | null; version: number };
export type EvaluationReport = {
  k: number;
  examples: number;
  accuracy: number;
  macro_f1: number;
  labels: string[];
  per_intent: { intent_id: string; name: string; precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][];
  bad_cases: { text: string; expected_id: string; expected: string; predicted_id: string | null; predicted: string | null; confidence: number }[];
  train_ms: number;
};

export const emptySnapshot = (): KnowledgeSnapshot => ({ version: 0, intents: [], faqs: [], dictionaries: repo.emptyDictionaries() });
/** the column the evaluation puts predictions of no intent in */
export const NO_INTENT = '__none__';

/** how long the active version number is trusted before it is read again */
const VERSION_TTL_MS = 2000;
const hashOf = (s: KnowledgeSnapshot) => createHash('sha256').update(JSON.stringify({ intents: s.intents, faqs: s.faqs, dictionaries: s.dictionaries })).digest('hex');
const dedupe = (xs: string[]) => [...new Set(xs.map((x) => x.trim()).filter(Boolean))];
const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
/** the intent an input describes; `skill` only when set, the shape repo.toIntent reads back */
const intentOf = (id: string, input: IntentInput): Intent => ({
  id,
  name: input.name,
  category: input.category ?? null,
  examples: dedupe(input.examples),
  action: input.action,
  ...(input.skill ? { skill: input.skill } : {}),
});

/**
 * The knowledge base: trainers edit a draft (intents, FAQs, dictionaries); publishing trains
 * the draft once to validate it and stores it as the next numbered version. History is linear:
 * a rollback restores the draft from an old version and publishes it as a new one.
 */
export class KnowledgeService {
  readonly db: KbDb;
  private publishedCache: { version: number; snapshot: KnowledgeSnapshot; model: BotModel | null } | null = null;
  private draftCache: { hash: string; model: BotModel } | null = null;
  private training: { version: number; model: Promise<BotModel> } | null = null;
  /** the active version as last read; every message asks for the published model */
  private versionSeen: { at: number; version: number } | null = null;

  constructor(
    db: Kysely<Database>,
    readonly bus: EventBus,
    readonly clock: Clock,
    readonly log: Logger,
  ) {
    this.db = kbDb(db);
  }

  now(): string {
    return this.clock.now().toISOString();
  }

  // ── intents ────────────────────────────────────────────────────────────────────────────

  async listIntents(f: { q?: string; category?: string } = {}): Promise<StoredIntent[]> {
    const q = f.q?.trim().toLowerCase();
    return (await repo.listIntents(this.db)).filter(
      (i) => (f.category === undefined || (i.category ?? '') === f.category) && (!q || i.name.toLowerCase().includes(q) || i.examples.some((e) => e.toLowerCase().includes(q))),
    );
  }

  async getIntent(id: string): Promise<StoredIntent> {
    const i = await repo.getIntent(this.db, id);
    if (!i) throw notFound('intent');
    return i;
  }

  async createIntent(input: IntentInput, db: KbExecutor = this.db): Promise<StoredIntent> {
    const id = input.id ?? newId('i');
    if (await repo.getIntent(db, id)) throw new AppError(409, 'duplicate_id', `意图 id ${id} 已存在`);
    await this.assertUniqueName(db, input.name);
    const now = this.now();
    const intent = intentOf(id, input);
    await db.insertInto('kb_intents').values(repo.intentRow(intent, now)).execute();
    return { ...intent, updated_at: now };
  }

  async updateIntent(id: string, input: IntentInput, db: KbExecutor = this.db): Promise<StoredIntent> {
    const old = await repo.getIntent(db, id);
    if (!old) throw notFound('intent');
    if (old.name !== input.name) await this.assertUniqueName(db, input.name, id);
    const now = this.now();
    const intent = intentOf(id, input);
    const row = repo.intentRow(intent, now);
    await db.updateTable('kb_intents').set({ name: row.name, category: row.category, action: row.action, examples_json: row.examples_json, skill: row.skill, updated_at: now }).where('id', '=', id).execute();
    return { ...intent, updated_at: now };
  }

  async deleteIntent(id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      const r = await tx.deleteFrom('kb_intents').where('id', '=', id).executeTakeFirst();
      if (!Number(r.numDeletedRows)) throw notFound('intent');
      // FAQs that answered it stay, unlinked
      await tx.updateTable('kb_faqs').set({ intent_id: null, updated_at: this.now() }).where('intent_id', '=', id).execute();
    });
  }

  private async assertUniqueName(db: KbExecutor, name: string, exceptId?: string): Promise<void> {
    let q = db.selectFrom('kb_intents').select('id').where('name', '=', name);
    if (exceptId) q = q.where('id', '<>', exceptId);
    if (await q.executeTakeFirst()) throw new AppError(409, 'duplicate_name', `已有名为「${name}」的意图`);
  }

  // ── FAQs ───────────────────────────────────────────────────────────────────────────────

  async listFaqs(f: { q?: string; category?: string } = {}): Promise<StoredFaq[]> {
    const q = f.q?.trim().toLowerCase();
    const all = await repo.listFaqs(this.db, f.category);
    if (!q) return all;
    const has = (s: string) => s.toLowerCase().includes(q);
    return all.filter((x) => has(x.question) || x.similar.some(has) || x.answers.some((a) => a.content.type === 'text' && has(a.content.text)));
  }

  async getFaq(id: string): Promise<StoredFaq> {
    const f = await repo.getFaq(this.db, id);
    if (!f) throw notFound('faq');
    return f;
  }

  async createFaq(input: FaqData, db: KbExecutor = this.db): Promise<StoredFaq> {
    const id = input.id ?? newId('q');
    if (await repo.getFaq(db, id)) throw new AppError(409, 'duplicate_id', `FAQ id ${id} 已存在`);
    await this.assertIntent(db, input.intent_id);
    const now = this.now();
    const faq = this.faqOf(id, input);
    await db.insertInto('kb_faqs').values(repo.faqRow(faq, now)).execute();
    return { ...faq, updated_at: now };
  }

  async updateFaq(id: string, input: FaqData, db: KbExecutor = this.db): Promise<StoredFaq> {
    if (!(await repo.getFaq(db, id))) throw notFound('faq');
    await this.assertIntent(db, input.intent_id);
    const now = this.now();
    const faq = this.faqOf(id, input);
    const row = repo.faqRow(faq, now);
    await db.updateTable('kb_faqs')
      .set({ intent_id: row.intent_id, category: row.category, question: row.question, similar_json: row.similar_json, answers_json: row.answers_json, updated_at: now })
      .where('id', '=', id)
      .execute();
    return { ...faq, updated_at: now };
  }

  async deleteFaq(id: string): Promise<void> {
    const r = await this.db.deleteFrom('kb_faqs').where('id', '=', id).executeTakeFirst();
    if (!Number(r.numDeletedRows)) throw notFound('faq');
  }

  private faqOf(id: string, input: FaqData): Faq {
    return {
      id,
      intent_id: input.intent_id ?? null,
      category: input.category ?? null,
      question: input.question,
      similar: dedupe(input.similar).filter((s) => s !== input.question),
      answers: input.answers.map((a) => ({ tier: a.tier ?? null, channel: a.channel ?? null, content: a.content })),
    };
  }

  private async assertIntent(db: KbExecutor, intentId: string | null | undefined): Promise<void> {
    if (intentId && !(await repo.getIntent(db, intentId))) throw badRequest('unknown_intent', `意图 ${intentId} 不存在`);
  }

  // ── dictionaries ───────────────────────────────────────────────────────────────────────

  getDictionaries(): Promise<Dictionaries> {
    return repo.getDictionaries(this.db);
  }

  async setDictionaries(d: Dictionaries): Promise<Dictionaries> {
    const clean: Dictionaries = {
      synonyms: d.synonyms.map((s) => ({ term: s.term, synonyms: dedupe(s.synonyms) })),
      dialect: d.dialect,
      domainTerms: dedupe(d.domainTerms),
      sensitive: d.sensitive,
      whitelist: dedupe(d.whitelist),
    };
    await repo.setDictionaries(this.db, clean, this.now());
    return clean;
  }

  // ── draft, versions, publish ───────────────────────────────────────────────────────────

  draft(): Promise<KnowledgeSnapshot> {
    return repo.draftSnapshot(this.db);
  }

  async isEmpty(): Promise<boolean> {
    const [v, i, f] = await Promise.all([
      this.db.selectFrom('kb_versions').select('version').limit(1).executeTakeFirst(),
      this.db.selectFrom('kb_intents').select('id').limit(1).executeTakeFirst(),
      this.db.selectFrom('kb_faqs').select('id').limit(1).executeTakeFirst(),
    ]);
    return !v && !i && !f;
  }

  /** the active published version number (0 when nothing was published); cheap */
  publishedVersion(): Promise<number> {
    return repo.latestVersionNumber(this.db);
  }

  /** the active published snapshot (an empty snapshot with version 0 if none) */
  async published(): Promise<KnowledgeSnapshot> {
    const version = await this.activeVersion();
    if (version === 0) return emptySnapshot();
    if (this.publishedCache?.version === version) return this.publishedCache.snapshot;
    const row = await this.db.selectFrom('kb_versions').select('snapshot_json').where('version', '=', version).executeTakeFirstOrThrow();
    const snapshot = { ...(JSON.parse(row.snapshot_json) as KnowledgeSnapshot), version };
    this.publishedCache = { version, snapshot, model: null };
    return snapshot;
  }

  /**
   * The active version number, read at most every VERSION_TTL_MS: a publish here is seen at
   * once, one on another instance within that time (as the bot settings are).
   */
  private async activeVersion(): Promise<number> {
    const now = Date.now();
    if (this.versionSeen && now - this.versionSeen.at < VERSION_TTL_MS) return this.versionSeen.version;
    // versions only grow: a read that raced with a publish here must not step back
    const version = Math.max(await repo.latestVersionNumber(this.db), this.versionSeen?.version ?? 0);
    this.versionSeen = { at: now, version };
    return version;
  }

  /** the model trained from the published version (cached per version), null before the first publish */
  async publishedModel(): Promise<{ model: BotModel; snapshot: KnowledgeSnapshot } | null> {
    const snapshot = await this.published();
    if (snapshot.version === 0) return null;
    const cache = this.publishedCache;
    if (cache?.version === snapshot.version && cache.model) return { model: cache.model, snapshot };
    // one training per version, however many callers ask at once
    if (this.training?.version !== snapshot.version) {
      const version = snapshot.version;
      this.training = {
        version,
        model: Promise.resolve().then(() => {
          const model = train(snapshot);
          if (this.publishedCache?.version === version) this.publishedCache.model = model;
          return model;
        }),
      };
      this.training.model.finally(() => {
        if (this.training?.version === version) this.training = null;
      }).catch(() => undefined);
    }
    return { model: await this.training.model, snapshot };
  }

  async status() {
    const [latest, draft] = await Promise.all([repo.latestVersion(this.db), this.draft()]);
    return {
      published_version: latest ? Number(latest.version) : 0,
      published_at: latest?.published_at ?? null,
      draft_changed: latest ? latest.draft_hash !== hashOf(draft) : draft.intents.length + draft.faqs.length > 0,
      counts: { intents: draft.intents.length, faqs: draft.faqs.length },
    };
  }

  async listVersions(): Promise<VersionInfo[]> {
    const rows = await this.db
      .selectFrom('kb_versions')
      .select(['version', 'published_by', 'published_at', 'note', 'counts_json', 'rollback_of'])
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({
      version: Number(r.version),
      published_by: r.published_by,
      published_at: r.published_at,
      note: r.note,
      counts: JSON.parse(r.counts_json) as Counts,
      rollback_of: r.rollback_of === null ? null : Number(r.rollback_of),
    }));
  }

  async getVersion(version: number): Promise<VersionInfo & { snapshot: KnowledgeSnapshot }> {
    const r = await this.db.selectFrom('kb_versions').selectAll().where('version', '=', version).executeTakeFirst();
    if (!r) throw notFound(`version ${version}`);
    return {
      version: Number(r.version),
      published_by: r.published_by,
      published_at: r.published_at,
      note: r.note,
      counts: JSON.parse(r.counts_json) as Counts,
      rollback_of: r.rollback_of === null ? null : Number(r.rollback_of),
      snapshot: { ...(JSON.parse(r.snapshot_json) as KnowledgeSnapshot), version: Number(r.version) },
    };
  }

  /** Problems that make a draft unpublishable, in words a trainer understands. */
  validateDraft(s: KnowledgeSnapshot): string[] {
    const problems: string[] = [];
    if (!s.intents.length && !s.faqs.length) problems.push('知识库为空：至少需要一个意图或一条 FAQ');
    const ids = new Set(s.intents.map((i) => i.id));
    for (const i of s.intents) if (!i.examples.length) problems.push(`意图「${i.name}」没有例句`);
    for (const f of s.faqs) {
      if (f.intent_id && !ids.has(f.intent_id)) problems.push(`FAQ「${f.question}」关联的意图 ${f.intent_id} 不存在`);
      if (!f.answers.length) problems.push(`FAQ「${f.question}」没有答案`);
    }
    return problems;
  }

  /** Trains the snapshot once (so an untrainable draft is never published); 422 with the reason otherwise. */
  private trainOrReject(s: KnowledgeSnapshot): { model: BotModel; ms: number } {
    const problems = this.validateDraft(s);
    if (problems.length) {
      throw new AppError(422, 'draft_invalid', `草稿无法发布：${problems.slice(0, 5).join('；')}${problems.length > 5 ? ` 等 ${problems.length} 个问题` : ''}`, { problems });
    }
    const t0 = performance.now();
    try {
      const model = train(s);
      return { model, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      throw new AppError(422, 'train_failed', `草稿训练失败：${(e as Error).message}`);
    }
  }

  async publish(opts: { by: string | null; note?: string | null }): Promise<PublishResult> {
    const snapshot = await this.draft();
    return this.publishSnapshot(snapshot, { by: opts.by, note: opts.note ?? null, rollbackOf: null });
  }

  async rollback(version: number, by: string | null): Promise<PublishResult & { rollback_of: number }> {
    const old = await this.getVersion(version);
    const r = await this.publishSnapshot({ ...old.snapshot, version: 0 }, { by, note: `回滚到版本 ${version}`, rollbackOf: version });
    return { ...r, rollback_of: version };
  }

  /** Stores `snapshot` as the next version; a rollback also restores the draft, in the same transaction. */
  private async publishSnapshot(snapshot: KnowledgeSnapshot, o: { by: string | null; note: string | null; rollbackOf: number | null }): Promise<PublishResult> {
    const { model, ms } = this.trainOrReject(snapshot);
    const counts: Counts = { intents: snapshot.intents.length, faqs: snapshot.faqs.length };
    const draftHash = hashOf(snapshot);
    for (let attempt = 0; ; attempt++) {
      const now = this.now();
      try {
        const version = await this.db.transaction().execute(async (tx) => {
          if (o.rollbackOf !== null) await repo.replaceDraft(tx, snapshot, now);
          const version = (await repo.latestVersionNumber(tx)) + 1;
          await tx.insertInto('kb_versions').values({
            version,
            snapshot_json: JSON.stringify({ ...snapshot, version }),
            draft_hash: draftHash,
            published_by: o.by,
            published_at: now,
            note: o.note,
            counts_json: JSON.stringify(counts),
            rollback_of: o.rollbackOf,
          }).execute();
          return version;
        });
        this.publishedCache = { version, snapshot: { ...snapshot, version }, model };
        this.versionSeen = { at: Date.now(), version };
        this.log.info({ version, ...counts, train_ms: ms, rollback_of: o.rollbackOf }, 'knowledge published');
        this.bus.emit('knowledge.published', { version });
        return { version, published_at: now, train_ms: ms };
      } catch (e) {
        // another publish took the number: take the next one
        if (isUniqueViolation(e) && attempt < 3) continue;
        throw e;
      }
    }
  }

  /** Loads a whole snapshot into an empty draft (demo seed). */
  async loadDraft(snapshot: KnowledgeSnapshot): Promise<void> {
    await this.db.transaction().execute((tx) => repo.replaceDraft(tx, snapshot, this.now()));
  }

  // ── test console, evaluation, bad cases ───────────────────────────────────────────────

  private async draftModel(): Promise<{ model: BotModel; snapshot: KnowledgeSnapshot }> {
    const snapshot = await this.draft();
    const hash = hashOf(snapshot);
    if (this.draftCache?.hash === hash) return { model: this.draftCache.model, snapshot };
    const problems = this.validateDraft(snapshot);
    if (problems.length) throw new AppError(422, 'draft_invalid', `草稿无法训练：${problems.slice(0, 5).join('；')}`, { problems });
    const { model } = this.trainOrReject(snapshot);
    this.draftCache = { hash, model };
    return { model, snapshot };
  }

  async test(input: { text: string; tier?: string | null; channel?: Channel | null; use: 'draft' | 'published' }): Promise<TestResult> {
    const m = input.use === 'draft' ? await this.draftModel() : await this.publishedModel();
    if (!m) throw new AppError(409, 'not_published', '尚未发布任何版本：请先发布，或用 use=draft 测试草稿');
    const analysis = m.model.analyze(input.text);
    const top = analysis.faqs[0];
    const faq = top && m.snapshot.faqs.find((f) => f.id === top.faq_id);
    const picked = faq ? pickAnswer(faq, { tier: input.tier, channel: input.channel }) : null;
    return { ...analysis, answer: faq && picked ? { faq_id: faq.id, question: faq.question, answer: picked } : null, version: m.snapshot.version };
  }

  /**
   * Stratified k-fold cross-validation over the draft's intent examples: each example is
   * predicted by a model that never saw it. FAQs stay in every fold minus held-out phrasings.
   */
  async evaluate(k = 5): Promise<EvaluationReport> {
    const draft = await this.draft();
    const intents = draft.intents.filter((i) => i.examples.length);
    if (intents.length < 2) throw new AppError(422, 'too_few_intents', '评估至少需要两个有例句的意图');
    // deterministic stratified folds: each intent's examples dealt round-robin, starting at a rotating fold
    const folds: { text: string; intent_id: string }[][] = Array.from({ length: k }, () => []);
    let start = 0;
    for (const i of intents) {
      i.examples.forEach((text, j) => folds[(start + j) % k].push({ text, intent_id: i.id }));
      start = (start + i.examples.length) % k;
    }
    const labels = intents.map((i) => i.id);
    const index = new Map(labels.map((id, n) => [id, n]));
    const nameOf = new Map(intents.map((i) => [i.id, i.name]));
    const preds: { text: string; expected: string; predicted: string | null; confidence: number }[] = [];
    let trainMs = 0;
    for (const fold of folds) {
      if (!fold.length) continue;
      const held = new Set(fold.map((e) => e.text));
      const trainIntents = intents.map((i) => ({ ...i, examples: i.examples.filter((e) => !held.has(e)) })).filter((i) => i.examples.length);
      const kept = new Set(trainIntents.map((i) => i.id));
      const snapshot: KnowledgeSnapshot = {
        version: 0,
        intents: trainIntents,
        faqs: draft.faqs.map((f) => ({ ...f, intent_id: f.intent_id && kept.has(f.intent_id) ? f.intent_id : null, similar: f.similar.filter((s) => !held.has(s)) })),
        dictionaries: draft.dictionaries,
      };
      const t0 = performance.now();
      let model: BotModel;
      try {
        model = train(snapshot);
      } catch (e) {
        throw new AppError(422, 'train_failed', `评估训练失败：${(e as Error).message}`);
      }
      trainMs += performance.now() - t0;
      for (const ex of fold) {
        const top = model.analyze(ex.text).intents[0];
        preds.push({ text: ex.text, expected: ex.intent_id, predicted: top?.intent_id ?? null, confidence: top ? round(top.confidence) : 0 });
      }
    }
    const withNone = preds.some((p) => p.predicted === null || !index.has(p.predicted));
    const allLabels = withNone ? [...labels, NO_INTENT] : labels;
    const col = (id: string | null) => (id !== null && index.has(id) ? index.get(id)! : labels.length);
    const confusion = allLabels.map(() => allLabels.map(() => 0));
    for (const p of preds) confusion[index.get(p.expected)!][col(p.predicted)]++;
    const per_intent = intents.map((i, n) => {
      const tp = confusion[n][n];
      const support = confusion[n].reduce((a, b) => a + b, 0);
      const predicted = confusion.reduce((a, row) => a + row[n], 0);
      const precision = predicted ? tp / predicted : 0;
      const recall = support ? tp / support : 0;
      const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
      return { intent_id: i.id, name: i.name, precision: round(precision), recall: round(recall), f1: round(f1), support };
    });
    const scored = per_intent.filter((p) => p.support > 0);
    const correct = preds.filter((p) => p.predicted === p.expected).length;
    const bad_cases = preds
      .filter((p) => p.predicted !== p.expected)
      .sort((a, b) => b.confidence - a.confidence)
      .slice(0, 500)
      .map((p) => ({
        text: p.text,
        expected_id: p.expected,
        expected: nameOf.get(p.expected) ?? p.expected,
        predicted_id: p.predicted,
        predicted: p.predicted ? (nameOf.get(p.predicted) ?? p.predicted) : null,
        confidence: p.confidence,
      }));
    return {
      k,
      examples: preds.length,
      accuracy: round(preds.length ? correct / preds.length : 0),
      macro_f1: round(scored.length ? scored.reduce((a, p) => a + p.f1, 0) / scored.length : 0),
      labels: allLabels,
      per_intent,
      confusion,
      bad_cases,
      train_ms: Math.round(trainMs),
    };
  }

  /** One-click fix: the phrasing becomes an example of `intentId` and of no other intent. */
  async fixBadCase(text: string, intentId: string): Promise<{ intent: StoredIntent; removed_from: string[] }> {
    const phrase = text.trim();
    return this.db.transaction().execute(async (tx) => {
      const target = await repo.getIntent(tx, intentId);
      if (!target) throw notFound('intent');
      const now = this.now();
      const removed: string[] = [];
      for (const i of await repo.listIntents(tx)) {
        if (i.id === intentId || !i.examples.includes(phrase)) continue;
        removed.push(i.id);
        await tx.updateTable('kb_intents').set({ examples_json: JSON.stringify(i.examples.filter((e) => e !== phrase)), updated_at: now }).where('id', '=', i.id).execute();
      }
      const examples = target.examples.includes(phrase) ? target.examples : [...target.examples, phrase];
      await tx.updateTable('kb_intents').set({ examples_json: JSON.stringify(examples), updated_at: now }).where('id', '=', intentId).execute();
      return { intent: { ...target, examples, updated_at: now }, removed_from: removed };
    });
  }

  /** Adds phrasings to an intent (mined candidates merged into it). */
  async addExamples(intentId: string, phrases: string[], db: KbExecutor = this.db): Promise<StoredIntent> {
    const target = await repo.getIntent(db, intentId);
    if (!target) throw notFound('intent');
    const examples = dedupe([...target.examples, ...phrases]);
    const now = this.now();
    await db.updateTable('kb_intents').set({ examples_json: JSON.stringify(examples), updated_at: now }).where('id', '=', intentId).execute();
    return { ...target, examples, updated_at: now };
  }
}
