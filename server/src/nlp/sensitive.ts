import type { SensitiveEntry, SensitiveHit } from '../bot/engine/types.js';
import { normalizeKey } from './normalize.js';
import { Trie } from './trie.js';

/**
 * Sensitive words with a whitelist, one Aho-Corasick pass over the text.
 *
 * A hit of a sensitive word is ignored when it lies inside an occurrence of a whitelisted phrase
 * (药物 inside 抗癌药物咨询). Text and words are normalised the same way (width, traditional →
 * simplified, case) and spaces / punctuation are removed before matching, so 假 药 and 假-药
 * do not slip through.
 *
 * The result splits the hits by the entry's action:
 * - customer input: any hit (flagged or blocked) marks the message for agents;
 * - outgoing answers: `blocked` non-empty means the text must not be sent.
 */

const RE_SEPARATORS = /[\s\p{P}\p{S}]/gu;

type Entry = { word: string; action: SensitiveEntry['action'] };

export class SensitiveMatcher {
  private readonly words = new Trie<Entry>();
  private readonly whitelist = new Trie<true>();

  constructor(entries: readonly SensitiveEntry[], whitelist: readonly string[] = []) {
    // the same word listed twice: block wins
    const seen = new Map<string, Entry>();
    for (const e of entries) {
      const k = compact(normalizeKey(e.word));
      if (!k) continue;
      const prev = seen.get(k);
      if (!prev || e.action === 'block') seen.set(k, { word: e.word, action: e.action });
    }
    for (const [k, v] of seen) this.words.add(k, v);
    for (const w of whitelist) {
      const k = compact(normalizeKey(w));
      if (k) this.whitelist.add(k, true);
    }
  }

  get empty(): boolean {
    return this.words.size === 0;
  }

  check(text: string): SensitiveHit {
    const hit: SensitiveHit = { flagged: [], blocked: [] };
    if (this.words.size === 0 || !text) return hit;
    const t = compact(normalizeKey(text));
    const hits = this.words.findAll(t);
    if (hits.length === 0) return hit;
    const allowed = this.whitelist.findAll(t);
    for (const h of hits) {
      if (allowed.some((a) => a.start <= h.start && h.end <= a.end)) continue;
      const list = h.value.action === 'block' ? hit.blocked : hit.flagged;
      if (!list.includes(h.value.word)) list.push(h.value.word);
    }
    return hit;
  }
}

function compact(s: string): string {
  return s.replace(RE_SEPARATORS, '');
}
