import type { MessageContent } from '../core/message.js';
import type { Analysis, Faq, ScoredIntent } from './engine/types.js';
import { bandOf } from './engine/bands.js';
import type { BotSettings } from './settings.js';

/** What the bot remembers about one conversation (stored as JSON in bot_state). */
export type BotMemory = {
  turns: number;
  /** consecutive turns the bot could not answer (fallback or an unresolved clarification) */
  unanswered: number;
  /** the last few questions: intent (when recognised) and normalised text */
  recent: { intent_id: string | null; normalized: string }[];
  /** per-message sentiment scores, oldest first */
  sentiments: number[];
  last_intent: ScoredIntent | null;
};

export const emptyMemory = (): BotMemory => ({ turns: 0, unanswered: 0, recent: [], sentiments: [], last_intent: null });

export type Decision =
  | { kind: 'answer'; faq: Faq; intent: ScoredIntent | null }
  | { kind: 'clarify'; content: MessageContent }
  | { kind: 'fallback'; content: MessageContent }
  | { kind: 'handoff'; reason: string; reason_text: string; urgent: boolean };

export type DecisionInput = {
  analysis: Analysis;
  /** the FAQ the customer picked from a clarification menu (menu_id faq:<id>) */
  picked?: Faq;
  memory: BotMemory;
  settings: BotSettings;
  tier: string;
  faqById: (id: string) => Faq | undefined;
  intentAction: (intentId: string) => 'answer' | 'handoff' | undefined;
  /** recency-weighted conversation sentiment from the per-message scores */
  conversationSentiment: (scores: number[]) => number;
};

const EXPLICIT = /(转人工|人工客服|人工服务|找人工|真人|活人|客服人员|接人工|要人工|^人工$)/;

/**
 * The bot's decision for one customer message, as a pure function of what it knows, so every
 * trigger and band can be tested alone. Order matters: a customer who asks for a human or is
 * angry is never answered by the bot first. Returns the decision and the updated memory.
 */
export function decide(input: DecisionInput): { decision: Decision; memory: BotMemory } {
  const { analysis: a, settings: s, memory: before } = input;
  const t = s.triggers;
  const top = a.intents[0] ?? null;
  // the bands come from the settings' thresholds, so trainers tune them without retraining
  const band = a.out_of_scope || !top ? 'fallback' : bandOf(top.confidence, a.intents[1]?.confidence ?? 0, { answer: s.answer_threshold, clarify: s.clarify_threshold, margin: s.ambiguity_margin });
  const recognised = band !== 'fallback' ? top : null;
  const memory: BotMemory = {
    turns: before.turns + 1,
    unanswered: before.unanswered,
    recent: [...before.recent, { intent_id: input.picked?.intent_id ?? recognised?.intent_id ?? null, normalized: a.normalized }].slice(-6),
    sentiments: [...before.sentiments, a.sentiment.score].slice(-20),
    last_intent: recognised ?? before.last_intent,
  };
  const handoff = (reason: string, reason_text: string, urgent = false) => ({ decision: { kind: 'handoff' as const, reason, reason_text, urgent }, memory });

  if (t.explicit && (EXPLICIT.test(a.normalized) || (recognised && band === 'answer' && input.intentAction(recognised.intent_id) === 'handoff'))) {
    const complaint = a.sentiment.complaint;
    return handoff(complaint ? 'complaint' : 'explicit_request', complaint ? `客户投诉：「${clip(a.input)}」` : `客户要求人工服务：「${clip(a.input)}」`, complaint);
  }
  const keyword = t.keywords.find((k) => a.normalized.includes(k));
  if (keyword) return handoff('keyword', `消息包含关键词「${keyword}」`, a.sentiment.complaint);
  if (t.vip_tiers.includes(input.tier)) return handoff('vip', `${input.tier} 客户，优先人工服务`);
  const mood = input.conversationSentiment(memory.sentiments);
  if (a.sentiment.complaint || mood < t.sentiment_below) {
    return handoff('negative_sentiment', a.sentiment.complaint ? `客户情绪激动（投诉倾向）：「${clip(a.input)}」` : `客户情绪持续负面（${mood.toFixed(2)}）`, true);
  }
  if (t.repeat_count > 0 && repeated(memory, t.repeat_count)) {
    return handoff('repeated_question', `客户连续 ${t.repeat_count} 次询问同一问题，机器人的回答没有解决`, true);
  }

  const choice = input.picked ? { faq: input.picked } : recognised && band === 'answer' ? faqChoice(a, recognised, input.faqById, s.faq_margin) : {};
  if (choice.faq) {
    memory.unanswered = 0;
    return { decision: { kind: 'answer', faq: choice.faq, intent: recognised }, memory };
  }
  memory.unanswered += 1;
  if (t.unanswered_count > 0 && memory.unanswered >= t.unanswered_count) {
    return handoff('unanswered', `机器人连续 ${memory.unanswered} 次未能回答`);
  }
  const options = choice.options ?? (band === 'clarify' ? a.faqs.slice(0, 3).map((f) => input.faqById(f.faq_id)).filter((f): f is Faq => !!f) : []);
  if (options.length >= 2) {
    return {
      decision: {
        kind: 'clarify',
        content: { type: 'menu', head: s.clarify_head, items: options.map((f) => ({ type: 'click' as const, id: `faq:${f.id}`, content: f.question.slice(0, 60) })), tail: s.clarify_tail || undefined },
      },
      memory,
    };
  }
  return { decision: { kind: 'fallback', content: { type: 'text', text: s.fallback_text } }, memory };
}

/**
 * What to answer a recognised intent with: its best retrieved FAQ (else the best FAQ at all), or,
 * when the intent's next FAQ scores within `margin` of it, up to three of the intent's FAQs to
 * choose from (which of them fits is then a coin toss; see DEFAULT_THRESHOLDS.faqMargin).
 */
function faqChoice(a: Analysis, intent: ScoredIntent, faqById: (id: string) => Faq | undefined, margin: number): { faq?: Faq; options?: Faq[] } {
  const ofIntent = a.faqs.filter((f) => faqById(f.faq_id)?.intent_id === intent.intent_id);
  if (ofIntent.length === 0) return { faq: a.faqs[0] ? faqById(a.faqs[0].faq_id) : undefined };
  const close = ofIntent.filter((f) => ofIntent[0].score - f.score < margin).slice(0, 3);
  if (close.length >= 2) return { options: close.map((f) => faqById(f.faq_id)!) };
  return { faq: faqById(ofIntent[0].faq_id) };
}

/** The current question was already asked (same intent, or same words) often enough. */
function repeated(m: BotMemory, count: number): boolean {
  const cur = m.recent.at(-1)!;
  const same = m.recent.filter((r) => (cur.intent_id && r.intent_id === cur.intent_id) || r.normalized === cur.normalized);
  return same.length >= count;
}

const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);
