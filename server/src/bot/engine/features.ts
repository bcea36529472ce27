import type { TaggedToken } from '../../nlp/segment.js';

/**
 * Feature extraction for the intent classifier.
 *
 * Short Chinese customer messages are a few characters long and jieba's cut of them is not
 * always stable (退款流程 / 退 款 流程), so words alone are brittle and characters alone lose
 * word meaning. We use both, plus jieba's part-of-speech tags and the knowledge base's dictionary:
 *   c1: characters, c2: character bigrams (with ^ $ boundaries), c3: character trigrams,
 *   w: jieba words (domain terms come out whole), wb: word bigrams, d: domain terms (extra weight),
 *   t: word-bigram templates where names, places, organisations, numerals and unknown words are
 *      replaced by their tag (给|<nr>, <ns>|到|<ns>): the pattern around a name generalises to
 *      names never seen in training (打电话给奥巴马 → 给|<ns>),
 *   n: the shape of numbers (digit and Chinese-numeral runs, 8:10, 幺三八…): phone numbers,
 *      times and sums read as digits or as spoken numerals alike,
 *   lx: the built-in lexicons the message hits (nlp/lexicon.ts: lx:medical for 鼻息肉, 内分泌失调),
 *   p: jieba's tag of each word (p:nr, p:ns, p:nz, p:v…), pi: the tag with the word's position
 *      (0, 1, 2, 3 = fourth or later: pi:0v, pi:1nz): a name, place or title the model has never
 *      seen still says what kind of word stands where.
 * Binary values scaled per group, L2-normalised per message, into a vocabulary built at training
 * (a vocabulary rather than the hashing trick: it tells us which parts of a message the model
 * has never seen, which out-of-scope detection needs; see `coverage`).
 * Group weights: characters, words and domain terms as tuned on the demo knowledge; templates,
 * number shapes and lexicons by 5-fold cross-validation on SMP2017-ECDT's training set with the
 * SVM of classifier.ts (lexicons: 0.901 with weight 1 against 0.900 without, 0.899 at 0.5 or 2).
 * Tags (p 1, pi 0.5): 0.903 against 0.898 (fold seeds 1–3; 0.901 against 0.898 over seeds 1–10).
 * With tags the lexicon weighs 2 (0.903 at 1 or 2): at 1 a lone 鼻息肉 reads as a recipe in a
 * small knowledge base, its noun tag siding with 红烧肉 and 饺子 (model.test.ts). Also tried:
 * tag bigrams, coarse tags, tag + word length, character skip-bigrams and 4-grams, word
 * skip-bigrams, idf weighting, naive Bayes / nearest-neighbour blends and NB-SVM scaling all
 * stayed within ±0.3 point. Punctuation marks as features would add 0.6 point more (0.909), but
 * only because SMP2017's domains were collected with different habits (cookbook questions end in
 * ？ half the time, chit-chat almost never): a trainer's examples would teach the model the same
 * accident, and a customer's question mark would then move the answer. Not taken.
 * More word weight (characters 1.5–2, words 1.5–2) scores up to 0.7 point higher there, within
 * the spread of two fold seeds, but reads the demo's one-word 会员 as 会员续费 with 0.83 where
 * it should ask (会员续费 or 会员等级?); with these weights it is 0.67 / 0.33, which the
 * ambiguity margin (bands.ts) turns into a question.
 */

export type SparseVector = { idx: number[]; val: number[] };

/** per-group weights (before L2 normalisation) */
export const GROUP_WEIGHT = { c1: 2.5, c2: 1, c3: 0.5, w: 1, wb: 0.6, d: 1.2, t: 0.5, n: 0.5, lx: 2, p: 1, pi: 0.5 } as const;

const RE_CJK = /\p{Script=Han}/u;
const RE_WORDY = /[\p{L}\p{N}]/u;
/** tags whose words are replaced by the tag in templates (names, places, organisations, numerals, unknown) */
const RE_TEMPLATE_TAG = /^(ns|nr|nrt|nrfg|nt|nz|m|x|eng)$/;
/** a spoken or written digit (幺 is how 一 is read out in phone numbers) */
const RE_CN_DIGIT = /[零〇一二三四五六七八九十百千万幺两点]/;
const RE_NUMBER_RUN = /[零〇一二三四五六七八九幺两0-9]{5,}/;

export function featureNames(normalized: string, tagged: readonly TaggedToken[], domainTerms: readonly string[], lexicons: readonly string[] = []): Map<string, number> {
  const f = new Map<string, number>();
  const put = (name: string, w: number) => {
    if (!f.has(name)) f.set(name, w);
  };
  const G = GROUP_WEIGHT;
  const chars = Array.from(normalized).filter((c) => RE_WORDY.test(c));
  for (let i = 0; i < chars.length; i++) {
    if (RE_CJK.test(chars[i])) put('c1:' + chars[i], G.c1);
    if (i + 1 < chars.length) put('c2:' + chars[i] + chars[i + 1], G.c2);
    if (i + 2 < chars.length) put('c3:' + chars[i] + chars[i + 1] + chars[i + 2], G.c3);
  }
  if (chars.length > 0) {
    put('c2:^' + chars[0], G.c2);
    put('c2:' + chars[chars.length - 1] + '$', G.c2);
  }
  for (let i = 0; i < tagged.length; i++) {
    put('w:' + tagged[i].word, G.w);
    if (i + 1 < tagged.length) put('wb:' + tagged[i].word + '|' + tagged[i + 1].word, G.wb);
    put('p:' + tagged[i].tag, G.p);
    put('pi:' + Math.min(i, 3) + tagged[i].tag, G.pi);
  }
  let prev = '^';
  for (const t of tagged) {
    const cur = RE_TEMPLATE_TAG.test(t.tag) ? '<' + t.tag + '>' : t.word;
    put('t:' + prev + '|' + cur, G.t);
    prev = cur;
  }
  if (tagged.length > 0) put('t:' + prev + '|$', G.t);
  numberShape(chars, (name) => put(name, G.n));
  for (const t of domainTerms) put('d:' + t, G.d);
  for (const l of lexicons) put('lx:' + l, G.lx);
  return f;
}

/** 0 = digit, N = Chinese numeral; runs collapsed (幺三八六 → NN), trigrams that contain a number */
function numberShape(chars: readonly string[], put: (name: string) => void): void {
  let shape = '';
  let any = false;
  for (const c of chars) {
    const s = c >= '0' && c <= '9' ? '0' : RE_CN_DIGIT.test(c) ? 'N' : c;
    if (s === '0' || s === 'N') any = true;
    shape += s;
  }
  if (!any) return;
  const s = Array.from('^' + shape.replace(/N{2,}/g, 'NN').replace(/0{2,}/g, '00') + '$');
  for (let i = 0; i + 3 <= s.length; i++) {
    const k = s[i] + s[i + 1] + s[i + 2];
    if (/[N0]/.test(k)) put('n:' + k);
  }
  for (const r of shape.match(/N+|0+/g) ?? []) put('n:run' + r.slice(0, 2));
  if (RE_NUMBER_RUN.test(chars.join(''))) put('n:long');
}

/** the groups that say what a message is about (used for vocabulary coverage) */
export function isContentFeature(name: string): boolean {
  return name.startsWith('c2:') && !name.includes('^') && !name.includes('$') ? true : name.startsWith('w:') || name.startsWith('d:');
}

export class Vocabulary {
  readonly index = new Map<string, number>();
  readonly names: string[] = [];
  /** in-domain document frequency (intent examples and FAQ questions; not the background class) */
  df: number[] = [];
  docs = 0;

  static from(names: string[], df: number[], docs: number): Vocabulary {
    const v = new Vocabulary();
    names.forEach((n, i) => v.index.set(n, i));
    v.names.push(...names);
    v.df = df;
    v.docs = docs;
    return v;
  }

  get size(): number {
    return this.names.length;
  }

  /** adds the features (training); `inDomain` counts them towards coverage statistics */
  add(features: Map<string, number>, inDomain: boolean): void {
    for (const name of features.keys()) {
      let i = this.index.get(name);
      if (i === undefined) {
        i = this.names.length;
        this.index.set(name, i);
        this.names.push(name);
        this.df.push(0);
      }
      if (inDomain) this.df[i]++;
    }
    if (inDomain) this.docs++;
  }

  vectorize(features: Map<string, number>): SparseVector {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [name, w] of features) {
      const i = this.index.get(name);
      if (i === undefined) continue;
      idx.push(i);
      val.push(w);
    }
    // normalise against all features of the message, known or not: a message made mostly of
    // unseen words gets a small vector, hence logits near zero, hence a flat distribution
    let total = 0;
    for (const w of features.values()) total += w * w;
    const s = total > 0 ? 1 / Math.sqrt(total) : 0;
    for (let k = 0; k < val.length; k++) val[k] *= s;
    return { idx, val };
  }

  /**
   * How much of the message the knowledge base has seen, 0..1: the idf-weighted share of its
   * content features (character bigrams, words, domain terms) that occur in in-domain training
   * text. Unseen features count with the highest idf, so 华为/刷机 in 华为手机怎么刷机 outweigh
   * the familiar 怎么.
   */
  coverage(features: Map<string, number>): number {
    const maxIdf = Math.log(this.docs + 1) + 1;
    let known = 0;
    let all = 0;
    for (const name of features.keys()) {
      if (!isContentFeature(name)) continue;
      const i = this.index.get(name);
      const df = i === undefined ? 0 : this.df[i];
      const idf = df > 0 ? Math.log((this.docs + 1) / (df + 1)) + 1 : maxIdf;
      all += idf;
      if (df > 0) known += idf;
    }
    return all > 0 ? known / all : 0;
  }
}
