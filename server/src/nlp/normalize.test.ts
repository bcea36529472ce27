import { describe, expect, it } from 'vitest';
import { Normalizer, baseNormalize } from './normalize.js';

describe('Normalizer', () => {
  const n = new Normalizer({
    dialect: [{ from: '弄不来', to: '不会弄' }],
    synonyms: [{ term: '退款', synonyms: ['退钱'] }, { term: '运单号', synonyms: ['单号'] }, { term: '疹子', synonyms: ['红疹'] }],
    domainTerms: ['过敏红疹'],
  });

  it('turns full width into half width and lower case', () => {
    expect(n.normalize('ＡＢＣ１２３订单').text).toBe('abc123订单');
    expect(n.normalize('ｉＰｈｏｎｅ').text).toBe('iphone');
  });

  it('turns traditional into simplified', () => {
    expect(n.normalize('請問發票怎麼開').text).toBe('请问发票怎么开');
    expect(n.normalize('頭髮').text).toBe('头发');
  });

  it('maps dialect and colloquial expressions (built-in and from the dictionary)', () => {
    expect(n.normalize('整不明白这个').text).toBe('不明白这个');
    expect(n.normalize('搞唔掂').text).toBe('搞不定');
    expect(n.normalize('咋整').text).toBe('怎么办');
    expect(n.normalize('这个我弄不来').text).toBe('这个我不会弄');
  });

  it('maps synonyms to the canonical term without re-replacing it', () => {
    expect(n.normalize('我要退钱').text).toBe('我要退款');
    expect(n.normalize('运单号多少').text).toBe('运单号多少');
    expect(n.normalize('单号多少').text).toBe('运单号多少');
  });

  it('keeps domain terms whole (a synonym inside a domain term is not replaced)', () => {
    expect(n.normalize('脸上过敏红疹').text).toBe('脸上过敏红疹');
    expect(n.normalize('脸上红疹').text).toBe('脸上疹子');
  });

  it('collapses repeated punctuation and characters', () => {
    expect(n.normalize('怎么还没发货？？？！！！').text).toBe('怎么还没发货?');
    expect(n.normalize('好的。。。。').text).toBe('好的。');
    expect(n.normalize('啊啊啊啊啊').text).toBe('啊啊');
    expect(n.normalize('我   要    退款').text).toBe('我 要 退款');
  });

  it('keeps emojis as signals, out of the text', () => {
    const r = n.normalize('太慢了😡😡👍🏻');
    expect(r.text).toBe('太慢了');
    expect(r.emojis).toEqual(['😡', '😡', '👍']);
    expect(baseNormalize('谢谢❤️').emojis).toEqual(['❤']);
  });
});
