import { describe, expect, it } from 'vitest';
import type { Faq, FaqAnswer, Intent } from '../../bot/engine/types.js';
import { trainModel } from '../../bot/engine/model.js';
import { demoChatLogs, demoKnowledge, parseCsv } from './index.js';
import { DEMO_AGENTS } from '../../routing/seed.js';

const k = demoKnowledge();
const byName = (name: string): Intent => {
  const intent = k.intents.find((i) => i.name === name);
  if (!intent) throw new Error(`no intent named ${name}`);
  return intent;
};
const faqsOf = (intent: Intent): Faq[] => k.faqs.filter((f) => f.intent_id === intent.id);
const mainFaq = (name: string): Faq => faqsOf(byName(name))[0];
const defaultAnswer = (f: Faq): FaqAnswer => f.answers.find((a) => !a.tier && !a.channel)!;
const textOf = (a: FaqAnswer): string => {
  const c = a.content;
  if (c.type === 'text') return c.text;
  if (c.type === 'link') return `${c.title} ${c.desc ?? ''}`;
  if (c.type === 'menu') return [c.head, ...c.items.map((i) => i.content), c.tail].join(' ');
  return '';
};
/** what a near-duplicate phrasing looks like once punctuation and particles are gone */
const norm = (s: string) => s.replace(/[\s，,。.？?！!、~～呢啊哈呀吗嘛了]/g, '').toLowerCase();

describe('demo knowledge (悦肤美妆)', () => {
  it('is an unpublished draft', () => {
    expect(k.version).toBe(0);
  });

  it('has at least 32 intents with 12–15 phrasings each', () => {
    expect(k.intents.length).toBeGreaterThanOrEqual(32);
    for (const i of k.intents) {
      expect(i.examples.length, i.name).toBeGreaterThanOrEqual(12);
      expect(i.examples.length, i.name).toBeLessThanOrEqual(15);
      expect(i.id).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(['售前', '售后', '会员', '物流', '账户', '其他']).toContain(i.category);
    }
  });

  it('never uses the same phrasing twice, even up to punctuation and particles', () => {
    const owner = new Map<string, string>();
    for (const i of k.intents) {
      for (const e of i.examples) {
        const key = norm(e);
        expect(owner.get(key), `「${e}」 in ${i.name} and ${owner.get(key)}`).toBeUndefined();
        owner.set(key, i.name);
      }
    }
  });

  it('has the required intents, and only 转人工 and 投诉 hand off', () => {
    for (const name of ['退款流程', '退换货', '发票开具', '物流查询', '修改地址', '优惠券使用', '会员积分', '会员续费',
      '产品成分', '过敏反应', '腮红效果', '肤质推荐', '真伪查询', '门店地址', '活动规则', '转人工', '投诉']) {
      expect(byName(name)).toBeTruthy();
    }
    expect(k.intents.filter((i) => i.action === 'handoff').map((i) => i.name).sort()).toEqual(['投诉', '转人工'].sort());
    expect(byName('转人工').examples).toEqual(expect.arrayContaining(['转人工', '人工客服', '找真人', '我要跟人说话']));
    expect(byName('投诉').examples).toEqual(expect.arrayContaining(['我要投诉', '找你们领导', '太差劲了']));
  });

  it('gives hand-off skills that demo agents have; 转人工 and 投诉 need none', () => {
    expect(byName('发票开具').skill).toBe('发票');
    expect(byName('过敏反应').skill).toBe('过敏处理');
    expect(byName('缺货补货').skill).toBe('产品咨询');
    expect(byName('转人工').skill).toBeUndefined();
    expect(byName('投诉').skill).toBeUndefined();
    const held = new Set(DEMO_AGENTS.flatMap((a) => Object.keys(a.skills)));
    for (const i of k.intents) if (i.skill) expect(held.has(i.skill), `${i.name}: ${i.skill}`).toBe(true);
    expect(k.intents.filter((i) => i.skill)).toHaveLength(23);
  });

  it('keeps 过敏反应 and 腮红效果 apart', () => {
    for (const e of byName('腮红效果').examples) expect(e, e).not.toMatch(/过敏|疹|刺痛|痒|肿/);
    for (const e of byName('过敏反应').examples) expect(e, e).not.toMatch(/腮红/);
  });

  it('gives every intent an FAQ with 4–6 paraphrases that are not the intent examples', () => {
    const examples = new Set(k.intents.flatMap((i) => i.examples.map(norm)));
    for (const i of k.intents) expect(faqsOf(i).length, i.name).toBeGreaterThanOrEqual(1);
    expect(k.faqs.length).toBeGreaterThanOrEqual(38);
    for (const f of k.faqs) {
      expect(f.similar.length, f.id).toBeGreaterThanOrEqual(4);
      expect(f.similar.length, f.id).toBeLessThanOrEqual(6);
      for (const s of f.similar) expect(examples.has(norm(s)), `${f.id}: ${s}`).toBe(false);
      expect(defaultAnswer(f), f.id).toBeTruthy();
    }
  });

  it('answers 怎么开发票 with concrete steps, not by asking for a tax number', () => {
    const text = textOf(defaultAnswer(mainFaq('发票开具')));
    expect(text).toMatch(/申请开票/);
    expect(text).toMatch(/1\..*\n2\..*\n3\./s);
    expect(text).toMatch(/电子普通发票/);
    expect(text).toMatch(/增值税专用发票/);
    expect(text).not.toMatch(/^请提供/);
    expect(k.faqs.some((f) => f.intent_id === byName('发票开具').id && f.question.includes('电子发票指南'))).toBe(true);
  });

  it('of the two invoice FAQs, "I want an invoice" gets the steps and "download" the e-invoice guide', () => {
    const model = trainModel(k);
    const first = (q: string) => model.analyze(q).faqs[0]?.question;
    for (const q of ['你好，我想开个发票，怎么弄', '我要开发票', '发票怎么开']) expect(first(q), q).toBe('怎么开发票？');
    expect(first('电子发票怎么下载')).toMatch(/电子发票指南/);
  });

  it('of the two allergy FAQs, "I reacted, what now" gets the care steps and "can I return it" the refund rules', () => {
    const model = trainModel(k);
    const first = (q: string) => model.analyze(q).faqs[0]?.question;
    // 过敏了怎么办 used to get 过敏的产品可以退吗 (its similar question 过敏了就医的费用怎么办 was closer)
    for (const q of ['过敏了怎么办呀', '脸过敏了怎么办']) expect(first(q), q).toMatch(/^使用后过敏/);
    expect(first('过敏能退吗')).toBe('过敏的产品可以退吗？');
  });

  it('has VIP variants for 退款流程 and 会员续费, and a web variant for 物流查询', () => {
    for (const name of ['退款流程', '会员续费']) {
      const vip = mainFaq(name).answers.find((a) => a.tier === 'VIP');
      expect(vip, name).toBeTruthy();
      expect(textOf(vip!)).toMatch(/专属顾问/);
    }
    expect(textOf(mainFaq('退款流程').answers.find((a) => a.tier === 'VIP')!)).toMatch(/极速退款/);
    const web = mainFaq('物流查询').answers.find((a) => a.channel === 'web');
    expect(web?.content).toMatchObject({ type: 'link', url: expect.stringMatching(/^https:\/\/yuefu\.example\.com\//) });
  });

  it('uses rich answers: links for 门店地址 and 真伪查询, a menu for 活动规则', () => {
    for (const name of ['门店地址', '真伪查询']) {
      expect(defaultAnswer(mainFaq(name)).content).toMatchObject({ type: 'link', url: expect.stringMatching(/^https:\/\/yuefu\.example\.com\//) });
    }
    const menu = defaultAnswer(mainFaq('活动规则')).content;
    expect(menu.type).toBe('menu');
    if (menu.type === 'menu') expect(menu.items.filter((i) => i.type === 'click').length).toBeGreaterThanOrEqual(3);
  });

  it('tells an allergic customer to stop, rinse, send photos and opens a ticket', () => {
    const text = textOf(defaultAnswer(mainFaq('过敏反应')));
    for (const cue of [/停用/, /凉水|清水/, /照片/, /批号/, /工单/, /就医/, /7 天内可退/]) expect(text).toMatch(cue);
  });

  it('never sends a blocked word in an answer unless whitelisted', () => {
    const { sensitive, whitelist } = k.dictionaries;
    for (const f of k.faqs) {
      for (const a of f.answers) {
        let text = textOf(a);
        for (const w of whitelist) text = text.split(w).join('');
        for (const s of sensitive.filter((x) => x.action === 'block')) expect(text, `${f.id}: ${s.word}`).not.toContain(s.word);
      }
    }
  });

  it('has usable dictionaries', () => {
    const d = k.dictionaries;
    expect(d.dialect.length).toBeGreaterThanOrEqual(20);
    expect(d.dialect).toEqual(expect.arrayContaining([{ from: '整不明白', to: '不明白' }, { from: '咋整', to: '怎么办' }]));
    for (const e of d.dialect) expect(e.from).not.toBe(e.to);
    const allSynonyms = d.synonyms.flatMap((s) => s.synonyms);
    expect(new Set(allSynonyms).size).toBe(allSynonyms.length);
    for (const s of d.synonyms) expect(s.synonyms).not.toContain(s.term);
    expect(d.synonyms.find((s) => s.term === '退款')?.synonyms).toContain('退钱');
    expect(d.domainTerms).toEqual(expect.arrayContaining(['过敏红疹', '腮红效果', 'CVT变速箱', '双离合', 'SPF50', 'PA++++']));
    expect(d.sensitive.filter((s) => s.action === 'block').length).toBeGreaterThanOrEqual(5);
    expect(d.sensitive.filter((s) => s.action === 'flag').map((s) => s.word)).toEqual(expect.arrayContaining(['12315', '律师', '烂脸']));
    // every whitelist phrase exists to let through a sensitive word it contains (or is the documented example)
    for (const w of d.whitelist.filter((w) => w !== '抗癌药物咨询')) {
      expect(d.sensitive.some((s) => w.includes(s.word)), w).toBe(true);
    }
  });
});

describe('demo chat logs', () => {
  const lines = demoChatLogs();

  it('has about 150 lines of customer/agent conversations', () => {
    expect(lines.length).toBeGreaterThanOrEqual(140);
    const conversations = new Map<string, typeof lines>();
    for (const l of lines) conversations.set(l.conversation_id, [...(conversations.get(l.conversation_id) ?? []), l]);
    expect(conversations.size).toBeGreaterThanOrEqual(40);
    for (const [id, conv] of conversations) {
      expect(conv[0].role, id).toBe('customer');
      expect(conv.some((l) => l.role === 'agent'), id).toBe(true);
      const times = conv.map((l) => Date.parse(l.time));
      expect([...times].sort((a, b) => a - b)).toEqual(times);
    }
  });

  it('contains topics the intents do not cover yet', () => {
    const customer = lines.filter((l) => l.role === 'customer').map((l) => l.text).join('\n');
    for (const topic of [/直播/, /小样|旅行装|mini/, /美国|日本|海外|英国/, /空瓶/, /团购|礼盒|年会/]) expect(customer).toMatch(topic);
  });

  it('parses quoted CSV fields', () => {
    expect(parseCsv('a,b\n"x, ""y""","line\nbreak"\n')).toEqual([['a', 'b'], ['x, "y"', 'line\nbreak']]);
  });
});
