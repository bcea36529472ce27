import { pinyin } from 'pinyin-pro';
import type { Faq, ScoredFaq } from './types.js';

/**
 * FAQ retrieval: BM25 over normalised tokens, each FAQ indexed as its standard question plus
 * every similar question (a FAQ scores as its best-matching phrasing), fused with the intent
 * classifier when the FAQ is linked to an intent.
 *
 * Terms of a phrasing (each group weighted, see GROUP):
 *   w:  jieba words without particles (domain terms whole)
 *   c:  characters without particles (short paraphrases share characters more than words)
 *   b:  character bigrams (robust when jieba cuts a paraphrase differently)
 *   p:  pinyin of multi-character Chinese words (发漂 → fapiao finds 发票)
 * BM25 weights are precomputed per posting, so a query is a sum over a few posting lists.
 *
 * Scores are made comparable across queries (0..1) by dividing by the score the query would
 * get against itself, where terms the index has never seen count with the highest idf: a query
 * made of unknown words cannot score high.
 */

const STOPWORDS = new Set([
  '的', '了', '吗', '呢', '啊', '吧', '呀', '哦', '嗯', '哈', '么', '啦', '嘛', '哇', '噢', '喔', '呐', '请问',
  '请', '一下', '您好', '你好', '亲', '我', '我的', '你们', '你', '您', '是', '在', '就', '都', '也', '还', '和',
  '与', '及', '这个', '那个', '一个', '有没有', '能不能', '可不可以',
]);

/** term group weights (tuned on the demo knowledge: demo intents' phrasings as queries against its FAQs) */
export const GROUP: Record<'w' | 'b' | 'c' | 'p', number> = { w: 0.5, b: 0.6, c: 1, p: 0.35 };
const RE_HAN = /\p{Script=Han}/u;
/** particles that carry no meaning as single characters */
const CHAR_STOP = new Set(['的', '了', '吗', '呢', '啊', '吧', '呀', '哦', '嗯', '么', '啦', '嘛', '是', '我', '你', '在']);
const RE_WORDY = /[\p{L}\p{N}]/u;

const pinyinCache = new Map<string, string>();
function pinyinOf(word: string): string {
  let p = pinyinCache.get(word);
  if (p === undefined) {
    p = pinyin(word, { toneType: 'none', type: 'array' }).join('');
    if (pinyinCache.size > 200_000) pinyinCache.clear();
    pinyinCache.set(word, p);
  }
  return p;
}

/** retrieval terms of a normalised text and its tokens, each with its group weight */
export function retrievalTerms(normalized: string, tokens: readonly string[], withPinyin = true): Map<string, number> {
  const terms = new Map<string, number>();
  const add = (t: string, w: number) => terms.set(t, (terms.get(t) ?? 0) + w);
  for (const tok of tokens) {
    if (STOPWORDS.has(tok)) continue;
    add('w:' + tok, GROUP.w);
    if (withPinyin && tok.length >= 2 && RE_HAN.test(tok)) add('p:' + pinyinOf(tok), GROUP.p);
  }
  const chars = Array.from(normalized).filter((c) => RE_WORDY.test(c));
  for (let i = 0; i < chars.length; i++) {
    if (GROUP.c > 0 && !CHAR_STOP.has(chars[i])) add('c:' + chars[i], GROUP.c);
    if (i + 1 < chars.length) add('b:' + chars[i] + chars[i + 1], GROUP.b);
  }
  return terms;
}

type Posting = { docs: Int32Array; weights: Float32Array };

/**
 * A BM25 index over documents given as term → query-side weight maps (the weight multiplies the
 * term's contribution; plain BM25 is weight 1 everywhere).
 *
 * The query path allocates nothing: postings are precomputed (BM25 weight per posting), scores
 * accumulate into a reused Float64Array and the touched documents into a reused Int32Array
 * (`accumulate`, then read `acc` / `touched` and `release`). A search used to build an object
 * per candidate, ≈ 170 kB per message at 2,000 FAQs, and the young-generation collections that
 * followed every hundred messages were the p99 latency.
 */
export class Bm25Index {
  private readonly postings = new Map<string, Posting>();
  private readonly idfs = new Map<string, number>();
  readonly nDocs: number;
  private readonly avgdl: number;
  /** the idf of a term no document has */
  readonly maxIdf: number;
  private readonly lens: Float64Array;
  /** scratch: score per document of the current query (zero outside a query) */
  readonly acc: Float64Array;
  /** scratch: the documents the current query touched, `[0, n)` */
  readonly touched: Int32Array;
  /** scratch: the current query's postings and weights (grown on demand) */
  private qp: Posting[] = [];
  private qw = new Float64Array(64);
  private qo = new Int32Array(64);

  constructor(
    docs: readonly Map<string, number>[],
    private readonly k1 = 1.2,
    private readonly b = 0.75,
  ) {
    this.nDocs = docs.length;
    let total = 0;
    const lens = docs.map((d) => {
      let l = 0;
      for (const tf of d.values()) l += tf;
      total += l;
      return l;
    });
    this.lens = Float64Array.from(lens);
    this.avgdl = docs.length ? total / docs.length || 1 : 1;
    const lists = new Map<string, { d: number[]; w: number[] }>();
    docs.forEach((d, i) => {
      for (const [t, tf] of d) {
        let l = lists.get(t);
        if (!l) lists.set(t, (l = { d: [], w: [] }));
        l.d.push(i);
        l.w.push(tf);
      }
    });
    const N = this.nDocs;
    this.maxIdf = Math.log(1 + (N + 0.5) / 0.5);
    for (const [t, l] of lists) {
      const idf = Math.log(1 + (N - l.d.length + 0.5) / (l.d.length + 0.5));
      this.idfs.set(t, idf);
      const weights = new Float32Array(l.d.length);
      for (let k = 0; k < l.d.length; k++) {
        const tf = l.w[k];
        const norm = 1 - b + (b * lens[l.d[k]]) / this.avgdl;
        weights[k] = (idf * tf * (k1 + 1)) / (tf + k1 * norm);
      }
      this.postings.set(t, { docs: Int32Array.from(l.d), weights });
    }
    this.acc = new Float64Array(N);
    this.touched = new Int32Array(N);
  }

  idf(term: string): number {
    return this.idfs.get(term) ?? this.maxIdf;
  }

  /**
   * Scores every document sharing a term with the query into `acc`; returns n, the number of
   * documents touched (`touched[0..n)`). The caller must `release(n)` before the next query.
   * `query` is the term → group weight map.
   *
   * Rare terms first; a common term (in more than a tenth of the documents) only adds to
   * documents that already share a rarer term, so that 怎么 or 请问 do not turn every document
   * into a candidate (the ranking among real candidates is unchanged).
   */
  accumulate(query: ReadonlyMap<string, number>): number {
    let m = 0;
    if (this.qw.length < query.size) {
      this.qw = new Float64Array(query.size * 2);
      this.qo = new Int32Array(query.size * 2);
    }
    const qp = this.qp;
    for (const [t, w] of query) {
      const p = this.postings.get(t);
      if (!p) continue;
      qp[m] = p;
      this.qw[m] = w;
      this.qo[m] = m;
      m++;
    }
    // insertion sort of the (few) query terms by posting length
    const order = this.qo;
    for (let i = 1; i < m; i++) {
      const o = order[i];
      const len = qp[o].docs.length;
      let j = i;
      while (j > 0 && qp[order[j - 1]].docs.length > len) {
        order[j] = order[j - 1];
        j--;
      }
      order[j] = o;
    }
    const acc = this.acc;
    const touched = this.touched;
    const common = Math.max(50, this.nDocs / 10);
    let nt = 0;
    for (let i = 0; i < m; i++) {
      const { docs, weights } = qp[order[i]];
      const w = this.qw[order[i]];
      const restrict = nt > 0 && docs.length > common;
      for (let k = 0; k < docs.length; k++) {
        const d = docs[k];
        if (acc[d] === 0) {
          if (restrict) continue;
          touched[nt++] = d;
        }
        acc[d] += w * weights[k];
      }
    }
    for (let i = 0; i < m; i++) qp[i] = EMPTY_POSTING;
    return nt;
  }

  /** resets the scratch scores after `accumulate` */
  release(n: number): void {
    for (let k = 0; k < n; k++) this.acc[this.touched[k]] = 0;
  }

  /** `accumulate` with a callback per touched document (convenience; allocates a little) */
  search(query: ReadonlyMap<string, number>, visit: (doc: number, score: number) => void): void {
    const n = this.accumulate(query);
    for (let k = 0; k < n; k++) visit(this.touched[k], this.acc[this.touched[k]]);
    this.release(n);
  }

  /** the BM25 score of one document (given as its terms, as indexed) for a query */
  scoreDoc(query: ReadonlyMap<string, number>, doc: number, terms: ReadonlyMap<string, number>): number {
    const norm = 1 - this.b + (this.b * this.lens[doc]) / this.avgdl;
    let s = 0;
    for (const [t, qw] of query) {
      const tf = terms.get(t);
      if (tf === undefined) continue;
      s += (qw * (this.idfs.get(t) ?? 0) * tf * (this.k1 + 1)) / (tf + this.k1 * norm);
    }
    return s;
  }

  /** the score the query would get against a document identical to it (unknown terms at max idf) */
  selfScore(query: ReadonlyMap<string, number>): number {
    let len = 0;
    for (const tf of query.values()) len += tf;
    const norm = 1 - this.b + (this.b * len) / this.avgdl;
    let s = 0;
    for (const [t, qw] of query) {
      const tf = qw; // the weighted term frequency of the query itself
      s += qw * ((this.idf(t) * tf * (this.k1 + 1)) / (tf + this.k1 * norm));
    }
    return s;
  }
}

const EMPTY_POSTING: Posting = { docs: new Int32Array(0), weights: new Float32Array(0) };

type Scored = { f: number; score: number; sim: number; p: number; doc: number };
type Doc = { faq: number; text: string; similar: boolean; terms: Map<string, number>; shape: Shape };

export type Tokenized = { normalized: string; tokens: string[] };
export type IntentProbability = { p: number; name: string };

export type RetrievalOptions = {
  /** share of the classifier in the fused score of an intent-linked FAQ */
  intentWeight?: number;
  /** pinyin terms for homophone tolerance */
  pinyin?: boolean;
  /** re-ranker weights (default RANKER, fitted by fit-ranker.ts) */
  ranker?: RankerWeights;
};

// ── re-ranking ──────────────────────────────────────────────────────────────────────────────

/**
 * The text similarity of a query and a phrasing, 0..1: a weighted mean of similarity measures,
 * each 0..1, times a discount when one side is negated and the other is not, and one when the
 * phrasing is about another topic of the knowledge base than the query (alternativeTopics):
 *
 *   sim = Σ_k a_k · s_k  ×  (1 − c · [negation differs])  ×  (1 − t · [topic conflict])   (Σ a_k = 1)
 *
 *   bm       BM25 over words, characters, bigrams and pinyin, divided by the query's self-score
 *   charBm   BM25 over characters alone, divided likewise (short paraphrases share characters)
 *   charJac  Jaccard of the character sets;  bigramJac  of character bigrams;  wordJac  of words
 *   lcsQ     longest common character subsequence / query length;  lcsD  / phrasing length
 *   len      1 − |length difference| / longer length
 *   missQ    1 − (highest idf of a query word the phrasing lacks) / (highest idf there is):
 *            a phrasing that lacks the query's rarest word (借呗 for a 花呗 question) loses
 *
 * Why a re-ranker at all: BM25 asks "how much of the query does the phrasing contain" and
 * nothing else; paraphrase questions differ in order, length and small words, and the measures
 * above see those. Why this form rather than a free linear model: an exact match scores 1 and
 * a score stays a similarity that the answer / clarify thresholds can read. BM25 selects the
 * candidates (the best RERANK_DEPTH phrasings), the measures only reorder them, so the cost per
 * message stays flat as the knowledge base grows (charBm too is computed for those alone).
 */
export type RankerWeights = {
  a: { bm: number; charBm: number; charJac: number; bigramJac: number; wordJac: number; lcsQ: number; lcsD: number; len: number; missQ: number };
  negation: number;
  topic: number;
};

/**
 * Fitted by `node --import tsx server/src/bot/engine/fit-ranker.ts` (listwise softmax over the
 * candidates of each query) on ATEC paraphrase pairs, rows 2,721–5,392 of the public file
 * (586 questions against 2,668 FAQs); the evaluation figures use other rows (docs/architecture.md).
 */
export const RANKER: RankerWeights = {
  a: { bm: 0.05, charBm: 0.38, charJac: 0.04, bigramJac: 0.02, wordJac: 0.02, lcsQ: 0.12, lcsD: 0.09, len: 0.15, missQ: 0.13 },
  negation: 0.08,
  topic: 0.34,
};
export const SIMILARITY_NAMES = ['bm', 'charBm', 'charJac', 'bigramJac', 'wordJac', 'lcsQ', 'lcsD', 'len', 'missQ'] as const;

/** the weighted similarity of one candidate with its discounts (the search and fit-ranker.ts alike) */
export function rankerScore(r: RankerWeights, weights: readonly number[], s: readonly number[], negationDiffers: boolean, topicConflict: boolean): number {
  let v = 0;
  for (let k = 0; k < s.length; k++) v += weights[k] * s[k];
  if (negationDiffers) v *= 1 - r.negation;
  if (topicConflict) v *= 1 - r.topic;
  return v;
}

/** phrasings re-ranked per query */
const RERANK_DEPTH = 30;
const RE_NEGATION = /不|没|无法|未|别|非(?!常)/;

/** what the similarity measures need of a text, computed once per phrasing and per query */
type Shape = { chars: string[]; charSet: Set<string>; bigrams: Set<string>; words: Set<string>; negated: boolean; charTf: Map<string, number> };

function shapeOf(normalized: string, tokens: readonly string[]): Shape {
  const chars = Array.from(normalized).filter((c) => RE_WORDY.test(c));
  const charTf = new Map<string, number>();
  for (const c of chars) charTf.set(c, (charTf.get(c) ?? 0) + 1);
  const bigrams = new Set<string>();
  for (let i = 0; i + 1 < chars.length; i++) bigrams.add(chars[i] + chars[i + 1]);
  return { chars, charSet: new Set(chars), bigrams, words: new Set(tokens), negated: RE_NEGATION.test(normalized), charTf };
}

/**
 * A character bigram is a topic of the knowledge base when at least this share of its phrasings
 * has it. Chosen with the ranker's weights on the fitted-on ATEC block: its topics are then its
 * products (花呗, 借呗) and the fit's loss drops from 2.62 to 2.50; the demo knowledge has no
 * bigram that common, so there it changes nothing.
 */
const TOPIC_DF = 0.2;
/** two topics are alternatives when they share at most this fraction of the phrasings independence predicts */
const ALTERNATIVE_RATIO = 0.2;
/**
 * Question words, pronouns, particles and modal verbs are frequent in every knowledge base and
 * seldom together (怎么 / 为什么), but they are not what a question is about: a bigram with one
 * of these characters is never a topic. With them excluded the fit's loss is the same (2.50–2.52)
 * for any TOPIC_DF from 0.03 to 0.2; without, it rises to 2.58 below 0.2.
 */
const RE_FUNCTION_CHAR = /[怎么什为如何吗呢吧的了是我你可以能不没有在哪多少几时候样啥咋要想这那个]/;
/** too few phrasings say nothing about which topics exclude each other */
const TOPIC_MIN_DOCS = 50;

/**
 * Topics that exclude each other: frequent character bigrams of the knowledge base that seldom
 * occur together (花呗 and 借呗). Frequent terms have a low idf, so BM25 and the missing-word
 * measure hardly see that a 花呗 question was answered with a 借呗 phrasing; this does.
 */
export function alternativeTopics(docs: readonly ReadonlySet<string>[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const N = docs.length;
  if (N < TOPIC_MIN_DOCS) return out;
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d) if (!STOPWORDS.has(w) && !RE_FUNCTION_CHAR.test(w)) df.set(w, (df.get(w) ?? 0) + 1);
  const min = Math.max(3, TOPIC_DF * N);
  const topics = [...df].filter(([, n]) => n >= min).map(([w]) => w);
  const co = new Map<string, number>();
  for (const d of docs) {
    const ts = topics.filter((t) => d.has(t));
    for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++) co.set(ts[i] + '|' + ts[j], (co.get(ts[i] + '|' + ts[j]) ?? 0) + 1);
  }
  for (let i = 0; i < topics.length; i++) {
    for (let j = i + 1; j < topics.length; j++) {
      const [a, b] = [topics[i], topics[j]];
      const both = co.get(a + '|' + b) ?? 0;
      if (both > (ALTERNATIVE_RATIO * df.get(a)! * df.get(b)!) / N) continue;
      for (const [x, y] of [[a, b], [b, a]]) {
        let s = out.get(x);
        if (!s) out.set(x, (s = new Set()));
        s.add(y);
      }
    }
  }
  return out;
}

/** the query has a topic the phrasing lacks, and the phrasing has an alternative of it the query lacks */
function topicConflict(q: ReadonlySet<string>, d: ReadonlySet<string>, alternatives: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  for (const w of q) {
    if (d.has(w)) continue;
    const alt = alternatives.get(w);
    if (!alt) continue;
    for (const x of alt) if (d.has(x) && !q.has(x)) return true;
  }
  return false;
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union > 0 ? inter / union : 0;
}

/** length of the longest common subsequence (one reused row) */
let lcsRow = new Int32Array(64);
function lcs(a: readonly string[], b: readonly string[]): number {
  if (lcsRow.length <= b.length) lcsRow = new Int32Array(b.length * 2 + 1);
  const row = lcsRow;
  row.fill(0, 0, b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = a[i - 1] === b[j - 1] ? diag + 1 : up > row[j - 1] ? up : row[j - 1];
      diag = up;
    }
  }
  return row[b.length];
}

export class FaqRetriever {
  private readonly docs: Doc[] = [];
  private readonly index: Bm25Index;
  private readonly charIndex: Bm25Index;
  private readonly byIntent = new Map<string, number[]>();
  private readonly intentWeight: number;
  private readonly pinyin: boolean;
  private readonly ranker: RankerWeights;
  /** the ranker's similarity weights in SIMILARITY_NAMES order */
  private readonly weights: number[];
  /** scratch: best similarity per faq for one query */
  private readonly best: Float64Array;
  private readonly bestDoc: Int32Array;
  /** scratch: candidate FAQs of one query */
  private readonly cand: Int32Array;
  /** scratch: first-stage (BM25) score per phrasing */
  private readonly stage: Float64Array;
  private readonly heap = new Int32Array(RERANK_DEPTH);
  /** FAQ of each indexed phrasing, and intent of each FAQ (flat, for the query loop) */
  private readonly docFaq: Int32Array;
  private readonly faqIntent: (string | null)[];
  /** topic words of the knowledge base and the topics that stand in for each (花呗 ↔ 借呗) */
  private readonly alternatives: Map<string, Set<string>>;

  constructor(
    readonly faqs: readonly Faq[],
    tokenize: (text: string) => Tokenized,
    opts: RetrievalOptions = {},
  ) {
    this.intentWeight = opts.intentWeight ?? 0.55;
    this.pinyin = opts.pinyin ?? true;
    this.ranker = opts.ranker ?? RANKER;
    this.weights = SIMILARITY_NAMES.map((k) => this.ranker.a[k]);
    faqs.forEach((faq, i) => {
      const phrasings = [faq.question, ...faq.similar];
      const seen = new Set<string>();
      phrasings.forEach((text, k) => {
        const t = tokenize(text);
        if (!t.normalized || seen.has(t.normalized)) return;
        seen.add(t.normalized);
        this.docs.push({ faq: i, text, similar: k > 0, terms: retrievalTerms(t.normalized, t.tokens, this.pinyin), shape: shapeOf(t.normalized, t.tokens) });
      });
      if (faq.intent_id) {
        const l = this.byIntent.get(faq.intent_id) ?? [];
        l.push(i);
        this.byIntent.set(faq.intent_id, l);
      }
    });
    this.index = new Bm25Index(this.docs.map((d) => d.terms));
    this.charIndex = new Bm25Index(this.docs.map((d) => d.shape.charTf));
    this.best = new Float64Array(faqs.length);
    this.bestDoc = new Int32Array(faqs.length).fill(-1);
    this.cand = new Int32Array(faqs.length);
    const n = this.docs.length;
    this.stage = new Float64Array(n);
    this.docFaq = Int32Array.from(this.docs, (d) => d.faq);
    this.faqIntent = faqs.map((f) => f.intent_id || null);
    this.alternatives = alternativeTopics(this.docs.map((d) => d.shape.bigrams));
  }

  /**
   * The phrasings worth re-ranking for a query, with their similarity measures (in the order of
   * SIMILARITY_NAMES) and whether negation differs: the best RERANK_DEPTH by normalised BM25.
   * `visit` gets each; fit-ranker.ts uses the same path as `search`. Returns the query's
   * retrieval terms (the explanations name the shared ones).
   */
  candidates(q: Tokenized, visit: (doc: number, faq: number, s: readonly number[], negationDiffers: boolean, topicConflict: boolean) => void): Map<string, number> {
    const query = retrievalTerms(q.normalized, q.tokens, this.pinyin);
    const qs = shapeOf(q.normalized, q.tokens);
    const self = this.index.selfScore(query);
    const charSelf = this.charIndex.selfScore(qs.charTf);
    if (self <= 0) return query;
    const { stage } = this;
    // the touched phrasings stay listed in the index's scratch until its next query
    const n = this.index.accumulate(query);
    const touched = this.index.touched;
    for (let k = 0; k < n; k++) stage[touched[k]] = Math.min(1, this.index.acc[touched[k]] / self);
    this.index.release(n);
    // the best RERANK_DEPTH phrasings: a min-heap of the touched ones (the char index touches
    // most phrasings, so a partial sort was the slowest part of a query)
    const heap = this.heap;
    const worse = (x: number, y: number) => stage[x] < stage[y] || (stage[x] === stage[y] && x > y);
    let depth = 0;
    for (let k = 0; k < n; k++) {
      const d = touched[k];
      if (depth < RERANK_DEPTH) {
        let i = depth++;
        while (i > 0 && worse(d, heap[(i - 1) >> 1])) {
          heap[i] = heap[(i - 1) >> 1];
          i = (i - 1) >> 1;
        }
        heap[i] = d;
      } else if (worse(heap[0], d)) {
        let i = 0;
        for (;;) {
          const l = 2 * i + 1;
          if (l >= depth) break;
          const c = l + 1 < depth && worse(heap[l + 1], heap[l]) ? l + 1 : l;
          if (!worse(heap[c], d)) break;
          heap[i] = heap[c];
          i = c;
        }
        heap[i] = d;
      }
    }
    const s = new Array<number>(SIMILARITY_NAMES.length);
    for (let i = 0; i < depth; i++) {
      const d = heap[i];
      const ds = this.docs[d].shape;
      const common = lcs(qs.chars, ds.chars);
      let miss = 0;
      for (const w of qs.words) {
        if (ds.words.has(w) || STOPWORDS.has(w)) continue;
        const idf = this.index.idf('w:' + w);
        if (idf > miss) miss = idf;
      }
      const lq = qs.chars.length;
      const ld = ds.chars.length;
      s[0] = stage[d];
      s[1] = charSelf > 0 ? Math.min(1, this.charIndex.scoreDoc(qs.charTf, d, ds.charTf) / charSelf) : 0;
      s[2] = jaccard(qs.charSet, ds.charSet);
      s[3] = jaccard(qs.bigrams, ds.bigrams);
      s[4] = jaccard(qs.words, ds.words);
      s[5] = lq > 0 ? common / lq : 0;
      s[6] = ld > 0 ? common / ld : 0;
      s[7] = 1 - Math.abs(lq - ld) / Math.max(lq, ld, 1);
      s[8] = 1 - miss / this.index.maxIdf;
      visit(d, this.docFaq[d], s, qs.negated !== ds.negated, topicConflict(qs.bigrams, ds.bigrams, this.alternatives));
    }
    for (let k = 0; k < n; k++) stage[touched[k]] = 0;
    return query;
  }

  /**
   * Top FAQs for a (normalised, tokenised) query. `intents` are the classifier's probabilities;
   * FAQs linked to a probable intent are candidates even with no shared text.
   */
  search(q: Tokenized, intents: ReadonlyMap<string, IntentProbability>, topN = 5): ScoredFaq[] {
    if (this.faqs.length === 0 || topN <= 0) return [];
    const cand = this.cand;
    let nc = 0;
    const best = this.best;
    const bestDoc = this.bestDoc;
    const { weights, ranker } = this;
    const query = this.candidates(q, (d, f, s, negationDiffers, conflict) => {
      const v = rankerScore(ranker, weights, s, negationDiffers, conflict);
      if (bestDoc[f] === -1) {
        cand[nc++] = f;
        best[f] = v;
        bestDoc[f] = d;
      } else if (v > best[f]) {
        best[f] = v;
        bestDoc[f] = d;
      }
    });
    for (const [id, ip] of intents) {
      if (ip.p < 0.05) continue;
      const linked = this.byIntent.get(id);
      if (!linked) continue;
      for (let k = 0; k < linked.length; k++) {
        const f = linked[k];
        if (bestDoc[f] === -1) {
          cand[nc++] = f;
          best[f] = 0;
          bestDoc[f] = -2;
        }
      }
    }
    // top N by (score desc, faq index asc), kept sorted; an object only for those that enter
    const scored: Scored[] = [];
    const fuse = intents.size > 0;
    const iw = this.intentWeight;
    for (let k = 0; k < nc; k++) {
      const f = cand[k];
      const sim = best[f];
      const doc = bestDoc[f];
      bestDoc[f] = -1;
      best[f] = 0;
      const intentId = this.faqIntent[f];
      let p = 0;
      let score = sim;
      if (intentId !== null) {
        p = intents.get(intentId)?.p ?? 0;
        if (fuse) score = (1 - iw) * sim + iw * p;
      }
      const n = scored.length;
      if (n === topN) {
        const last = scored[n - 1];
        if (!(score > last.score || (score === last.score && f < last.f))) continue;
      }
      let j = n < topN ? n : topN - 1;
      while (j > 0 && (score > scored[j - 1].score || (score === scored[j - 1].score && f < scored[j - 1].f))) {
        if (j < topN) scored[j] = scored[j - 1];
        j--;
      }
      scored[j] = { f, score, sim, p, doc };
    }
    return scored.map((s) => this.explain(s, query, intents));
  }

  private explain(s: Scored, query: ReadonlyMap<string, number>, intents: ReadonlyMap<string, IntentProbability>): ScoredFaq {
    const faq = this.faqs[s.f];
    const why: string[] = [];
    if (s.doc >= 0) {
      const doc = this.docs[s.doc];
      const shared: { t: string; w: number }[] = [];
      for (const t of query.keys()) {
        if (doc.terms.has(t) && (t.startsWith('w:') || t.startsWith('b:'))) shared.push({ t, w: this.index.idf(t) });
      }
      shared.sort((a, b) => b.w - a.w);
      const words = [...new Set(shared.map((x) => x.t.slice(2)))].slice(0, 6);
      if (words.length) why.push(`共同词: ${words.join('、')}`);
      if (doc.similar) why.push(`相似问法: ${doc.text}`);
      else why.push(`标准问: ${doc.text}`);
      why.push(`文本相似度 ${s.sim.toFixed(2)}`);
    }
    if (faq.intent_id) {
      const ip = intents.get(faq.intent_id);
      if (ip && s.p > 0) why.push(`意图: ${ip.name} (${s.p.toFixed(2)})`);
    }
    if (why.length === 0) why.push('无共同词');
    return { faq_id: faq.id, question: faq.question, score: Math.round(s.score * 10000) / 10000, why };
  }
}

/** Plain BM25 over characters (the comparison baseline of the FAQ evaluation). */
export class CharBm25Baseline {
  private readonly index: Bm25Index;
  private readonly docFaq: number[] = [];
  constructor(private readonly faqs: readonly Faq[]) {
    const docs: Map<string, number>[] = [];
    faqs.forEach((faq, i) => {
      for (const text of [faq.question, ...faq.similar]) {
        docs.push(charTerms(text));
        this.docFaq.push(i);
      }
    });
    this.index = new Bm25Index(docs);
  }
  search(query: string, topN = 10): string[] {
    const best = new Map<number, number>();
    this.index.search(charTerms(query), (d, s) => {
      const f = this.docFaq[d];
      if (s > (best.get(f) ?? -1)) best.set(f, s);
    });
    return [...best.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, topN)
      .map(([f]) => this.faqs[f].id);
  }
}

function charTerms(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const ch of text.toLowerCase()) if (!/\s/.test(ch)) m.set(ch, (m.get(ch) ?? 0) + 1);
  return m;
}
