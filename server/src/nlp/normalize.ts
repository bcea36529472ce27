import * as OpenCC from 'opencc-js/t2cn';
import type { DialectEntry, Dictionaries, SynonymEntry } from '../bot/engine/types.js';
import { Trie } from './trie.js';

/**
 * Text normalisation, the first step for every customer message and every knowledge phrase
 * (so that both sides of a comparison went through the same mill):
 *
 *   NFKC (full width → half width) → emojis pulled out as signals → traditional → simplified
 *   (opencc-js) → lower case → repeated punctuation / characters collapsed → whitespace
 *   collapsed → dialect and colloquial expressions → synonyms (to the canonical term).
 *
 * Dialect and synonym replacement run over a trie with longest match first; domain terms are
 * put in the same trie as identity entries so that a synonym can never eat part of a domain
 * term (过敏红疹 stays 过敏红疹 even if 红疹 → 疹子 is a synonym).
 */

export type Normalized = {
  text: string;
  /** emojis found in the input, in order (kept as signals for sentiment) */
  emojis: string[];
};

/** Built-in colloquial / dialect expressions; a knowledge base's own entries win over these. */
export const DEFAULT_DIALECT: DialectEntry[] = [
  { from: '整不明白', to: '不明白' },
  { from: '整不懂', to: '不懂' },
  { from: '整明白', to: '明白' },
  { from: '搞唔掂', to: '搞不定' },
  { from: '唔该', to: '谢谢' },
  { from: '唔系', to: '不是' },
  { from: '唔好', to: '不好' },
  { from: '唔知', to: '不知道' },
  { from: '唔明', to: '不明白' },
  { from: '点解', to: '为什么' },
  { from: '点样', to: '怎么样' },
  { from: '几时', to: '什么时候' },
  { from: '乜嘢', to: '什么' },
  { from: '咩', to: '什么' },
  { from: '冇', to: '没有' },
  { from: '嘅', to: '的' },
  { from: '佢', to: '他' },
  { from: '啥时候', to: '什么时候' },
  { from: '咋整', to: '怎么办' },
  { from: '咋办', to: '怎么办' },
  { from: '咋弄', to: '怎么弄' },
  { from: '咋回事', to: '怎么回事' },
  { from: '咋', to: '怎么' },
  { from: '啥', to: '什么' },
  { from: '木有', to: '没有' },
  { from: '没得', to: '没有' },
  { from: '神马', to: '什么' },
  { from: '肿么', to: '怎么' },
  { from: '腫麼', to: '怎么' },
  { from: '闹不明白', to: '不明白' },
  { from: '弄不明白', to: '不明白' },
  { from: '整不了', to: '弄不了' },
  { from: '嘛时候', to: '什么时候' },
  { from: '晓得', to: '知道' },
  { from: '中不中', to: '行不行' },
  { from: '灰常', to: '非常' },
  { from: '稀饭', to: '喜欢' },
  { from: '酱紫', to: '这样子' },
  { from: '表酱紫', to: '不要这样子' },
  { from: '亲们', to: '亲' },
  { from: 'plz', to: '请' },
  { from: 'pls', to: '请' },
  { from: 'thx', to: '谢谢' },
  { from: '3q', to: '谢谢' },
  { from: '蟹蟹', to: '谢谢' },
  { from: '谢啦', to: '谢谢' },
  { from: '多谢', to: '谢谢' },
];

const RE_EMOJI = /\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?(?:\u200D\p{Extended_Pictographic}(?:\uFE0F|\p{Emoji_Modifier})?)*/gu;
/** skin tones, variation selectors, zero-width joiners left over after emojis were removed */
const RE_EMOJI_JUNK = /[\u200D\uFE0E\uFE0F\u{1F3FB}-\u{1F3FF}\u20E3]/gu;
/** a run of the same punctuation (after NFKC: ?!. and CJK 。，、…~) */
const RE_REPEAT_PUNCT = /([!?.,;:~、。，…\-_*#])\1+/g;
/** mixed ?!?! runs */
const RE_MIXED_QE = /[!?]{2,}/g;
/** 3+ of the same character (哈哈哈哈 → 哈哈, 啊啊啊 → 啊啊) */
const RE_REPEAT_CHAR = /(\p{L})\1{2,}/gu;
const RE_SPACES = /\s+/g;

let t2s: ((s: string) => string) | null = null;
/** opencc-js converter, built once per process (≈ 3 µs per short message) */
export function toSimplified(text: string): string {
  const convert = (t2s ??= OpenCC.Converter({ from: 't', to: 'cn' }));
  return convert(text);
}

/** The dictionary-free part of normalisation (width, script, case, punctuation, emojis). */
export function baseNormalize(input: string): Normalized {
  let text = input.normalize('NFKC');
  const emojis: string[] = [];
  text = text.replace(RE_EMOJI, (m) => {
    emojis.push(m.replace(RE_EMOJI_JUNK, ''));
    return ' ';
  });
  text = text.replace(RE_EMOJI_JUNK, '');
  text = toSimplified(text).toLowerCase();
  text = text
    .replace(RE_MIXED_QE, (m) => (m.includes('?') ? '?' : '!'))
    .replace(RE_REPEAT_PUNCT, '$1')
    .replace(RE_REPEAT_CHAR, '$1$1')
    .replace(RE_SPACES, ' ')
    .trim();
  return { text, emojis };
}

/** Normalises one dictionary key the same way messages are (without dictionary mapping). */
export function normalizeKey(s: string): string {
  return baseNormalize(s).text;
}

export type NormalizerDictionaries = Partial<Pick<Dictionaries, 'dialect' | 'synonyms' | 'domainTerms'>>;

export class Normalizer {
  private readonly dialect = new Trie<string>();
  private readonly synonyms = new Trie<string>();

  constructor(dicts: NormalizerDictionaries = {}, opts: { builtinDialect?: boolean } = {}) {
    const dialect = new Map<string, string>();
    if (opts.builtinDialect !== false) for (const e of DEFAULT_DIALECT) dialect.set(normalizeKey(e.from), normalizeKey(e.to));
    for (const e of dicts.dialect ?? []) {
      const from = normalizeKey(e.from);
      if (from) dialect.set(from, normalizeKey(e.to));
    }
    const synonyms = new Map<string, string>();
    for (const e of dicts.synonyms ?? []) addSynonym(synonyms, e);
    // domain terms protect themselves from partial replacement (identity entries)
    for (const t of dicts.domainTerms ?? []) {
      const k = normalizeKey(t);
      if (!k) continue;
      if (!dialect.has(k)) dialect.set(k, k);
      if (!synonyms.has(k)) synonyms.set(k, k);
    }
    for (const [k, v] of dialect) this.dialect.add(k, v);
    for (const [k, v] of synonyms) this.synonyms.add(k, v);
  }

  normalize(input: string): Normalized {
    const base = baseNormalize(input);
    let text = this.dialect.replaceAll(base.text);
    text = this.synonyms.replaceAll(text);
    return { text, emojis: base.emojis };
  }
}

function addSynonym(map: Map<string, string>, e: SynonymEntry): void {
  const term = normalizeKey(e.term);
  if (!term) return;
  // the canonical term maps to itself, so that a synonym inside it (单号 in 运单号) is not replaced
  if (!map.has(term)) map.set(term, term);
  for (const s of e.synonyms) {
    const k = normalizeKey(s);
    if (k && k !== term) map.set(k, term);
  }
}
