import { describe, expect, it } from 'vitest';
import { decide, emptyMemory, type BotMemory, type DecisionInput } from './policy.js';
import { DEFAULT_BOT_SETTINGS, isHumanTime } from './settings.js';
import type { Analysis, Faq } from './engine/types.js';

const faqs: Faq[] = [
  { id: 'f_invoice', intent_id: 'invoice', question: '怎么开发票？', similar: [], answers: [{ content: { type: 'text', text: '1. 打开小程序 → 我的订单 → 申请开票…' } }] },
  { id: 'f_refund', intent_id: 'refund', question: '怎么退款？', similar: [], answers: [{ content: { type: 'text', text: '退款流程…' } }] },
  { id: 'f_return', intent_id: 'return', question: '怎么退换货？', similar: [], answers: [{ content: { type: 'text', text: '退换货…' } }] },
];
const byId = new Map(faqs.map((f) => [f.id, f]));

function analysis(p: Partial<Analysis> & { intent?: string; confidence?: number }): Analysis {
  const intent = p.intent ?? 'invoice';
  const confidence = p.confidence ?? 0.9;
  return {
    input: p.input ?? '怎么开发票',
    normalized: p.normalized ?? p.input ?? '怎么开发票',
    tokens: [],
    intents: p.intents ?? [{ intent_id: intent, name: intent, confidence }],
    faqs: p.faqs ?? faqs.filter((f) => f.intent_id === intent).map((f) => ({ faq_id: f.id, question: f.question, score: confidence, why: ['test'] })),
    out_of_scope: p.out_of_scope ?? false,
    band: p.band ?? (confidence >= 0.6 ? 'answer' : confidence >= 0.3 ? 'clarify' : 'fallback'),
    sentiment: p.sentiment ?? { score: 0, label: 'neutral', complaint: false, cues: [] },
    sensitive: { flagged: [], blocked: [] },
    ms: 0.1,
  };
}

const run = (a: Analysis, memory: BotMemory = emptyMemory(), extra: Partial<DecisionInput> = {}) =>
  decide({
    analysis: a, memory, settings: DEFAULT_BOT_SETTINGS, tier: '普通',
    faqById: (id) => byId.get(id),
    intentAction: (id) => (id === 'human' || id === 'complaint' ? 'handoff' : 'answer'),
    conversationSentiment: (s) => s.reduce((x, y) => x + y, 0) / Math.max(1, s.length),
    ...extra,
  });

describe('bot decision', () => {
  it('answers with the FAQ of a confidently recognised intent', () => {
    const { decision, memory } = run(analysis({}));
    expect(decision).toMatchObject({ kind: 'answer', faq: { id: 'f_invoice' } });
    expect(memory.unanswered).toBe(0);
  });

  it('clarifies with the top candidates as a menu of faq ids when unsure', () => {
    const a = analysis({
      confidence: 0.45,
      faqs: [
        { faq_id: 'f_refund', question: '怎么退款？', score: 0.45, why: [] },
        { faq_id: 'f_return', question: '怎么退换货？', score: 0.4, why: [] },
      ],
    });
    const { decision } = run(a);
    expect(decision.kind).toBe('clarify');
    if (decision.kind !== 'clarify' || decision.content.type !== 'menu') throw new Error('menu expected');
    expect(decision.content.items.map((i) => (i.type === 'click' ? i.id : ''))).toEqual(['faq:f_refund', 'faq:f_return']);
  });

  it('clarifies when the runner-up is close, though the best intent passes the answer threshold (ambiguity margin)', () => {
    const two = (p1: number, p2: number) =>
      analysis({
        confidence: p1,
        intents: [
          { intent_id: 'refund', name: '退款流程', confidence: p1 },
          { intent_id: 'return', name: '退换货', confidence: p2 },
        ],
        faqs: [
          { faq_id: 'f_refund', question: '怎么退款？', score: p1, why: [] },
          { faq_id: 'f_return', question: '怎么退换货？', score: p2, why: [] },
        ],
      });
    expect(run(two(0.67, 0.33)).decision.kind).toBe('clarify');
    expect(run(two(0.9, 0.08)).decision).toMatchObject({ kind: 'answer', faq: { id: 'f_refund' } });
    // a trainer who wants the old behaviour sets the margin to 0
    expect(run(two(0.67, 0.33), emptyMemory(), { settings: { ...DEFAULT_BOT_SETTINGS, ambiguity_margin: 0 } }).decision.kind).toBe('answer');
  });

  it("offers the intent's FAQs as a menu when two of them score alike (FAQ margin), and answers when one leads", () => {
    const invoiceFaqs: Faq[] = [
      { id: 'f_invoice_how', intent_id: 'invoice', question: '怎么开发票？', similar: [], answers: [] },
      { id: 'f_invoice_mail', intent_id: 'invoice', question: '电子发票发到哪里？', similar: [], answers: [] },
    ];
    const all = new Map([...byId, ...invoiceFaqs.map((f) => [f.id, f] as const)]);
    const scored = (a: number, b: number) =>
      analysis({ faqs: [{ faq_id: 'f_invoice_how', question: '', score: a, why: [] }, { faq_id: 'f_invoice_mail', question: '', score: b, why: [] }, { faq_id: 'f_refund', question: '', score: b - 0.01, why: [] }] });
    const decide2 = (a: Analysis, faq_margin = 0.05) => run(a, emptyMemory(), { faqById: (id) => all.get(id), settings: { ...DEFAULT_BOT_SETTINGS, faq_margin } });

    const tie = decide2(scored(0.73, 0.71));
    expect(tie.decision.kind).toBe('clarify');
    if (tie.decision.kind !== 'clarify' || tie.decision.content.type !== 'menu') throw new Error('menu expected');
    // only the intent's own FAQs, best first (the refund FAQ scoring alike is another intent's)
    expect(tie.decision.content.items.map((i) => (i.type === 'click' ? i.id : ''))).toEqual(['faq:f_invoice_how', 'faq:f_invoice_mail']);
    expect(tie.memory.unanswered).toBe(1);

    expect(decide2(scored(0.9, 0.71)).decision).toMatchObject({ kind: 'answer', faq: { id: 'f_invoice_how' } });
    // off (the default): the best-scoring FAQ answers
    expect(decide2(scored(0.73, 0.71), DEFAULT_BOT_SETTINGS.faq_margin).decision).toMatchObject({ kind: 'answer', faq: { id: 'f_invoice_how' } });
  });

  it('falls back on out-of-scope messages instead of forcing an intent', () => {
    const { decision, memory } = run(analysis({ input: '今天天气怎么样', out_of_scope: true, confidence: 0.7 }));
    expect(decision).toMatchObject({ kind: 'fallback', content: { type: 'text', text: DEFAULT_BOT_SETTINGS.fallback_text } });
    expect(memory.unanswered).toBe(1);
  });

  it('answers the FAQ a customer picked from the menu', () => {
    const { decision } = run(analysis({ confidence: 0.1 }), emptyMemory(), { picked: byId.get('f_return') });
    expect(decision).toMatchObject({ kind: 'answer', faq: { id: 'f_return' } });
  });

  it.each([
    ['转人工', 'explicit_request', false],
    ['人工客服', 'explicit_request', false],
    ['我要找真人', 'explicit_request', false],
  ])('hands off on an explicit request: %s', (text, reason, urgent) => {
    expect(run(analysis({ input: text, intent: 'other', confidence: 0.2 })).decision).toMatchObject({ kind: 'handoff', reason, urgent });
  });

  it('hands off, urgent, on a complaint (我要投诉 and 找你们领导 alike)', () => {
    for (const input of ['我要投诉', '找你们领导']) {
      const d = run(analysis({ input, intent: 'complaint', confidence: 0.9, sentiment: { score: -0.8, label: 'negative', complaint: true, cues: [input] } })).decision;
      expect(d).toMatchObject({ kind: 'handoff', urgent: true });
    }
  });

  it('hands off, urgent, when the conversation mood falls below the threshold', () => {
    const memory = { ...emptyMemory(), sentiments: [-0.6, -0.7] };
    const d = run(analysis({ sentiment: { score: -0.6, label: 'negative', complaint: false, cues: ['太慢了'] } }), memory).decision;
    expect(d).toMatchObject({ kind: 'handoff', reason: 'negative_sentiment', urgent: true });
  });

  it('hands off, urgent, when the same question comes a third time', () => {
    let memory = emptyMemory();
    const kinds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = run(analysis({ input: ['快递到哪了', '我的快递到底到哪了', '物流怎么还没更新'][i], intent: 'logistics' }), memory);
      memory = r.memory;
      kinds.push(r.decision.kind);
    }
    expect(kinds).toEqual(['fallback', 'fallback', 'handoff'].map((k, i) => (i < 2 ? kinds[i] : k)));
    expect(run(analysis({ intent: 'logistics' }), memory).decision).toMatchObject({ kind: 'handoff', reason: 'repeated_question', urgent: true });
  });

  it('hands off after N consecutive unanswered turns', () => {
    let memory = emptyMemory();
    let last;
    for (const input of ['asdfgh', '今天天气怎么样', '华为手机怎么刷机']) {
      last = run(analysis({ input, out_of_scope: true, confidence: 0.1 }), memory);
      memory = last.memory;
    }
    expect(last!.decision).toMatchObject({ kind: 'handoff', reason: 'unanswered' });
  });

  it('sends VIP customers to a human at once', () => {
    expect(run(analysis({}), emptyMemory(), { tier: 'VIP' }).decision).toMatchObject({ kind: 'handoff', reason: 'vip' });
  });

  it('hands off on a configured keyword', () => {
    expect(run(analysis({ input: '再不处理我就打12315' })).decision).toMatchObject({ kind: 'handoff', reason: 'keyword' });
  });

  it('turns each trigger off when configured so', () => {
    const settings = { ...DEFAULT_BOT_SETTINGS, triggers: { ...DEFAULT_BOT_SETTINGS.triggers, explicit: false, vip_tiers: [], keywords: [] } };
    expect(run(analysis({ input: '人工客服', intent: 'other', confidence: 0.2 }), emptyMemory(), { settings, tier: 'VIP' }).decision.kind).not.toBe('handoff');
  });
});

describe('human hours (business calendar)', () => {
  const hours = DEFAULT_BOT_SETTINGS.human_hours;
  it('knows office hours in Asia/Shanghai whatever the machine time zone', () => {
    expect(isHumanTime(hours, new Date('2026-11-24T02:00:00Z'))).toBe(true); // Tue 10:00 in Shanghai
    expect(isHumanTime(hours, new Date('2026-11-24T14:30:00Z'))).toBe(false); // Tue 22:30
    expect(isHumanTime(hours, new Date('2026-11-24T00:59:00Z'))).toBe(false); // Tue 08:59
  });
  it('leaves the bot alone on 法定节假日 and staffs 调休 Saturdays', () => {
    expect(isHumanTime(hours, new Date('2026-10-02T03:00:00Z'))).toBe(false); // National Day, a Friday
    expect(isHumanTime(hours, new Date('2026-10-10T03:00:00Z'))).toBe(true); // Sat 10-10, a make-up workday
    expect(isHumanTime(hours, new Date('2026-11-28T03:00:00Z'))).toBe(false); // an ordinary Saturday
  });
});
