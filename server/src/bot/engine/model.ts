import { createHash } from 'node:crypto';
import { z } from 'zod';
import { Normalizer } from '../../nlp/normalize.js';
import { lexiconHits } from '../../nlp/lexicon.js';
import { Segmenter, type TaggedToken } from '../../nlp/segment.js';
import { SensitiveMatcher } from '../../nlp/sensitive.js';
import { scoreMessage } from '../../nlp/sentiment.js';
import { backgroundExamples } from './background.js';
import { bandOf, DEFAULT_THRESHOLDS } from './bands.js';
import { LinearClassifier, type ClassifierOptions } from './classifier.js';
import { featureNames, Vocabulary, type SparseVector } from './features.js';
import { FaqRetriever, type IntentProbability, type Tokenized } from './retrieval.js';
import type { Analysis, Band, BotModel, Dictionaries, Faq, FaqAnswer, KnowledgeSnapshot, ScoredIntent, SensitiveHit, TrainOptions } from './types.js';
import type { Channel } from '../../core/message.js';

/** label of the background class (out of scope); never shown as an intent */
export const NONE_LABEL = '__none__';
const FORMAT = 'kefu-bot-model';
/** 2: weights stored sparse (see encodeWeights) */
const FORMAT_VERSION = 2;

/** TrainOptions plus the engine's own knobs (all optional; defaults tuned by cross-validation). */
export type EngineTrainOptions = TrainOptions & {
  /** SVM cost (default 2, see classifier.ts) */
  C?: number;
  /** at most this many passes per class */
  epochs?: number;
  /** fit a temperature on a held-out split (default: when there are ≥ 4 examples per class) */
  calibrate?: boolean;
  /** train the background class for out-of-scope detection (default true) */
  background?: boolean;
  /** below this vocabulary coverage a message is out of scope (default 0.3) */
  minCoverage?: number;
  /** share of the classifier in an intent-linked FAQ's score (default 0.55) */
  intentWeight?: number;
  /** weight examples by (intent size / mean intent size)^-classBalance (default 0: unweighted) */
  classBalance?: number;
};

type ResolvedOptions = {
  seed: number;
  answerThreshold: number;
  clarifyThreshold: number;
  ambiguityMargin: number;
  minCoverage: number;
  intentWeight: number;
  C?: number;
  epochs?: number;
  calibrate?: boolean;
  background: boolean;
  classBalance: number;
};

function resolve(o: EngineTrainOptions = {}): ResolvedOptions {
  return {
    seed: o.seed ?? 42,
    answerThreshold: o.answerThreshold ?? DEFAULT_THRESHOLDS.answerThreshold,
    clarifyThreshold: o.clarifyThreshold ?? DEFAULT_THRESHOLDS.clarifyThreshold,
    ambiguityMargin: o.ambiguityMargin ?? DEFAULT_THRESHOLDS.ambiguityMargin,
    minCoverage: o.minCoverage ?? DEFAULT_THRESHOLDS.minCoverage,
    intentWeight: o.intentWeight ?? 0.55,
    C: o.C,
    epochs: o.epochs,
    calibrate: o.calibrate,
    background: o.background ?? true,
    classBalance: o.classBalance ?? 0,
  };
}

export const EMPTY_DICTIONARIES: Dictionaries = { synonyms: [], dialect: [], domainTerms: [], sensitive: [], whitelist: [] };

/** the text pipeline of one knowledge base: normalise → segment (domain terms whole) → features */
export class TextPipeline {
  readonly normalizer: Normalizer;
  readonly segmenter: Segmenter;
  constructor(d: Dictionaries) {
    this.normalizer = new Normalizer(d);
    this.segmenter = new Segmenter(d.domainTerms);
  }
  tokenize(text: string): Tokenized & { emojis: string[]; domainTerms: string[]; tagged: TaggedToken[] } {
    const n = this.normalizer.normalize(text);
    const tagged = this.segmenter.tag(n.text);
    return { normalized: n.text, emojis: n.emojis, tokens: tagged.map((t) => t.word), tagged, domainTerms: this.segmenter.domainTerms(n.text) };
  }
  /** classifier features (the lexicons are looked up here: FAQ retrieval tokenises without them) */
  features(t: { normalized: string; tagged: TaggedToken[]; domainTerms: string[] }): Map<string, number> {
    return featureNames(t.normalized, t.tagged, t.domainTerms, [...new Set(lexiconHits(t.normalized).map((h) => h.lexicon))]);
  }
}

type Parts = {
  snapshot: KnowledgeSnapshot;
  options: ResolvedOptions;
  vocab: Vocabulary;
  classifier: LinearClassifier | null;
};

export type AnalyzeOptions = { topIntents?: number; topFaqs?: number };

/** the trained model; `BotModel` plus a few extras for evaluation and the test console */
export class KefuModel implements BotModel {
  readonly version: number;
  private readonly pipeline: TextPipeline;
  private readonly retriever: FaqRetriever;
  private readonly sensitive: SensitiveMatcher;
  private readonly intentNames = new Map<string, string>();
  private readonly faqById = new Map<string, Faq>();
  /** index of the background class in the classifier's labels, or -1 */
  private readonly noneIndex: number;
  /** why the last analysed message was judged out of scope (for the test console) */
  lastOutOfScopeReason: string | null = null;

  constructor(private readonly parts: Parts) {
    const { snapshot, classifier, options } = parts;
    this.version = snapshot.version;
    this.pipeline = new TextPipeline(snapshot.dictionaries);
    this.retriever = new FaqRetriever(snapshot.faqs, (t) => this.pipeline.tokenize(t), { intentWeight: options.intentWeight });
    this.sensitive = new SensitiveMatcher(snapshot.dictionaries.sensitive, snapshot.dictionaries.whitelist);
    for (const i of snapshot.intents) this.intentNames.set(i.id, i.name);
    for (const f of snapshot.faqs) this.faqById.set(f.id, f);
    this.noneIndex = classifier ? classifier.labels.indexOf(NONE_LABEL) : -1;
  }

  get options(): Readonly<ResolvedOptions> {
    return this.parts.options;
  }

  /** calibrated probabilities over every class (including the background class) */
  classify(text: string): { labels: readonly string[]; proba: Float64Array; coverage: number } {
    const t = this.pipeline.tokenize(text);
    const f = this.pipeline.features(t);
    const c = this.parts.classifier;
    if (!c) return { labels: [], proba: new Float64Array(0), coverage: this.parts.vocab.coverage(f) };
    return { labels: c.labels, proba: c.predictProba(this.parts.vocab.vectorize(f)), coverage: this.parts.vocab.coverage(f) };
  }

  analyze(input: string, opts: AnalyzeOptions = {}): Analysis {
    const t0 = performance.now();
    const o = this.parts.options;
    const t = this.pipeline.tokenize(input);
    const f = this.pipeline.features(t);
    const coverage = this.parts.vocab.coverage(f);
    const c = this.parts.classifier;

    let intents: ScoredIntent[] = [];
    let pNone = 0;
    // the best intent's probability before rounding for display: bands compare the real value
    let top = 0;
    let second = 0;
    const probs = new Map<string, IntentProbability>();
    if (c && t.normalized) {
      const x: SparseVector = this.parts.vocab.vectorize(f);
      const p = c.predictProba(x);
      const all: ScoredIntent[] = [];
      for (let k = 0; k < p.length; k++) {
        if (k === this.noneIndex) {
          pNone = p[k];
          continue;
        }
        const id = c.labels[k];
        const name = this.intentNames.get(id) ?? id;
        all.push({ intent_id: id, name, confidence: p[k] });
        probs.set(id, { p: p[k], name });
      }
      all.sort((a, b) => b.confidence - a.confidence);
      top = all[0]?.confidence ?? 0;
      second = all[1]?.confidence ?? 0;
      intents = all.slice(0, opts.topIntents ?? 5).map((i) => ({ ...i, confidence: round4(i.confidence) }));
    }
    const faqs = t.normalized ? this.retriever.search(t, probs, opts.topFaqs ?? 5) : [];

    // ── out of scope: three signals, see background.ts for why ─────────────────────────────
    // evidence for "known": the best intent, or a FAQ that has no intent and matched by its text
    let unlinkedFaq = 0;
    for (const sf of faqs) {
      const faq = this.faqById.get(sf.faq_id);
      if (!c || !faq?.intent_id) unlinkedFaq = Math.max(unlinkedFaq, sf.score);
    }
    const known = Math.max(top, unlinkedFaq);
    const topFaq = faqs[0]?.score ?? 0;
    let hasContent = false;
    for (const k of f.keys()) {
      if (k.startsWith('w:') || k.startsWith('c2:')) {
        hasContent = true;
        break;
      }
    }
    let reason: string | null = null;
    if (!t.normalized || !hasContent) reason = 'empty';
    // the background class is not trained against FAQs without an intent: a strong text match
    // to one of those overrides it
    else if (c && pNone > top && unlinkedFaq < o.answerThreshold) reason = 'background_class';
    else if (coverage < o.minCoverage) reason = 'unknown_vocabulary';
    else if (Math.max(known, topFaq) < o.clarifyThreshold && coverage < 0.6) reason = 'low_confidence';
    this.lastOutOfScopeReason = reason;
    const out_of_scope = reason !== null;

    // ── band: the classifier's confidence, or the score of a FAQ with no intent link
    const conf = known;
    // a strong match to a FAQ without intent has no runner-up to be ambiguous with
    const band: Band = out_of_scope ? 'fallback' : bandOf(conf, conf === top ? second : 0, { answer: o.answerThreshold, clarify: o.clarifyThreshold, margin: o.ambiguityMargin });

    const sentiment = scoreMessage(input, { text: t.normalized, emojis: t.emojis });
    const sensitive = this.sensitive.check(input);
    return {
      input,
      normalized: t.normalized,
      tokens: t.tokens,
      intents,
      faqs,
      out_of_scope,
      band,
      sentiment,
      sensitive,
      ms: round4(performance.now() - t0),
    };
  }

  checkOutgoing(text: string): SensitiveHit {
    return this.sensitive.check(text);
  }

  serialize(): string {
    const { snapshot, options, vocab, classifier } = this.parts;
    const body = {
      format: FORMAT,
      formatVersion: FORMAT_VERSION,
      version: snapshot.version,
      options,
      snapshot,
      vocab: { names: vocab.names, df: vocab.df, docs: vocab.docs },
      classifier: classifier
        ? {
            labels: classifier.data.labels,
            nFeatures: classifier.data.nFeatures,
            weights: encodeWeights(classifier.data.weights),
            bias: Array.from(classifier.data.bias),
            temperature: classifier.data.temperature,
          }
        : null,
    };
    const json = JSON.stringify(body);
    return JSON.stringify({ ...body, checksum: sha256(json) });
  }
}

/**
 * The weight matrix as base64 of [flat indices (Uint32) | values (Float32)] of its non-zero
 * entries. A one-vs-rest SVM gives a feature weight only in the classes whose support vectors
 * contain it, so about three quarters of the entries are exactly zero (50 intents, 2,000 FAQs).
 */
function encodeWeights(w: Float32Array): string {
  let nnz = 0;
  for (let i = 0; i < w.length; i++) if (w[i] !== 0) nnz++;
  const idx = new Uint32Array(nnz);
  const val = new Float32Array(nnz);
  for (let i = 0, k = 0; i < w.length; i++) {
    if (w[i] === 0) continue;
    idx[k] = i;
    val[k++] = w[i];
  }
  return Buffer.concat([Buffer.from(idx.buffer), Buffer.from(val.buffer)]).toString('base64');
}

function decodeWeights(b64: string, size: number): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.byteLength % 8 !== 0) throw new ModelLoadError('weight matrix has the wrong size');
  const nnz = buf.byteLength / 8;
  // copy out of the (possibly unaligned) Buffer before viewing it as typed arrays
  const bytes = Uint8Array.from(buf);
  const idx = new Uint32Array(bytes.buffer, 0, nnz);
  const val = new Float32Array(bytes.buffer, nnz * 4, nnz);
  const w = new Float32Array(size);
  let last = -1;
  for (let k = 0; k < nnz; k++) {
    if (idx[k] <= last || idx[k] >= size) throw new ModelLoadError('weight matrix has the wrong size');
    if (!Number.isFinite(val[k])) throw new ModelLoadError('non-finite weight');
    w[idx[k]] = val[k];
    last = idx[k];
  }
  return w;
}

function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}
function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** training examples of a snapshot: intent phrasings plus the questions of FAQs linked to an intent */
export function intentExamples(snapshot: KnowledgeSnapshot): { text: string; label: string }[] {
  const out: { text: string; label: string }[] = [];
  const known = new Set(snapshot.intents.map((i) => i.id));
  for (const i of snapshot.intents) for (const e of i.examples) out.push({ text: e, label: i.id });
  for (const f of snapshot.faqs) {
    if (!f.intent_id || !known.has(f.intent_id)) continue;
    for (const q of [f.question, ...f.similar]) out.push({ text: q, label: f.intent_id });
  }
  return out;
}

export function trainModel(snapshot: KnowledgeSnapshot, opts: EngineTrainOptions = {}): KefuModel {
  const options = resolve(opts);
  const snap: KnowledgeSnapshot = { ...snapshot, dictionaries: { ...EMPTY_DICTIONARIES, ...snapshot.dictionaries } };
  const pipeline = new TextPipeline(snap.dictionaries);
  const vocab = new Vocabulary();

  // in-domain examples, deduplicated per label on the normalised text
  const seen = new Set<string>();
  const X: Map<string, number>[] = [];
  const labelsOf: string[] = [];
  for (const ex of intentExamples(snap)) {
    const t = pipeline.tokenize(ex.text);
    if (!t.normalized) continue;
    const key = ex.label + '\u0000' + t.normalized;
    if (seen.has(key)) continue;
    seen.add(key);
    const f = pipeline.features(t);
    vocab.add(f, true);
    X.push(f);
    labelsOf.push(ex.label);
  }
  // FAQs with no intent are known vocabulary too (coverage), though not classifier examples
  for (const faq of snap.faqs) {
    if (faq.intent_id && snap.intents.some((i) => i.id === faq.intent_id)) continue;
    for (const q of [faq.question, ...faq.similar]) {
      const t = pipeline.tokenize(q);
      if (t.normalized) vocab.add(pipeline.features(t), true);
    }
  }

  let classifier: LinearClassifier | null = null;
  const intentIds = snap.intents.map((i) => i.id).filter((id) => labelsOf.includes(id));
  if (intentIds.length > 0) {
    const labels = [...intentIds];
    // class balance: an example of intent c weighs (n_c / mean n)^-classBalance, so that big
    // intents (chit-chat catch-alls) do not pull rare ones; 0 = plain (every example weighs 1)
    const counts = new Map<string, number>();
    for (const l of labelsOf) counts.set(l, (counts.get(l) ?? 0) + 1);
    const meanCount = labelsOf.length / Math.max(1, counts.size);
    const beta = options.classBalance;
    const weights: number[] = labelsOf.map((l) => (beta > 0 ? Math.pow(counts.get(l)! / meanCount, -beta) : 1));
    if (options.background) {
      const inDomain = new Set(X.length ? [...seen].map((k) => k.split('\u0000')[1]) : []);
      const bg: Map<string, number>[] = [];
      for (const text of backgroundExamples(options.seed)) {
        const t = pipeline.tokenize(text);
        if (!t.normalized || inDomain.has(t.normalized)) continue;
        bg.push(pipeline.features(t));
      }
      if (bg.length > 0) {
        labels.push(NONE_LABEL);
        // the background class weighs as much as about three intents, however many sentences
        // it has, so that it does not swamp small knowledge bases
        const perIntent = X.length / intentIds.length;
        const w = Math.min(1, (3 * perIntent) / bg.length);
        for (const f of bg) {
          vocab.add(f, false);
          X.push(f);
          labelsOf.push(NONE_LABEL);
          weights.push(w);
        }
      }
    }
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    const vectors = X.map((f) => vocab.vectorize(f));
    const y = labelsOf.map((l) => labelIndex.get(l)!);
    const copts: ClassifierOptions = { seed: options.seed, C: options.C, epochs: options.epochs, calibrate: options.calibrate };
    for (const k of Object.keys(copts) as (keyof ClassifierOptions)[]) if (copts[k] === undefined) delete copts[k];
    classifier = LinearClassifier.train(vectors, y, labels, vocab.size, copts, weights);
  }
  return new KefuModel({ snapshot: snap, options, vocab, classifier });
}

// ── loading ─────────────────────────────────────────────────────────────────────────────────

const zIntent = z.object({
  id: z.string(),
  name: z.string(),
  category: z.string().nullish(),
  examples: z.array(z.string()),
  action: z.enum(['answer', 'handoff']).optional(),
  skill: z.string().nullish(),
});
const zFaq = z.object({
  id: z.string(),
  intent_id: z.string().nullish(),
  category: z.string().nullish(),
  question: z.string(),
  similar: z.array(z.string()),
  answers: z.array(
    z.object({
      tier: z.string().nullish(),
      channel: z.enum(['wecom_kf', 'web']).nullish(),
      content: z.looseObject({ type: z.string() }),
    }),
  ),
});
const zDictionaries = z.object({
  synonyms: z.array(z.object({ term: z.string(), synonyms: z.array(z.string()) })),
  dialect: z.array(z.object({ from: z.string(), to: z.string() })),
  domainTerms: z.array(z.string()),
  sensitive: z.array(z.object({ word: z.string(), action: z.enum(['flag', 'block']) })),
  whitelist: z.array(z.string()),
});
const zModel = z.object({
  format: z.literal(FORMAT),
  formatVersion: z.literal(FORMAT_VERSION),
  version: z.number().int(),
  options: z.object({
    seed: z.number(),
    answerThreshold: z.number().min(0).max(1),
    clarifyThreshold: z.number().min(0).max(1),
    ambiguityMargin: z.number().min(0).max(1).default(DEFAULT_THRESHOLDS.ambiguityMargin),
    minCoverage: z.number().min(0).max(1),
    intentWeight: z.number().min(0).max(1),
    C: z.number().positive().optional(),
    epochs: z.number().optional(),
    calibrate: z.boolean().optional(),
    background: z.boolean(),
    classBalance: z.number().min(0).max(2).default(0),
  }),
  snapshot: z.object({ version: z.number().int(), intents: z.array(zIntent), faqs: z.array(zFaq), dictionaries: zDictionaries }),
  vocab: z.object({ names: z.array(z.string()), df: z.array(z.number().int().nonnegative()), docs: z.number().int().nonnegative() }),
  classifier: z
    .object({
      labels: z.array(z.string()).min(1),
      nFeatures: z.number().int().nonnegative(),
      weights: z.string(),
      bias: z.array(z.number()),
      temperature: z.number().positive(),
    })
    .nullable(),
  checksum: z.string().regex(/^[0-9a-f]{64}$/),
});

export class ModelLoadError extends Error {
  constructor(message: string) {
    super(`cannot load bot model: ${message}`);
    this.name = 'ModelLoadError';
  }
}

/** Loads a serialised model; validates its shape (zod), its checksum and its dimensions. */
export function loadModel(serialized: string): KefuModel {
  let raw: unknown;
  try {
    raw = JSON.parse(serialized);
  } catch (e) {
    throw new ModelLoadError(`not JSON (${(e as Error).message})`);
  }
  const parsed = zModel.safeParse(raw);
  if (!parsed.success) throw new ModelLoadError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const { checksum, ...rest } = raw as { checksum: string } & Record<string, unknown>;
  if (sha256(JSON.stringify(rest)) !== checksum) throw new ModelLoadError('checksum mismatch (the model was altered or truncated)');
  const m = parsed.data;
  if (m.vocab.df.length !== m.vocab.names.length) throw new ModelLoadError('vocabulary and document frequencies differ in length');
  let classifier: LinearClassifier | null = null;
  if (m.classifier) {
    const c = m.classifier;
    const C = c.labels.length;
    if (c.nFeatures !== m.vocab.names.length) throw new ModelLoadError('classifier and vocabulary sizes differ');
    if (c.bias.length !== C) throw new ModelLoadError('bias has the wrong size');
    const weights = decodeWeights(c.weights, c.nFeatures * C);
    classifier = new LinearClassifier({ labels: c.labels, nFeatures: c.nFeatures, weights, bias: Float64Array.from(c.bias), temperature: c.temperature });
  }
  const snapshot = m.snapshot as unknown as KnowledgeSnapshot;
  return new KefuModel({ snapshot, options: m.options, vocab: Vocabulary.from(m.vocab.names, m.vocab.df, m.vocab.docs), classifier });
}

// ── answers ─────────────────────────────────────────────────────────────────────────────────

/**
 * The answer variant for a customer: variants whose tier / channel are set must match; among
 * those, the most specific wins (tier and channel > tier > channel > neither); ties go to the
 * first listed. Null when no variant applies.
 */
export function pickAnswer(faq: Pick<Faq, 'answers'>, ctx: { tier?: string | null; channel?: Channel | null } = {}): FaqAnswer | null {
  let best: FaqAnswer | null = null;
  let bestScore = -1;
  for (const a of faq.answers) {
    if (a.tier != null && a.tier !== ctx.tier) continue;
    if (a.channel != null && a.channel !== ctx.channel) continue;
    const score = (a.tier != null ? 2 : 0) + (a.channel != null ? 1 : 0);
    if (score > bestScore) {
      best = a;
      bestScore = score;
    }
  }
  return best;
}
