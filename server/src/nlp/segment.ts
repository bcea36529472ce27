import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';
import { normalizeKey } from './normalize.js';
import { Trie } from './trie.js';

/**
 * Word segmentation: @node-rs/jieba with its default dictionary, and the knowledge base's domain
 * terms kept whole.
 *
 * Domain terms are matched by our own trie (leftmost-longest) before jieba sees the text, and
 * jieba only cuts the spans between them. Adding them to jieba as user words would not be enough:
 * jieba splits mixed scripts (CVT变速箱 → cvt / 变速箱) and its word frequencies can still prefer
 * a different cut; and the jieba instance is shared by every model in the process (loading the
 * default dictionary takes ≈ 0.2 s), so per-knowledge-base words must not leak into it.
 */

let jieba: Jieba | null = null;
function sharedJieba(): Jieba {
  if (!jieba) {
    // dict.js is CommonJS without an exports map; require it rather than guessing ESM interop
    const require = createRequire(import.meta.url);
    const { dict } = require('@node-rs/jieba/dict.js') as { dict: Uint8Array };
    jieba = Jieba.withDict(dict);
  }
  return jieba;
}

/** a token worth keeping: has a letter or a digit (drops spaces and punctuation) */
const RE_WORDY = /[\p{L}\p{N}]/u;

export type TaggedToken = { word: string; tag: string };

export class Segmenter {
  private readonly terms = new Trie<true>();
  private readonly jieba = sharedJieba();

  /** @param domainTerms terms kept whole (normalised like messages before matching) */
  constructor(domainTerms: readonly string[] = []) {
    for (const t of domainTerms) {
      const k = normalizeKey(t);
      if (k) this.terms.add(k, true);
    }
  }

  /** the domain terms found in (normalised) text, in order */
  domainTerms(text: string): string[] {
    return this.terms.findLongest(text).map((m) => m.key);
  }

  /** Cuts normalised text into words; domain terms come out whole; punctuation and spaces are dropped. */
  segment(text: string): string[] {
    return this.tag(text).map((t) => t.word);
  }

  /**
   * `segment` with jieba's part-of-speech tags (ns place, nr person, nt organisation, m numeral,
   * x unknown, …; `dt` for a domain term). jieba tags the same cut it segments, so the words are
   * those of `segment`.
   */
  tag(text: string): TaggedToken[] {
    const out: TaggedToken[] = [];
    const ms = this.terms.findLongest(text);
    let last = 0;
    for (const m of ms) {
      if (m.start > last) this.cut(text.slice(last, m.start), out);
      out.push({ word: m.key, tag: 'dt' });
      last = m.end;
    }
    if (last < text.length) this.cut(text.slice(last), out);
    return out;
  }

  private cut(span: string, out: TaggedToken[]): void {
    for (const w of this.jieba.tag(span, true)) {
      const t = w.word.trim();
      if (t && RE_WORDY.test(t)) out.push({ word: t, tag: w.tag });
    }
  }
}
