import { describe, expect, it } from 'vitest';
import { computeMetrics, crossValidate, evaluateFaq, evaluateSplit, percentile, signTestP, stratifiedFolds, type Prediction } from './evaluate.js';
import { SMALL_KB } from './fixtures/kb.js';
import { intentExamples } from './model.js';

const p = (expected: string, predicted: string, confidence = 0.5): Prediction => ({ text: `${expected}>${predicted}`, expected, predicted, confidence });

describe('computeMetrics on a hand-computed confusion matrix', () => {
  // expected a: a a a b     (3 right, 1 as b)
  // expected b: b b a       (2 right, 1 as a)
  // expected c: c           (1 right)
  const preds = [p('a', 'a'), p('a', 'a'), p('a', 'a'), p('a', 'b', 0.9), p('b', 'b'), p('b', 'b'), p('b', 'a', 0.4), p('c', 'c')];
  const r = computeMetrics(preds, ['a', 'b', 'c']);

  it('counts the confusion matrix (rows expected, columns predicted)', () => {
    expect(r.labels).toEqual(['a', 'b', 'c']);
    expect(r.confusion).toEqual([
      [3, 1, 0],
      [1, 2, 0],
      [0, 0, 1],
    ]);
  });

  it('computes accuracy, per-intent precision / recall / F1 and macro-F1', () => {
    expect(r.accuracy).toBe(0.75); // 6 / 8
    const a = r.per_intent[0];
    expect(a).toMatchObject({ label: 'a', precision: 0.75, recall: 0.75, f1: 0.75, support: 4, predicted: 4 });
    const b = r.per_intent[1];
    // precision 2/3, recall 2/3
    expect(b).toMatchObject({ label: 'b', precision: 0.6667, recall: 0.6667, f1: 0.6667, support: 3 });
    expect(r.per_intent[2]).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    // (0.75 + 2/3 + 1) / 3 = 0.80556
    expect(r.macro_f1).toBe(0.8056);
  });

  it('lists bad cases, most confident mistakes first', () => {
    expect(r.bad_cases.map((b) => [b.expected, b.predicted])).toEqual([
      ['a', 'b'],
      ['b', 'a'],
    ]);
  });

  it('adds labels that only appear as predictions', () => {
    const r2 = computeMetrics([p('a', 'x')], ['a']);
    expect(r2.labels).toEqual(['a', 'x']);
    expect(r2.macro_f1).toBe(0);
  });

  it('percentile picks the nearest rank', () => {
    expect(percentile([5, 1, 3, 2, 4], 0.5)).toBe(3);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 0.99)).toBe(99);
  });
});

describe('evaluation on data', () => {
  const examples = intentExamples(SMALL_KB);

  it('splits folds stratified and seeded', () => {
    const folds = stratifiedFolds(examples, 5, 1);
    expect(folds.flat().length).toBe(examples.length);
    for (const f of folds) expect(new Set(f.map((e) => e.label)).size).toBe(SMALL_KB.intents.length);
    expect(stratifiedFolds(examples, 5, 1)).toEqual(folds);
  });

  it('cross-validates with timing and per-fold figures', () => {
    const r = crossValidate(examples, 3, { dictionaries: SMALL_KB.dictionaries, seed: 1 });
    expect(r.k).toBe(3);
    expect(r.folds).toHaveLength(3);
    expect(r.n).toBe(examples.length);
    expect(r.accuracy).toBeGreaterThan(0.8);
    expect(r.confusion.length).toBe(SMALL_KB.intents.length);
    expect(r.predict_p99_ms).toBeGreaterThan(0);
  });

  it('evaluates a split', () => {
    const r = evaluateSplit(examples, [{ text: '怎么申请退款呢', label: 'refund' }, { text: '腮红效果如何', label: 'blush' }]);
    expect(r.accuracy).toBe(1);
    expect(r.train_ms).toBeGreaterThanOrEqual(0);
  });

  it('evaluates FAQ matching against the character BM25 baseline', () => {
    const faqs = SMALL_KB.faqs.map((f) => ({ ...f, intent_id: null }));
    const r = evaluateFaq(faqs, [
      { query: '想把钱退回来咋办', expected_id: 'faq-refund' },
      { query: '客服几点上班呀', expected_id: 'faq-hours' },
    ]);
    expect(r.hit_at_1).toBe(1);
    expect(r.hit_at_3).toBe(1);
    expect(r.mrr).toBe(1);
    expect(r.baseline_bm25_char_hit_at_1).toBeGreaterThanOrEqual(0);
    // the discordant counts are exactly the difference in hit@1
    expect((r.only_ours_at_1 - r.only_baseline_at_1) / r.n).toBeCloseTo(r.hit_at_1 - r.baseline_bm25_char_hit_at_1, 4);
    expect(r.sign_test_p).toBeCloseTo(signTestP(r.only_ours_at_1, r.only_baseline_at_1), 4);
  });

  it('the sign test: even splits are chance, lopsided ones are not', () => {
    expect(signTestP(0, 0)).toBe(1);
    expect(signTestP(5, 5)).toBe(1);
    expect(signTestP(10, 0)).toBeCloseTo(2 / 1024, 6);
    expect(signTestP(0, 10)).toBeCloseTo(2 / 1024, 6);
    // 43 : 28 (this engine against character BM25 on ATEC, docs/architecture.md)
    expect(signTestP(43, 28)).toBeCloseTo(0.0959, 3);
    expect(signTestP(2000, 1800)).toBeLessThan(0.01);
  });
});
