import { describe, expect, it } from 'vitest';
import { lexiconHits } from './lexicon.js';

describe('built-in lexicons', () => {
  it('finds medical words, longest first', () => {
    expect(lexiconHits('鼻息肉要做手术吗')).toContainEqual({ lexicon: 'medical', word: '鼻息肉' });
    expect(lexiconHits('内分泌失调了怎么调理').map((h) => h.word)).toContain('内分泌失调');
  });
  it('leaves cosmetics questions alone', () => {
    expect(lexiconHits('腮红上脸是什么效果')).toEqual([]);
  });
});
