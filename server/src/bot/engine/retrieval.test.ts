import { describe, expect, it } from 'vitest';
import { alternativeTopics, Bm25Index, CharBm25Baseline, FaqRetriever, RANKER, type RankerWeights } from './retrieval.js';
import { EMPTY_DICTIONARIES, TextPipeline, trainModel } from './model.js';
import type { KnowledgeSnapshot } from './types.js';

const doc = (...terms: string[]) => new Map(terms.map((t) => [t, 1]));

describe('Bm25Index (allocation-free query path)', () => {
  const index = new Bm25Index([doc('退', '款'), doc('发', '票'), doc('退', '货'), doc('快', '递')]);

  it('accumulate fills touched/acc and release resets the scratch scores', () => {
    const n = index.accumulate(doc('退', '款'));
    const touched = Array.from(index.touched.subarray(0, n)).sort();
    expect(touched).toEqual([0, 2]);
    expect(index.acc[0]).toBeGreaterThan(index.acc[2]);
    index.release(n);
    expect(Array.from(index.acc).every((x) => x === 0)).toBe(true);
  });

  it('search (callback form) gives the same scores, query after query', () => {
    const run = () => {
      const out: [number, number][] = [];
      index.search(doc('退', '货', '票'), (d, s) => out.push([d, s]));
      return out.sort((a, b) => a[0] - b[0]);
    };
    const first = run();
    expect(first.map((x) => x[0])).toEqual([0, 1, 2]);
    expect(run()).toEqual(first);
  });

  it('grows its scratch for long queries', () => {
    const long = doc(...Array.from({ length: 200 }, (_, i) => 't' + i), '退');
    const n = index.accumulate(long);
    expect(n).toBe(2);
    index.release(n);
  });

  it('the char baseline still ranks the exact phrasing first', () => {
    const b = new CharBm25Baseline([
      { id: 'a', question: '怎么退款', similar: [], answers: [] },
      { id: 'b', question: '发票怎么开', similar: [], answers: [] },
    ]);
    expect(b.search('怎么开发票')[0]).toBe('b');
  });
});

describe('FAQ search is stable across repeated queries (scratch buffers are reset)', () => {
  const snap: KnowledgeSnapshot = {
    version: 1,
    intents: [],
    faqs: [
      { id: 'f1', question: '怎么申请退款', similar: ['退款怎么弄'], answers: [] },
      { id: 'f2', question: '发票怎么开', similar: ['开发票'], answers: [] },
      { id: 'f3', question: '快递多久到', similar: ['什么时候发货'], answers: [] },
    ],
    dictionaries: { synonyms: [], dialect: [], domainTerms: [], sensitive: [], whitelist: [] },
  };
  const model = trainModel(snap);
  it('same query, same ranking and scores', () => {
    const a = model.analyze('我想退款');
    model.analyze('发票');
    model.analyze('快递什么时候到');
    const b = model.analyze('我想退款');
    expect(a.faqs[0].faq_id).toBe('f1');
    expect(b.faqs).toEqual(a.faqs);
  });
  it('topFaqs limits the list', () => {
    expect(model.analyze('退款 发票 快递', { topFaqs: 2 }).faqs.length).toBeLessThanOrEqual(2);
  });
});

describe('word + pinyin channels beat plain character BM25 on a char-overlap decoy', () => {
  const faqs = [
    { id: 'invoice', question: '发票怎么开', similar: ['开发票'], answers: [] },
    { id: 'decoy', question: '头发漂染怎么开始预约', similar: [], answers: [] },
    { id: 'refund', question: '退款多久到账', similar: [], answers: [] },
    { id: 'ship', question: '快递什么时候发货', similar: [], answers: [] },
  ];
  it('a homophone typo (发漂 for 发票) finds the invoice FAQ; the char baseline prefers the decoy', () => {
    const model = trainModel({ version: 1, intents: [], faqs, dictionaries: { synonyms: [], dialect: [], domainTerms: [], sensitive: [], whitelist: [] } });
    expect(new CharBm25Baseline(faqs).search('发漂怎么开')[0]).toBe('decoy');
    expect(model.analyze('发漂怎么开').faqs[0].faq_id).toBe('invoice');
  });
});

describe('the re-ranker (similarity measures over the BM25 candidates)', () => {
  const pipeline = new TextPipeline(EMPTY_DICTIONARIES);
  const tokenize = (t: string) => pipeline.tokenize(t);
  const faq = (id: string, question: string) => ({ id, question, similar: [], answers: [] });
  const bmOnly: RankerWeights = { a: { bm: 1, charBm: 0, charJac: 0, bigramJac: 0, wordJac: 0, lcsQ: 0, lcsD: 0, len: 0, missQ: 0 }, negation: 0, topic: 0 };
  const top = (r: FaqRetriever, q: string) => r.search(tokenize(q), new Map(), 3);

  it('the shipped weights are a weighted mean (they sum to 1): an identical phrasing scores 1', () => {
    const sum = Object.values(RANKER.a).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 2);
    const r = new FaqRetriever([faq('a', '借呗怎么提前还款'), faq('b', '花呗怎么分期')], tokenize);
    expect(top(r, '借呗怎么提前还款')[0]).toMatchObject({ faq_id: 'a', score: expect.closeTo(1, 2) });
  });

  it('prefers the paraphrase of the same length and order to a longer question that merely contains the words (BM25 alone does not)', () => {
    // the other questions give 借呗 and 还款 the everyday idf they have in a real knowledge base
    const others = ['借呗怎么还款', '借呗还款日是哪天', '借呗提前还款', '借呗额度怎么提升', '花呗额度', '花呗怎么还款', '借呗能借多少', '借呗逾期了怎么办'];
    const faqs = [faq('short', '借呗还款余额限款'), faq('long', '花呗到实体店消费有没有余额限制'), ...others.map((q, i) => faq('o' + i, q))];
    const q = '借呗余额还款有限制';
    expect(top(new FaqRetriever(faqs, tokenize, { ranker: bmOnly }), q)[0].faq_id).toBe('long');
    expect(top(new FaqRetriever(faqs, tokenize), q)[0].faq_id).toBe('short');
  });

  // a knowledge base about two cards: 会员卡 and 礼品卡 are each in half of the questions and
  // never together, so a 礼品卡 question answered with a 会员卡 phrasing changes the subject
  const asks = ['怎么办理', '怎么激活', '丢了怎么办', '可以转让吗', '有效期多久', '怎么充值', '能退吗', '怎么绑定手机', '可以开发票吗', '密码忘了', '能在门店用吗', '可以合并吗', '过期了还能用吗', '送人要注意什么', '能买几张', '支持花呗吗', '怎么解绑', '被冻结了', '号码在哪看', '能提现吗', '有什么优惠', '怎么注销', '可以叠加优惠券吗', '积分怎么算', '在哪里买', '一次最多充多少'];
  const cards = [...asks.map((a, i) => faq('m' + i, '会员卡' + a)), faq('m-balance', '会员卡余额怎么查询'), ...asks.map((a, i) => faq('g' + i, '礼品卡' + a)), faq('g-balance', '礼品卡余额在哪里看')];

  it('finds the topics of a knowledge base that exclude each other, and none in a small one', () => {
    const bigrams = (t: string) => new Set(Array.from(t).slice(1).map((c, i) => t[i] + c));
    const alt = alternativeTopics(cards.map((f) => bigrams(f.question)));
    expect([...(alt.get('礼品') ?? [])]).toContain('会员');
    expect(alt.has('怎么')).toBe(false);
    expect(alternativeTopics(cards.slice(0, 20).map((f) => bigrams(f.question))).size).toBe(0);
  });

  it('a phrasing about the other topic loses to a looser one about the same topic (without the discount it wins)', () => {
    const noTopic: RankerWeights = { ...RANKER, topic: 0 };
    expect(top(new FaqRetriever(cards, tokenize, { ranker: noTopic }), '礼品卡余额怎么查')[0].faq_id).toBe('m-balance');
    expect(top(new FaqRetriever(cards, tokenize), '礼品卡余额怎么查')[0].faq_id).toBe('g-balance');
  });
});
