import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import type { Conversation, Message, MessageContent } from '../core/message.js';
import type { HubService } from '../hub/index.js';
import { newId } from '../core/ids.js';
import * as hubRepo from '../hub/repo.js';
import type { Analysis, BotModel, Faq, KnowledgeSnapshot } from './engine/types.js';
import { analyzeMessage } from './analysis.js';
import { decide, emptyMemory, type BotMemory, type Decision } from './policy.js';
import { isHumanTime, type BotSettingsStore } from './settings.js';
import { handoffSummary } from './summary.js';
import type { GroundingFaq, LlmClient } from './llm.js';

/** retrieved FAQs at or above this score are relevant enough to ground an LLM answer */
export const LLM_MIN_FAQ_SCORE = 0.3;
/** at most this many FAQs go into the prompt */
export const LLM_TOP_K = 3;

export type BotDeps = {
  db: Kysely<Database>;
  hub: HubService;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  settings: BotSettingsStore;
  /** the model trained from the published knowledge, null before the first publish */
  models: () => Promise<{ model: BotModel; snapshot: KnowledgeSnapshot } | null>;
  pickAnswer: (faq: Faq, ctx: { tier: string; channel: Conversation['channel'] }) => MessageContent | undefined;
  conversationSentiment: (scores: number[]) => number;
  /** the optional LLM (null: the classic bot alone) */
  llm?: LlmClient | null;
};

/**
 * The bot at the front of every conversation: answers what it knows, clarifies when unsure,
 * and hands over to humans when a trigger fires. It only speaks in conversations whose status
 * is 'bot', so after a hand-off it stays silent. Messages of one conversation are handled one
 * at a time, in order.
 */
const faqIndex = new WeakMap<KnowledgeSnapshot, Map<string, Faq>>();
function faqsOf(snapshot: KnowledgeSnapshot): Map<string, Faq> {
  let m = faqIndex.get(snapshot);
  if (!m) faqIndex.set(snapshot, (m = new Map(snapshot.faqs.map((f) => [f.id, f]))));
  return m;
}

export class BotService {
  private readonly chains = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly d: BotDeps) {}

  start(opts: { soothingTickMs?: number } = {}): void {
    const { hub, bus, settings, log } = this.d;
    // the policy runs inside the ingest transaction: it reads the cached settings and only
    // schedules a refresh (not awaited), so it never waits for the connection the transaction holds
    hub.setNewConversationPolicy(() => {
      void settings.get().catch((err) => log.warn({ err }, 'bot settings refresh failed'));
      return settings.peek().enabled ? 'bot' : 'queued';
    });
    void settings.get().catch(() => undefined);
    bus.on('message.created', ({ message, conversation }) => {
      if (message.direction !== 'in' || message.sender_type !== 'customer') return;
      // every customer message is screened for sensitive words, whoever serves the conversation;
      // the bot answers only while the conversation is its own
      const withBot = conversation.status === 'bot';
      this.enqueue(conversation.id, async () => {
        await this.screenInput(message);
        if (withBot) await this.onCustomerMessage(message, conversation.id);
      });
    });
    const tick = opts.soothingTickMs ?? 5000;
    if (tick > 0) {
      this.timer = setInterval(() => void this.tickSoothing().catch((err) => log.warn({ err }, 'soothing tick failed')), tick);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.idle();
  }

  /** Waits until every queued bot turn is handled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.chains.size) await Promise.allSettled([...this.chains.values()]);
  }

  private enqueue(conversationId: string, work: () => Promise<void>): void {
    const prev = this.chains.get(conversationId) ?? Promise.resolve();
    const next = prev
      .then(work)
      .catch((err) => this.d.log.error({ err, conversation_id: conversationId }, 'bot turn failed'))
      .finally(() => {
        if (this.chains.get(conversationId) === next) this.chains.delete(conversationId);
      });
    this.chains.set(conversationId, next);
  }

  private async onCustomerMessage(message: Message, conversationId: string): Promise<void> {
    const { hub } = this.d;
    const conversation = await hub.getConversation(conversationId);
    if (!conversation || conversation.status !== 'bot') return;
    const settings = await this.d.settings.get();
    const published = settings.enabled ? await this.d.models() : null;
    const active = published && { ...published, faqById: faqsOf(published.snapshot) };
    if (!active) {
      // the bot was switched off (or has no knowledge yet): humans take over without a bot reply
      await hub.handoff(conversationId, {
        reason: 'bot_off', reason_text: settings.enabled ? '机器人尚未发布知识库' : '机器人已关闭',
        summary: handoffSummary(await hub.listMessages(conversationId, { limit: 30 }), null, 0), intent: null, urgent: false,
      });
      return;
    }
    const memory = await this.loadMemory(conversationId);
    const c = message.content;
    const text = c.type === 'text' ? c.text : '';
    const picked = c.type === 'text' && c.menu_id?.startsWith('faq:') ? active.faqById.get(c.menu_id.slice(4)) : undefined;
    const analysis = analyzeMessage(active.model, message, text || `[${c.type}]`);
    const { decision, memory: decided } = decide({
      analysis,
      picked,
      memory,
      settings,
      tier: conversation.customer.tier,
      faqById: (id) => active.faqById.get(id),
      intentAction: (id) => active.snapshot.intents.find((i) => i.id === id)?.action,
      conversationSentiment: this.d.conversationSentiment,
    });
    // where the classic bot would clarify or give up, the LLM may answer from the retrieved FAQs
    const unsure = decision.kind === 'clarify' || decision.kind === 'fallback' || (decision.kind === 'handoff' && decision.reason === 'unanswered');
    const llm = unsure && text && !picked ? await this.askLlm(text, analysis, active, conversation) : null;
    const next = llm ? { ...decided, unanswered: 0 } : decided;
    await this.saveMemory(conversationId, next);
    this.d.log.debug({ conversation_id: conversationId, kind: llm ? 'llm' : decision.kind, band: analysis.band, ms: analysis.ms }, 'bot decided');

    if (llm) {
      await this.say(conversation, { type: 'text', text: llm.text });
      // the agents see what the answer was based on (system lines never reach the customer)
      const list = llm.faqs.map((f) => `「${f.question}」`).join('、');
      await this.recordEvent(conversationId, 'bot_sources', { faqs: llm.faqs, model: llm.model, text: `机器人（大模型 ${llm.model}）的回答依据：${list}` });
      return;
    }

    switch (decision.kind) {
      case 'answer': {
        const content = this.d.pickAnswer(decision.faq, { tier: conversation.customer.tier, channel: conversation.channel });
        const outgoing = content?.type === 'text' ? active.model.checkOutgoing(content.text) : { blocked: [], flagged: [] };
        if (!content || outgoing.blocked.length) {
          if (outgoing.blocked.length) this.d.log.warn({ faq_id: decision.faq.id }, 'bot answer blocked by the sensitive-word filter');
          await this.say(conversation, { type: 'text', text: settings.fallback_text });
          return;
        }
        await this.say(conversation, content);
        return;
      }
      case 'clarify':
      case 'fallback':
        await this.say(conversation, decision.content);
        return;
      case 'handoff': {
        const top = analysis.intents[0];
        const known = top && active.snapshot.intents.find((i) => i.id === top.intent_id);
        await this.handOver(conversation, next, decision, top ? { ...top, category: known?.category ?? null, skill: known?.skill ?? null } : null);
        return;
      }
    }
  }

  /**
   * Asks the LLM for an answer grounded on the relevant retrieved FAQs. Null — answer the
   * classic way — when none is relevant, the model does not know, times out or fails, or its
   * answer contains a blocked sensitive word.
   */
  private async askLlm(
    question: string,
    analysis: Analysis,
    active: { model: BotModel; faqById: Map<string, Faq> },
    conversation: Conversation,
  ): Promise<{ text: string; faqs: { id: string; question: string }[]; model: string } | null> {
    const llm = this.d.llm;
    if (!llm) return null;
    const grounding: GroundingFaq[] = [];
    for (const hit of analysis.faqs) {
      if (grounding.length >= LLM_TOP_K || hit.score < LLM_MIN_FAQ_SCORE) break;
      const faq = active.faqById.get(hit.faq_id);
      const answer = faq && answerText(this.d.pickAnswer(faq, { tier: conversation.customer.tier, channel: conversation.channel }));
      if (faq && answer) grounding.push({ id: faq.id, question: faq.question, answer });
    }
    if (!grounding.length) return null;
    const r = await llm.answer(question, grounding);
    if (r.kind !== 'answer') {
      this.d.log.info({ conversation_id: conversation.id, outcome: r.kind, reason: r.kind === 'error' ? r.reason : undefined, ms: r.ms }, 'llm answer not used');
      return null;
    }
    const check = active.model.checkOutgoing(r.text);
    if (check.blocked.length) {
      this.d.log.warn({ conversation_id: conversation.id, words: check.blocked.length }, 'llm answer blocked by the sensitive-word filter');
      return null;
    }
    return { text: r.text, faqs: grounding.map(({ id, question: q }) => ({ id, question: q })), model: llm.model };
  }

  /**
   * Screens a customer message against the published sensitive-word dictionary: a hit (not
   * covered by the whitelist) leaves a system line for the agents — 敏感词提示：律师、曝光.
   */
  private async screenInput(message: Message): Promise<void> {
    if (message.content.type !== 'text' || !message.content.text) return;
    const published = await this.d.models();
    if (!published) return;
    const hit = published.model.checkOutgoing(message.content.text);
    const words = [...new Set([...hit.blocked, ...hit.flagged])];
    if (!words.length) return;
    await this.recordEvent(message.conversation_id, 'sensitive_flag', { words, message_id: message.id, text: `敏感词提示：${words.join('、')}` });
  }

  /** Stores a system event line in the conversation: agents see it, the customer never does. */
  private async recordEvent(conversationId: string, event: string, data: Record<string, unknown>): Promise<void> {
    const { hub, bus, clock } = this.d;
    await hub.transaction(async (uow) => {
      const at = clock.now().toISOString();
      const content: MessageContent = { type: 'event', event, data };
      const row = {
        id: newId('m'), conversation_id: conversationId, direction: 'system', sender_type: 'system', sender_id: null,
        msgtype: 'event', content_json: JSON.stringify(content), status: 'received', fail_code: null, fail_reason: null,
        client_msg_id: null, dedupe_key: null, created_at: at, updated_at: at,
      };
      await hubRepo.insertMessage(uow.tx, row);
      const conversation = await hubRepo.getConversation(uow.tx, conversationId);
      const message = hubRepo.toMessage(row);
      if (conversation) uow.after.push(() => bus.emit('message.created', { message, conversation }));
    });
  }

  private async handOver(
    conversation: Conversation,
    memory: BotMemory,
    decision: Extract<Decision, { kind: 'handoff' }>,
    intent: { intent_id: string; name: string; confidence: number; category: string | null; skill: string | null } | null,
  ) {
    const { hub, clock } = this.d;
    const settings = await this.d.settings.get();
    const humans = isHumanTime(settings.human_hours, clock.now());
    await this.say(conversation, { type: 'text', text: humans ? settings.handoff_text : settings.offline_text });
    const history = await hub.listMessages(conversation.id, { limit: 30 });
    const mood = memory.sentiments.length ? this.d.conversationSentiment(memory.sentiments) : 0;
    await hub.handoff(conversation.id, {
      reason: decision.reason,
      reason_text: humans ? decision.reason_text : `${decision.reason_text}（非人工服务时间，已登记待处理）`,
      summary: handoffSummary(history, intent ?? memory.last_intent, mood),
      intent: intent ? { id: intent.intent_id, name: intent.name, confidence: intent.confidence, category: intent.category, skill: intent.skill } : null,
      urgent: decision.urgent,
    });
    if (humans && settings.soothing.max_count > 0) {
      const at = new Date(clock.now().getTime() + settings.soothing.interval_s * 1000).toISOString();
      await this.d.db.updateTable('bot_state').set({ next_soothing_at: at, soothing_count: 0 }).where('conversation_id', '=', conversation.id).execute();
    }
  }

  private async say(conversation: Conversation, content: MessageContent): Promise<void> {
    const r = await this.d.hub.send({ conversation_id: conversation.id, sender: { type: 'bot', id: null }, content });
    if (r.message.status === 'failed') this.d.log.info({ conversation_id: conversation.id, code: r.message.fail_code }, 'bot reply not delivered');
  }

  /**
   * Sends the soothing message to customers waiting for a human, every interval up to the
   * maximum. Claiming a due row is a conditional UPDATE, so with several instances each
   * soothing message is sent once.
   */
  async tickSoothing(): Promise<number> {
    const { db, clock } = this.d;
    const now = clock.now();
    const settings = await this.d.settings.get();
    const due = await db
      .selectFrom('bot_state')
      .innerJoin('conversations', 'conversations.id', 'bot_state.conversation_id')
      .select(['bot_state.conversation_id', 'bot_state.next_soothing_at', 'bot_state.soothing_count'])
      .where('bot_state.next_soothing_at', '<=', now.toISOString())
      .where('conversations.status', '=', 'queued')
      .limit(200)
      .execute();
    let sent = 0;
    for (const row of due) {
      const count = Number(row.soothing_count) + 1;
      const next = count >= settings.soothing.max_count ? null : new Date(now.getTime() + settings.soothing.interval_s * 1000).toISOString();
      const claimed = await db
        .updateTable('bot_state')
        .set({ soothing_count: count, next_soothing_at: next })
        .where('conversation_id', '=', row.conversation_id)
        .where('next_soothing_at', '=', row.next_soothing_at)
        .executeTakeFirst();
      if (!Number(claimed.numUpdatedRows)) continue;
      const conversation = await this.d.hub.getConversation(row.conversation_id);
      if (conversation?.status !== 'queued') continue;
      await this.say(conversation, { type: 'text', text: settings.soothing.text });
      sent++;
    }
    return sent;
  }

  private async loadMemory(conversationId: string): Promise<BotMemory> {
    const row = await this.d.db.selectFrom('bot_state').select('state_json').where('conversation_id', '=', conversationId).executeTakeFirst();
    return row ? { ...emptyMemory(), ...(JSON.parse(row.state_json) as BotMemory) } : emptyMemory();
  }

  private async saveMemory(conversationId: string, m: BotMemory): Promise<void> {
    const state_json = JSON.stringify(m);
    const updated_at = this.d.clock.now().toISOString();
    await this.d.db
      .insertInto('bot_state')
      .values({ conversation_id: conversationId, state_json, updated_at, next_soothing_at: null })
      .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ state_json, updated_at }))
      .execute();
  }
}

/** The text an LLM may quote from an answer variant (text and link answers; others are skipped). */
function answerText(c: MessageContent | undefined): string | null {
  if (!c) return null;
  if (c.type === 'text') return c.text;
  if (c.type === 'link') return [c.title, c.desc, c.url].filter(Boolean).join(' ');
  if (c.type === 'menu') return [c.head, ...c.items.map((i) => i.content), c.tail].filter(Boolean).join('\n');
  return null;
}
