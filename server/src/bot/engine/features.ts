/**
 * Feature extraction for the intent classifier.
 *
 * Short Chinese customer messages are a few characters long and jieba's cut of them is not
 * always stable (退款流程 / 退 款 流程), so words alone are brittle and characters alone lose
 * word meaning. We use both, plus the knowledge base's dictionary:
 *   c1: characters, c2: character bigrams (with ^ $ boundaries), c3: character trigrams,
 *   w: jieba words (domain terms come out whole), wb: word bigrams, d: domain terms (extra weight).
 * Binary values scaled per group, L2-normalised per message, into a vocabulary built at training
 * (a vocabulary rather than the hashing trick: it tells us which parts of a message the model
 * has never seen, which out-of-scope detection needs; see `coverage`).
 */

export type SparseVector = { idx: number[]; val: number[] };

/** per-group weights (before L2 normalisation); tuned by cross-validation on the demo knowledge */
export const GROUP_WEIGHT: Record<string, number> = { c1: 2.5, c2: 1, c3: 0.5, w: 1, wb: 0.6, d: 1.2, s2: 0 };

const RE_CJK = /\p{Script=Han}/u;
const RE_WORDY = /[\p{L}\p{N}]/u;

export function featureNames(normalized: string, tokens: readonly string[], domainTerms: readonly string[]): Map<string, number> {
  const f = new Map<string, number>();
  const put = (name: string, w: number) => {
    if (!f.has(name)) f.set(name, w);
  };
  const chars = Array.from(normalized).filter((c) => RE_WORDY.test(c));
  const g1 = GROUP_WEIGHT.c1;
  const g2 = GROUP_WEIGHT.c2;
  const g3 = GROUP_WEIGHT.c3;
  const gs = GROUP_WEIGHT.s2 ?? 0;
  for (let i = 0; i < chars.length; i++) {
    if (RE_CJK.test(chars[i])) put('c1:' + chars[i], g1);
    if (i + 1 < chars.length) put('c2:' + chars[i] + chars[i + 1], g2);
    if (i + 2 < chars.length) {
      put('c3:' + chars[i] + chars[i + 1] + chars[i + 2], g3);
      if (gs > 0) put('s2:' + chars[i] + chars[i + 2], gs);
    }
  }
  if (chars.length > 0) {
    put('c2:^' + chars[0], g2);
    put('c2:' + chars[chars.length - 1] + '$', g2);
  }
  const gw = GROUP_WEIGHT.w;
  const gwb = GROUP_WEIGHT.wb;
  for (let i = 0; i < tokens.length; i++) {
    put('w:' + tokens[i], gw);
    if (i + 1 < tokens.length) put('wb:' + tokens[i] + '|' + tokens[i + 1], gwb);
  }
  for (const t of domainTerms) put('d:' + t, GROUP_WEIGHT.d);
  return f;
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
