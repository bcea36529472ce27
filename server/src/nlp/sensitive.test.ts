import { describe, expect, it } from 'vitest';
import { SensitiveMatcher } from './sensitive.js';
import { Trie } from './trie.js';

describe('SensitiveMatcher', () => {
  const m = new SensitiveMatcher(
    [
      { word: '假药', action: 'block' },
      { word: '代购', action: 'flag' },
      { word: '药物', action: 'flag' },
    ],
    ['抗癌药物咨询'],
  );

  it('allows a whitelisted phrase that contains a sensitive word', () => {
    expect(m.check('我想做抗癌药物咨询')).toEqual({ flagged: [], blocked: [] });
  });

  it('still flags the word outside the whitelisted phrase', () => {
    expect(m.check('这个药物安全吗').flagged).toEqual(['药物']);
  });

  it('blocks 假药代购 (block) and flags 代购 (flag)', () => {
    expect(m.check('有假药代购吗')).toEqual({ flagged: ['代购'], blocked: ['假药'] });
  });

  it('sees through width, traditional characters and inserted separators', () => {
    expect(m.check('假 藥').blocked).toEqual(['假药']);
    expect(m.check('假-药代-购').blocked).toEqual(['假药']);
  });

  it('block wins when a word is listed with both actions', () => {
    const both = new SensitiveMatcher([
      { word: '刷单', action: 'flag' },
      { word: '刷单', action: 'block' },
    ]);
    expect(both.check('帮我刷单')).toEqual({ flagged: [], blocked: ['刷单'] });
  });
});

describe('Trie (Aho-Corasick)', () => {
  it('finds overlapping occurrences and leftmost-longest ones', () => {
    const t = new Trie<number>();
    for (const [k, v] of [['he', 1], ['she', 2], ['his', 3], ['hers', 4]] as const) t.add(k, v);
    expect(t.findAll('ushers').map((m) => m.key)).toEqual(['she', 'he', 'hers']);
    expect(t.findLongest('ushers').map((m) => m.key)).toEqual(['she']);
  });
});
