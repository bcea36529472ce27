import { describe, expect, it } from 'vitest';
import { Normalizer } from './normalize.js';
import { Segmenter } from './segment.js';

describe('Segmenter', () => {
  const terms = ['过敏红疹', '腮红效果', 'CVT变速箱', '双离合', '造影检查', '核磁共振'];
  const seg = new Segmenter(terms);
  const norm = new Normalizer({ domainTerms: terms });
  const cut = (s: string) => seg.segment(norm.normalize(s).text);

  it('keeps domain terms whole, mixed scripts included', () => {
    expect(cut('用了以后过敏红疹怎么办')).toContain('过敏红疹');
    expect(cut('这款腮红效果怎么样')).toContain('腮红效果');
    expect(cut('ＣＶＴ变速箱和双离合哪个好')).toEqual(expect.arrayContaining(['cvt变速箱', '双离合']));
    expect(cut('造影检查和核磁共振有什么区别')).toEqual(expect.arrayContaining(['造影检查', '核磁共振']));
  });

  it('keeps near terms apart', () => {
    const a = cut('过敏红疹');
    const b = cut('腮红效果');
    expect(a).toEqual(['过敏红疹']);
    expect(b).toEqual(['腮红效果']);
    expect(a.filter((t) => b.includes(t))).toEqual([]);
  });

  it('drops punctuation and spaces', () => {
    expect(cut('退款？ 怎么弄！').join('')).toBe('退款怎么弄');
    expect(cut('？！ ...')).toEqual([]);
  });

  it('lists the domain terms found', () => {
    expect(seg.domainTerms('cvt变速箱和双离合')).toEqual(['cvt变速箱', '双离合']);
  });
});
