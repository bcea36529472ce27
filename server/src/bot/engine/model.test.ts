import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LinearClassifier, fitTemperature } from './classifier.js';
import { SMALL_KB } from './fixtures/kb.js';
import { snapshotFromExamples } from './evaluate.js';
import { loadModel, NONE_LABEL, pickAnswer, trainModel } from './model.js';
import type { Faq, KnowledgeSnapshot } from './types.js';

const model = trainModel(SMALL_KB, { seed: 7 });
const top = (text: string) => model.analyze(text).intents[0]?.intent_id;

describe('intent classifier', () => {
  it('predicts held-out paraphrases', () => {
    const heldOut: [string, string][] = [
      ['退款申请怎么提交', 'refund'],
      ['钱能退给我吗', 'refund'],
      ['發票怎麼開', 'invoice'],
      ['开个电子发票', 'invoice'],
      ['我的包裹到哪里了', 'logistics'],
      ['快递几天到', 'logistics'],
      ['怎么续费会员', 'membership'],
      ['我要人工服务', 'human'],
      ['服务这么差我要投诉', 'complaint'],
    ];
    for (const [text, label] of heldOut) expect(top(text), text).toBe(label);
  });

  it('keeps near terms apart: 过敏红疹 vs 腮红效果', () => {
    expect(top('用了以后脸上过敏红疹')).toBe('allergy');
    expect(top('过敏红疹怎么处理')).toBe('allergy');
    expect(top('腮红效果好不好')).toBe('blush');
    expect(top('这个腮红效果自然吗')).toBe('blush');
  });

  it('reads dialect through the dictionary', () => {
    expect(model.analyze('退款我整不明白').normalized).toBe('退款我不明白');
  });

  it('gives calibrated confidences in [0, 1] that sum to 1 over all classes', () => {
    const c = model.classify('怎么申请退款');
    expect(c.labels).toContain(NONE_LABEL);
    const sum = c.proba.reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(1, 6);
    for (const p of c.proba) expect(p).toBeGreaterThanOrEqual(0);
    for (const p of c.proba) expect(p).toBeLessThanOrEqual(1);
    const a = model.analyze('怎么申请退款');
    expect(a.intents.length).toBeGreaterThan(1);
    expect(a.intents[0].confidence).toBeGreaterThanOrEqual(a.intents[1].confidence);
    expect(a.intents.reduce((s, i) => s + i.confidence, 0)).toBeLessThanOrEqual(1.0001);
  });

  it('is reproducible with a seed', () => {
    const again = trainModel(SMALL_KB, { seed: 7 });
    expect(again.serialize()).toBe(model.serialize());
    const other = trainModel(SMALL_KB, { seed: 8 });
    expect(other.serialize()).not.toBe(model.serialize());
  });

  it('fits a temperature that lowers held-out NLL (overconfident logits get T > 1)', () => {
    const Z = [Float64Array.from([10, 0]), Float64Array.from([10, 0]), Float64Array.from([0, 10]), Float64Array.from([10, 0])];
    const y = [0, 0, 0, 0 /* the third is a confident mistake */];
    expect(fitTemperature(Z, y)).toBeGreaterThan(1);
  });

  it('trains a plain linear classifier on separable data', () => {
    const X = [
      { idx: [0], val: [1] },
      { idx: [1], val: [1] },
      { idx: [0], val: [1] },
      { idx: [1], val: [1] },
    ];
    const c = LinearClassifier.train(X, [0, 1, 0, 1], ['a', 'b'], 2, { seed: 1, calibrate: false });
    expect(c.predictProba({ idx: [0], val: [1] })[0]).toBeGreaterThan(0.9);
    expect(c.predictProba({ idx: [1], val: [1] })[1]).toBeGreaterThan(0.9);
  });
});

describe('serialisation', () => {
  it('round-trips: the loaded model analyses exactly like the trained one', () => {
    const loaded = loadModel(model.serialize());
    expect(loaded.version).toBe(3);
    for (const t of ['怎么申请退款', '腮红效果好不好', '今天天气怎么样']) {
      const a = model.analyze(t);
      const b = loaded.analyze(t);
      expect({ ...b, ms: 0 }).toEqual({ ...a, ms: 0 });
    }
    expect(loaded.serialize()).toBe(model.serialize());
  });

  it('keeps an intent\'s hand-off skill through save and load; intents without one stay without', () => {
    const withSkill = trainModel({ ...SMALL_KB, intents: SMALL_KB.intents.map((i) => (i.id === 'invoice' ? { ...i, skill: '发票' } : i)) }, { seed: 7 });
    const reloaded = JSON.parse(loadModel(withSkill.serialize()).serialize()) as { snapshot: KnowledgeSnapshot };
    expect(reloaded.snapshot.intents.find((i) => i.id === 'invoice')!.skill).toBe('发票');
    expect(reloaded.snapshot.intents.filter((i) => 'skill' in i).map((i) => i.id)).toEqual(['invoice']);
  });

  it('rejects a corrupted model', () => {
    const s = model.serialize();
    expect(() => loadModel(s.slice(0, s.length - 10))).toThrow(/not JSON/);
    expect(() => loadModel('{"format":"kefu-bot-model"}')).toThrow(/cannot load bot model/);
    const obj = JSON.parse(s);
    // one weight changed: the checksum catches it
    const w = Buffer.from(obj.classifier.weights, 'base64');
    w[5] ^= 0xff;
    expect(() => loadModel(JSON.stringify({ ...obj, classifier: { ...obj.classifier, weights: w.toString('base64') } }))).toThrow(/checksum/);
    // a wrong-sized matrix with a recomputed checksum: the dimension check catches it
    expect(() => loadModel(JSON.stringify({ ...obj, vocab: { ...obj.vocab, df: obj.vocab.df.slice(1) } }))).toThrow();
    expect(() => loadModel(JSON.stringify({ ...obj, options: { ...obj.options, answerThreshold: 7 } }))).toThrow(/answerThreshold/);
  });

  it('stores the weights sparse and rejects a weight list that does not fit, even under a valid checksum', () => {
    const { checksum: _, ...body } = JSON.parse(model.serialize());
    const seal = (b: object) => JSON.stringify({ ...b, checksum: createHash('sha256').update(JSON.stringify(b)).digest('hex') });
    expect(loadModel(seal(body)).analyze('怎么申请退款').intents[0].intent_id).toBe(model.analyze('怎么申请退款').intents[0].intent_id);
    const w = Buffer.from(body.classifier.weights, 'base64');
    // 8 bytes per non-zero weight (index + value); most of a one-vs-rest SVM's are zero
    expect(w.byteLength / 8).toBeLessThan(body.classifier.nFeatures * body.classifier.labels.length);
    expect(() => loadModel(seal({ ...body, classifier: { ...body.classifier, weights: w.subarray(0, 12).toString('base64') } }))).toThrow(/wrong size/);
    const swapped = Buffer.from(w);
    swapped.copy(swapped, 0, 4, 8); // the second index repeated first: indices must increase
    expect(() => loadModel(seal({ ...body, classifier: { ...body.classifier, weights: swapped.toString('base64') } }))).toThrow(/wrong size/);
  });
});

describe('out of scope', () => {
  it.each(['今天天气怎么样', '华为手机怎么刷机', 'asdfgh', '给我讲个笑话', '苹果电脑怎么重装系统', 'qwer zxcv', '股票明天会涨吗', ''])('%s is out of scope', (text) => {
    const a = model.analyze(text);
    expect(a.out_of_scope).toBe(true);
    expect(a.band).toBe('fallback');
  });

  it.each(['怎么申请退款', '发票怎么开', '我的快递到哪了', '用了以后过敏红疹', '转人工', '你们几点上班'])('%s is in scope', (text) => {
    expect(model.analyze(text).out_of_scope).toBe(false);
  });
});

describe('bands', () => {
  it('answers when confident, clarifies in between, falls back below', () => {
    expect(model.analyze('怎么申请退款').band).toBe('answer');
    // the same message with thresholds moved around it
    const c = model.analyze('怎么申请退款').intents[0].confidence;
    const clarify = trainModel(SMALL_KB, { seed: 7, answerThreshold: Math.min(1, c + 0.001), clarifyThreshold: 0.01 });
    expect(clarify.analyze('怎么申请退款').band).toBe('clarify');
    expect(clarify.analyze('怎么申请退款').intents.length).toBeGreaterThan(1);
    const fallback = trainModel(SMALL_KB, { seed: 7, answerThreshold: 1, clarifyThreshold: 1 });
    expect(fallback.analyze('怎么申请退款').band).toBe('fallback');
  });

  it('uses the FAQ score for a FAQ with no intent', () => {
    const a = model.analyze('客服几点上班');
    expect(a.faqs[0].faq_id).toBe('faq-hours');
    expect(a.band).not.toBe('fallback');
  });
});

describe('retrieval', () => {
  it('finds the FAQ when the wording differs, and says why', () => {
    const a = model.analyze('想把钱退回来咋办');
    expect(a.faqs[0].faq_id).toBe('faq-refund');
    expect(a.faqs[0].score).toBeGreaterThan(0);
    expect(a.faqs[0].score).toBeLessThanOrEqual(1);
    expect(a.faqs[0].why.length).toBeGreaterThan(0);
    expect(a.faqs[0].why.join(' ')).toMatch(/意图|共同词/);
  });

  it('works without intents (BM25 only), homophone typos included', () => {
    const faqOnly = trainModel({ ...SMALL_KB, intents: [], faqs: SMALL_KB.faqs.map((f) => ({ ...f, intent_id: null })) });
    expect(faqOnly.analyze('营业时间几点').faqs[0].faq_id).toBe('faq-hours');
    expect(faqOnly.analyze('怎么开发漂').faqs[0].faq_id).toBe('faq-invoice');
    expect(faqOnly.analyze('营业时间几点').intents).toEqual([]);
  });
});

describe('sentiment and sensitive words in the analysis', () => {
  it('scores the message', () => {
    expect(model.analyze('我要投诉你们！！！').sentiment.complaint).toBe(true);
  });
  it('flags input and blocks outgoing text, whitelist respected', () => {
    expect(model.analyze('有没有假药代购').sensitive).toEqual({ flagged: ['代购'], blocked: ['假药'] });
    expect(model.analyze('抗癌药物咨询').sensitive).toEqual({ flagged: [], blocked: [] });
    expect(model.checkOutgoing('这是假药').blocked).toEqual(['假药']);
    expect(model.checkOutgoing('欢迎做抗癌药物咨询').blocked).toEqual([]);
  });
});

describe('pickAnswer', () => {
  const faq = SMALL_KB.faqs.find((f) => f.id === 'faq-membership') as Faq;
  const text = (a: ReturnType<typeof pickAnswer>) => (a?.content.type === 'text' ? a.content.text : null);
  it('the most specific matching variant wins', () => {
    expect(text(pickAnswer(faq, {}))).toBe('我的 → 会员中心 → 续费。');
    expect(text(pickAnswer(faq, { channel: 'web' }))).toBe('网页端：账户 → 会员 → 续费。');
    expect(text(pickAnswer(faq, { tier: 'vip', channel: 'web' }))).toBe('网页端：账户 → 会员 → 续费。');
    expect(text(pickAnswer(faq, { tier: 'vip', channel: 'wecom_kf' }))).toBe('VIP 专属续费链接已发送。');
    expect(text(pickAnswer(faq, { tier: 'gold', channel: 'wecom_kf' }))).toBe('我的 → 会员中心 → 续费。');
    const refund = SMALL_KB.faqs[0];
    expect(text(pickAnswer(refund, { tier: 'vip', channel: 'web' }))).toBe('VIP 客户退款极速审核，当天到账。');
  });
  it('returns null when nothing applies', () => {
    expect(pickAnswer({ answers: [{ tier: 'vip', content: { type: 'text', text: 'x' } }] }, { tier: 'normal' })).toBeNull();
  });
});

describe('classBalance option', () => {
  const snap: KnowledgeSnapshot = {
    version: 1,
    intents: [
      { id: 'big', name: 'big', examples: Array.from({ length: 40 }, (_, i) => `随便聊聊天${i}号`) },
      { id: 'small', name: 'small', examples: ['查天气', '天气怎么样', '明天天气'] },
    ],
    faqs: [],
    dictionaries: { synonyms: [], dialect: [], domainTerms: [], sensitive: [], whitelist: [] },
  };
  it('defaults to 0 and is kept through serialisation', () => {
    expect(trainModel(snap, { background: false }).options.classBalance).toBe(0);
    const m = trainModel(snap, { background: false, classBalance: 1 });
    expect(loadModel(m.serialize()).options.classBalance).toBe(1);
  });
  it('raises the rare intent for an ambiguous message', () => {
    const p = (cb: number) => trainModel(snap, { background: false, classBalance: cb }).analyze('聊聊天气').intents.find((i) => i.intent_id === 'small')!.confidence;
    expect(p(1)).toBeGreaterThan(p(0));
  });
});

describe('lexicon features', () => {
  const snap = snapshotFromExamples([
    ...['感冒了吃什么药', '发烧怎么办', '头疼怎么缓解', '胃炎吃什么好', '高血压要注意什么', '咳嗽老不好', '失眠怎么调理', '糖尿病饮食要注意什么'].map((text) => ({ text, label: 'health' })),
    ...['红烧肉怎么做', '番茄炒蛋的做法', '鱼香肉丝怎么做', '怎么炖排骨', '凉拌黄瓜做法', '可乐鸡翅怎么做', '蛋炒饭怎么炒', '饺子怎么包'].map((text) => ({ text, label: 'cookbook' })),
  ]);
  const model = trainModel(snap, { background: false });
  it.each(['鼻息肉', '痛经', '黄疸', '更年期综合症'])('%s alone is a health question although no example names the disease', (q) => {
    expect(model.analyze(q).intents[0].intent_id).toBe('health');
  });
});
