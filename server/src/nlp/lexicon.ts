import { readFileSync } from 'node:fs';

/**
 * Built-in domain lexicons: word lists that say what kind of thing a word is (a disease, a
 * symptom, a drug…), for words the knowledge base's own examples may never contain. The intent
 * classifier gets one feature per lexicon that a message hits (`lx:medical`), so that 鼻息肉 or
 * 内分泌失调 count as health questions although no trainer wrote them down; the healthcare
 * industry pack and the cosmetics demo (过敏, 红疹) benefit alike.
 *
 * - medical: THUOCL (Tsinghua Open Chinese Lexicon, MIT licence, thunlp/THUOCL), the medical
 *   list (≈ 18,750 words; kept as one word per line, the corpus frequencies dropped).
 *
 * Matching is leftmost-longest over the normalised text with a Set per lexicon (a trie of 18k
 * words costs megabytes of Map nodes; a Set and ≤ 9 look-ups per character cost far less).
 */

export type LexiconName = 'medical';
const FILES: Record<LexiconName, string> = { medical: 'thuocl-medical.txt' };
/** shorter words are too ambiguous to say anything (单字: 病, 药, 痛 occur everywhere) */
const MIN_LEN = 2;
/** longer words are rare; capping the look-ahead keeps a message to a few hundred Set look-ups */
const MAX_LEN = 10;

type Lexicon = { words: Set<string>; maxLen: number };
let loaded: Map<LexiconName, Lexicon> | null = null;

function lexicons(): Map<LexiconName, Lexicon> {
  if (loaded) return loaded;
  loaded = new Map();
  for (const [name, file] of Object.entries(FILES) as [LexiconName, string][]) {
    const words = new Set<string>();
    let maxLen = 0;
    for (const line of readFileSync(new URL(`./lexicons/${file}`, import.meta.url), 'utf8').split('\n')) {
      const w = line.trim();
      if (w.length < MIN_LEN || w.length > MAX_LEN || w.startsWith('#')) continue;
      words.add(w);
      if (w.length > maxLen) maxLen = w.length;
    }
    loaded.set(name, { words, maxLen });
  }
  return loaded;
}

/** the lexicon words found in (normalised) text, leftmost-longest, per lexicon */
export function lexiconHits(text: string): { lexicon: LexiconName; word: string }[] {
  const out: { lexicon: LexiconName; word: string }[] = [];
  for (const [lexicon, { words, maxLen }] of lexicons()) {
    for (let i = 0; i < text.length; ) {
      let hit = 0;
      for (let len = Math.min(maxLen, text.length - i); len >= MIN_LEN; len--) {
        if (words.has(text.slice(i, i + len))) {
          hit = len;
          break;
        }
      }
      if (hit) {
        out.push({ lexicon, word: text.slice(i, i + hit) });
        i += hit;
      } else i++;
    }
  }
  return out;
}
