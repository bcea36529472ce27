import { mulberry32, shuffle } from './classifier.js';
import { CharBm25Baseline } from './retrieval.js';
import { EMPTY_DICTIONARIES, trainModel, type EngineTrainOptions, type KefuModel } from './model.js';
import type { Dictionaries, Faq, Intent, KnowledgeSnapshot } from './types.js';

/**
 * Evaluation as plain data (the trainer UI charts it): accuracy, macro-F1, per-intent
 * precision / recall / F1, a confusion matrix (rows = expected, columns = predicted, in the
 * order of `labels`) and the misclassified examples.
 */

export type LabeledExample = { text: string; label: string };
export type Prediction = { text: string; expected: string; predicted: string; confidence: number };
export type IntentMetrics = { label: string; name?: string; precision: number; recall: number; f1: number; support: number; predicted: number };

export type EvaluationReport = {
  n: number;
  accuracy: number;
  macro_f1: number;
  labels: string[];
  per_intent: IntentMetrics[];
  /** confusion[i][j]: examples of labels[i] predicted as labels[j] */
  confusion: number[][];
  /** misclassified examples, lowest confidence last */
  bad_cases: Prediction[];
};

export type TimedReport = EvaluationReport & {
  train_ms: number;
  predict_mean_ms: number;
  predict_p50_ms: number;
  predict_p99_ms: number;
};

export type CrossValidationReport = TimedReport & {
  k: number;
  folds: { accuracy: number; macro_f1: number; n: number; train_ms: number }[];
};

export type EvalOptions = {
  train?: EngineTrainOptions;
  /** dictionaries of the knowledge base (domain terms, synonyms, dialect) */
  dictionaries?: Dictionaries;
  /** intent names for the report */
  names?: Record<string, string>;
  seed?: number;
  /** how many bad cases to keep (default all) */
  maxBadCases?: number;
};

const r4 = (x: number) => Math.round(x * 10000) / 10000;

export function computeMetrics(preds: readonly Prediction[], labelOrder?: readonly string[], maxBadCases = Infinity): EvaluationReport {
  const labels = [...(labelOrder ?? [])];
  const seen = new Set(labels);
  for (const p of preds) {
    for (const l of [p.expected, p.predicted]) {
      if (!seen.has(l)) {
        seen.add(l);
        labels.push(l);
      }
    }
  }
  const index = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  let correct = 0;
  for (const p of preds) {
    confusion[index.get(p.expected)!][index.get(p.predicted)!]++;
    if (p.expected === p.predicted) correct++;
  }
  const per_intent: IntentMetrics[] = labels.map((label, i) => {
    const tp = confusion[i][i];
    const support = confusion[i].reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, row) => a + row[i], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision: r4(precision), recall: r4(recall), f1: r4(f1), support, predicted };
  });
  // macro-F1 over the labels that occur (as expected or predicted), like scikit-learn
  const present = per_intent.filter((m) => m.support > 0 || m.predicted > 0);
  const macro = present.length ? present.reduce((a, m) => a + unrounded(m, confusion, index), 0) / present.length : 0;
  const bad_cases = preds
    .filter((p) => p.expected !== p.predicted)
    .sort((a, b) => b.confidence - a.confidence)
    .slice(0, maxBadCases);
  return { n: preds.length, accuracy: r4(preds.length ? correct / preds.length : 0), macro_f1: r4(macro), labels, per_intent, confusion, bad_cases };
}

function unrounded(m: IntentMetrics, confusion: number[][], index: Map<string, number>): number {
  const i = index.get(m.label)!;
  const tp = confusion[i][i];
  const p = m.predicted ? tp / m.predicted : 0;
  const r = m.support ? tp / m.support : 0;
  return p + r ? (2 * p * r) / (p + r) : 0;
}

export function percentile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** a snapshot whose intents are the labels of the examples */
export function snapshotFromExamples(examples: readonly LabeledExample[], dictionaries: Dictionaries = EMPTY_DICTIONARIES, names: Record<string, string> = {}): KnowledgeSnapshot {
  const byLabel = new Map<string, string[]>();
  for (const e of examples) {
    const l = byLabel.get(e.label) ?? [];
    l.push(e.text);
    byLabel.set(e.label, l);
  }
  const intents: Intent[] = [...byLabel].map(([id, ex]) => ({ id, name: names[id] ?? id, examples: ex }));
  return { version: 0, intents, faqs: [], dictionaries };
}

function predictAll(model: KefuModel, test: readonly LabeledExample[]): { preds: Prediction[]; times: number[] } {
  const preds: Prediction[] = [];
  const times: number[] = [];
  for (const e of test) {
    const t0 = performance.now();
    const a = model.analyze(e.text, { topIntents: 1, topFaqs: 1 });
    times.push(performance.now() - t0);
    const top = a.intents[0];
    preds.push({ text: e.text, expected: e.label, predicted: top?.intent_id ?? '', confidence: top?.confidence ?? 0 });
  }
  return { preds, times };
}

/** trains on `train`, evaluates on `test` (predicted = the most probable known intent) */
export function evaluateSplit(train: readonly LabeledExample[], test: readonly LabeledExample[], opts: EvalOptions = {}): TimedReport {
  const t0 = performance.now();
  const model = trainModel(snapshotFromExamples(train, opts.dictionaries, opts.names), opts.train);
  const train_ms = performance.now() - t0;
  // warm-up (JIT) so that the first predictions do not dominate the tail
  for (const e of test.slice(0, 20)) model.analyze(e.text);
  const { preds, times } = predictAll(model, test);
  const labels = [...new Set(train.map((e) => e.label))];
  return withTiming(computeMetrics(preds, labels, opts.maxBadCases), train_ms, times, opts.names);
}

function withTiming(r: EvaluationReport, train_ms: number, times: number[], names?: Record<string, string>): TimedReport {
  if (names) for (const m of r.per_intent) if (names[m.label]) m.name = names[m.label];
  const mean = times.length ? times.reduce((a, b) => a + b, 0) / times.length : 0;
  return {
    ...r,
    train_ms: Math.round(train_ms),
    predict_mean_ms: r4(mean),
    predict_p50_ms: r4(percentile(times, 0.5)),
    predict_p99_ms: r4(percentile(times, 0.99)),
  };
}

/** stratified, seeded folds: every label is spread over the folds as evenly as possible */
export function stratifiedFolds<T extends { label: string }>(examples: readonly T[], k: number, seed = 42): T[][] {
  const rand = mulberry32(seed);
  const byLabel = new Map<string, T[]>();
  for (const e of examples) {
    const l = byLabel.get(e.label) ?? [];
    l.push(e);
    byLabel.set(e.label, l);
  }
  const folds: T[][] = Array.from({ length: k }, () => []);
  let offset = 0;
  for (const group of byLabel.values()) {
    shuffle(group, rand);
    group.forEach((e, i) => folds[(i + offset) % k].push(e));
    offset += group.length;
  }
  return folds;
}

/** k-fold cross-validation; metrics are computed over the pooled out-of-fold predictions */
export function crossValidate(examples: readonly LabeledExample[], k = 5, opts: EvalOptions = {}): CrossValidationReport {
  if (k < 2) throw new Error('k must be at least 2');
  const folds = stratifiedFolds(examples, k, opts.seed);
  const preds: Prediction[] = [];
  const times: number[] = [];
  const perFold: CrossValidationReport['folds'] = [];
  let trainTotal = 0;
  for (let i = 0; i < k; i++) {
    const test = folds[i];
    if (test.length === 0) continue;
    const train = folds.filter((_, j) => j !== i).flat();
    const t0 = performance.now();
    const model = trainModel(snapshotFromExamples(train, opts.dictionaries, opts.names), opts.train);
    const train_ms = performance.now() - t0;
    trainTotal += train_ms;
    for (const e of test.slice(0, 10)) model.analyze(e.text);
    const r = predictAll(model, test);
    preds.push(...r.preds);
    times.push(...r.times);
    const m = computeMetrics(r.preds);
    perFold.push({ accuracy: m.accuracy, macro_f1: m.macro_f1, n: test.length, train_ms: Math.round(train_ms) });
  }
  const labels = [...new Set(examples.map((e) => e.label))];
  const report = withTiming(computeMetrics(preds, labels, opts.maxBadCases), trainTotal / Math.max(1, perFold.length), times, opts.names);
  return { ...report, k, folds: perFold };
}

// ── FAQ matching ────────────────────────────────────────────────────────────────────────────

export type FaqQuery = { query: string; expected_id: string };
export type FaqEvaluationReport = {
  n: number;
  faqs: number;
  hit_at_1: number;
  hit_at_3: number;
  mrr: number;
  query_mean_ms: number;
  query_p50_ms: number;
  query_p99_ms: number;
  train_ms: number;
  baseline_bm25_char_hit_at_1: number;
  baseline_bm25_char_hit_at_3: number;
  baseline_bm25_char_mrr: number;
  /** queries right at rank 1 with ours but not the baseline, and the other way round */
  only_ours_at_1: number;
  only_baseline_at_1: number;
  /** exact two-sided sign test on those two counts: how likely a difference this large is by chance */
  sign_test_p: number;
  misses: { query: string; expected_id: string; got: string[] }[];
};

/**
 * Loads FAQs as a knowledge base (with intents, when given, the classifier is part of the
 * ranking) and measures hit@1, hit@3 and MRR@10 of the queries; plain BM25 over characters is
 * measured in the same run for comparison, with a sign test on the queries only one of them
 * gets right at rank 1 (so "better" can be told from luck on a few hundred queries).
 */
export function evaluateFaq(faqs: Faq[], queries: readonly FaqQuery[], opts: EvalOptions & { intents?: Intent[]; maxMisses?: number } = {}): FaqEvaluationReport {
  const t0 = performance.now();
  const model = trainModel({ version: 0, intents: opts.intents ?? [], faqs, dictionaries: opts.dictionaries ?? EMPTY_DICTIONARIES }, opts.train);
  const train_ms = performance.now() - t0;
  const baseline = new CharBm25Baseline(faqs);
  // warm up (JIT) on up to 200 queries: p99 over 95 queries is otherwise the first compile
  for (const q of queries.slice(0, 200)) model.analyze(q.query, { topFaqs: 10 });
  const times: number[] = [];
  const ours = { h1: 0, h3: 0, rr: 0 };
  const base = { h1: 0, h3: 0, rr: 0 };
  const misses: FaqEvaluationReport['misses'] = [];
  let onlyOurs = 0;
  let onlyBaseline = 0;
  const tally = (acc: typeof ours, ranked: string[], expected: string) => {
    const r = ranked.indexOf(expected);
    if (r === 0) acc.h1++;
    if (r >= 0 && r < 3) acc.h3++;
    if (r >= 0) acc.rr += 1 / (r + 1);
    return r;
  };
  for (const q of queries) {
    const s = performance.now();
    const a = model.analyze(q.query, { topFaqs: 10 });
    times.push(performance.now() - s);
    const ranked = a.faqs.map((f) => f.faq_id);
    const ourRank = tally(ours, ranked, q.expected_id);
    if (ourRank !== 0 && misses.length < (opts.maxMisses ?? 50)) misses.push({ query: q.query, expected_id: q.expected_id, got: ranked.slice(0, 3) });
    const baseRank = tally(base, baseline.search(q.query, 10), q.expected_id);
    if (ourRank === 0 && baseRank !== 0) onlyOurs++;
    if (ourRank !== 0 && baseRank === 0) onlyBaseline++;
  }
  const n = queries.length || 1;
  const mean = times.reduce((a, b) => a + b, 0) / n;
  return {
    n: queries.length,
    faqs: faqs.length,
    hit_at_1: r4(ours.h1 / n),
    hit_at_3: r4(ours.h3 / n),
    mrr: r4(ours.rr / n),
    query_mean_ms: r4(mean),
    query_p50_ms: r4(percentile(times, 0.5)),
    query_p99_ms: r4(percentile(times, 0.99)),
    train_ms: Math.round(train_ms),
    baseline_bm25_char_hit_at_1: r4(base.h1 / n),
    baseline_bm25_char_hit_at_3: r4(base.h3 / n),
    baseline_bm25_char_mrr: r4(base.rr / n),
    only_ours_at_1: onlyOurs,
    only_baseline_at_1: onlyBaseline,
    sign_test_p: r4(signTestP(onlyOurs, onlyBaseline)),
    misses,
  };
}

/**
 * Exact two-sided sign test (McNemar's exact test): the probability, with each of `a + b`
 * discordant queries equally likely to go either way, of a split at least as uneven as a : b.
 */
export function signTestP(a: number, b: number): number {
  const n = a + b;
  if (n === 0) return 1;
  const k = Math.min(a, b);
  // log C(n, i) accumulated term by term; 2^-n applied in log space (n can be in the thousands)
  let logC = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logC += Math.log((n - i + 1) / i);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}
