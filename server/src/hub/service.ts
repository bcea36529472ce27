import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { ChannelAdapter } from '../core/channel.js';
import type { Logger } from '../core/logger.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { PRIORITY, previewOf, type Channel, type Conversation, type ConversationStatus, type Handoff, type Message, type MessageContent, type SenderType } from '../core/message.js';
import * as repo from './repo.js';
import type { Executor } from './repo.js';

export type InboundInput = {
  channel: Channel;
  channel_account: string;
  external_id: string;
  /** hints for a customer seen for the first time */
  customer?: { display_name?: string; avatar_url?: string | null };
  /** unique per channel message; a second delivery is recognised and ignored */
  dedupe_key: string;
  content: MessageContent;
  sender_type?: Extract<SenderType, 'customer' | 'servicer' | 'system'>;
  sender_id?: string | null;
};

export type InboundResult = { created: boolean; message: Message; conversation: Conversation; newConversation: boolean };

type PendingEvent = () => void;

/** A unit of work: repo writes inside one transaction, domain events emitted after commit. */
export class UnitOfWork {
  readonly after: PendingEvent[] = [];
  constructor(readonly tx: Executor) {}
}

export type OutboundInput = {
  conversation_id: string;
  sender: { type: Extract<SenderType, 'agent' | 'bot' | 'system'>; id: string | null };
  content: MessageContent;
  client_msg_id?: string;
};

export type AssignOptions = {
  /** the statuses (and assignee) the conversation may be taken from; default: any open */
  from?: { status: ConversationStatus; assignee_id?: string | null }[];
  /** short reason in the system line, e.g. 技能「发票」3 级，负载 1/5 */
  reason?: string;
  /** the whole system line instead of 「已分配给 X（reason）」 */
  text?: string;
  /** event name of the system line: 'assigned' (default) or 'transferred' */
  event?: string;
  data?: Record<string, unknown>;
};

export type OutboundResult = { message: Message; conversation: Conversation; duplicate: boolean };

/**
 * The message hub: customers, conversations and messages, whatever the channel.
 * Dedupe is a unique key in the database, so a retry or a second instance cannot store twice.
 */
/**
 * Decides the first status of a new conversation (the bot module answers 'bot' when it serves).
 * Synchronous on purpose: it runs inside the ingest transaction, where a query of its own would
 * wait for the connection the transaction holds (a deadlock on SQLite's single connection).
 */
export type NewConversationPolicy = (c: { channel: Channel; customer_id: string }) => ConversationStatus;

export class HubService {
  private readonly adapters = new Map<Channel, ChannelAdapter>();
  private newConversationStatus: NewConversationPolicy = () => 'queued';

  constructor(
    private readonly db: Kysely<Database>,
    private readonly bus: EventBus,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  registerChannel(adapter: ChannelAdapter): void {
    this.adapters.set(adapter.channel, adapter);
  }

  setNewConversationPolicy(policy: NewConversationPolicy): void {
    this.newConversationStatus = policy;
  }

  /** Runs `fn` in one transaction and emits its domain events only once it committed. */
  async transaction<T>(fn: (uow: UnitOfWork) => Promise<T>): Promise<T> {
    const uow = await this.db.transaction().execute(async (tx) => {
      const u = new UnitOfWork(tx);
      const value = await fn(u);
      return { u, value };
    });
    for (const emit of uow.u.after) emit();
    return uow.value;
  }

  async ingest(input: InboundInput): Promise<InboundResult> {
    return this.transaction((uow) => this.ingestIn(uow, input));
  }

  /** Stores one inbound message inside the caller's unit of work. */
  async ingestIn(uow: UnitOfWork, input: InboundInput): Promise<InboundResult> {
    const tx = uow.tx;
    const now = this.clock.now().toISOString();
    const existing = await repo.getMessageByDedupeKey(tx, input.dedupe_key);
    if (existing) {
      const conversation = (await repo.getConversation(tx, existing.conversation_id))!;
      return { created: false, message: existing, conversation, newConversation: false };
    }
    const customerId = await this.resolveCustomer(tx, input, now);
    const { conversation: open, created: newConversation } = await this.openConversation(tx, customerId, input.channel, input.channel_account, now);
    const isCustomer = (input.sender_type ?? 'customer') === 'customer';
    const message = {
      id: newId('m'),
      conversation_id: open.id,
      direction: input.sender_type === 'system' ? 'system' : isCustomer ? 'in' : 'out',
      sender_type: input.sender_type ?? 'customer',
      sender_id: input.sender_id ?? null,
      msgtype: input.content.type,
      content_json: JSON.stringify(input.content),
      status: input.sender_type === 'servicer' ? 'sent' : 'received',
      fail_code: null,
      fail_reason: null,
      client_msg_id: null,
      dedupe_key: input.dedupe_key,
      // kefu's arrival time, not the channel's send time: WeCom's send_time has whole seconds
      // and another clock, and history must read in the order the conversation happened
      created_at: now,
      updated_at: now,
    };
    if (!(await repo.insertMessage(tx, message))) {
      const dup = (await repo.getMessageByDedupeKey(tx, input.dedupe_key))!;
      return { created: false, message: dup, conversation: open, newConversation: false };
    }
    const visible = input.content.type !== 'event';
    await tx
      .updateTable('conversations')
      .set((eb) => ({
        last_message_at: now,
        ...(visible ? { last_message_preview: previewOf(input.content) } : {}),
        ...(isCustomer && visible ? { unread_count: eb('unread_count', '+', 1) } : {}),
      }))
      .where('id', '=', open.id)
      .execute();
    const conversation = (await repo.getConversation(tx, open.id))!;
    const stored = repo.toMessage(message);
    if (newConversation) uow.after.push(() => this.bus.emit('conversation.updated', { conversation }));
    uow.after.push(() => this.bus.emit('message.created', { message: stored, conversation }));
    return { created: true, message: stored, conversation, newConversation };
  }

  private async resolveCustomer(tx: Executor, input: InboundInput, now: string): Promise<string> {
    const found = await tx
      .selectFrom('customer_identities')
      .select('customer_id')
      .where('channel', '=', input.channel)
      .where('external_id', '=', input.external_id)
      .executeTakeFirst();
    if (found) return found.customer_id;
    const customerId = newId('c');
    await tx
      .insertInto('customers')
      .values({
        id: customerId,
        display_name: input.customer?.display_name ?? defaultName(input.channel, input.external_id),
        avatar_url: input.customer?.avatar_url ?? null,
        tier: '普通',
        created_at: now,
        updated_at: now,
      })
      .execute();
    const inserted = await tx
      .insertInto('customer_identities')
      .values({ id: newId('i'), customer_id: customerId, channel: input.channel, external_id: input.external_id, profile_json: null, created_at: now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return customerId;
    // another writer created the identity first: use theirs, drop ours
    await tx.deleteFrom('customers').where('id', '=', customerId).execute();
    const winner = await tx
      .selectFrom('customer_identities')
      .select('customer_id')
      .where('channel', '=', input.channel)
      .where('external_id', '=', input.external_id)
      .executeTakeFirstOrThrow();
    return winner.customer_id;
  }

  private async openConversation(tx: Executor, customerId: string, channel: Channel, account: string, now: string) {
    const found = await repo.findOpenConversation(tx, customerId, channel, account);
    if (found) return { conversation: found, created: false };
    const id = newId('v');
    await tx
      .insertInto('conversations')
      .values({
        id,
        customer_id: customerId,
        channel,
        channel_account: account,
        status: this.newConversationStatus({ channel, customer_id: customerId }),
        assignee_id: null,
        service_state: channel === 'wecom_kf' ? 0 : null,
        last_message_at: now,
        last_message_preview: null,
        created_at: now,
        closed_at: null,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const conversation = (await repo.findOpenConversation(tx, customerId, channel, account))!;
    return { conversation, created: conversation.id === id };
  }

  /** Updates a customer's name/avatar (e.g. from kf/customer/batchget). */
  async updateCustomerProfile(channel: Channel, externalId: string, profile: { display_name?: string; avatar_url?: string | null }) {
    const ident = await this.db
      .selectFrom('customer_identities')
      .select('customer_id')
      .where('channel', '=', channel)
      .where('external_id', '=', externalId)
      .executeTakeFirst();
    if (!ident) return;
    await this.db
      .updateTable('customers')
      .set({ ...profile, updated_at: this.clock.now().toISOString() })
      .where('id', '=', ident.customer_id)
      .execute();
    const open = await this.db
      .selectFrom('conversations')
      .select('id')
      .where('customer_id', '=', ident.customer_id)
      .where('status', '<>', 'closed')
      .execute();
    for (const { id } of open) {
      const conversation = await repo.getConversation(this.db, id);
      if (conversation) this.bus.emit('conversation.updated', { conversation });
    }
  }

  /**
   * Sends a message through the conversation's channel. The same client_msg_id from the same
   * sender sends once: the second call returns the first message as it stands.
   */
  async send(input: OutboundInput): Promise<OutboundResult> {
    const conversation = await repo.getConversation(this.db, input.conversation_id);
    if (!conversation) throw notFound('conversation');
    if (conversation.status === 'closed') throw new AppError(409, 'conversation_closed', '会话已结束，无法发送消息');
    const adapter = this.adapters.get(conversation.channel);
    if (!adapter) throw new AppError(500, 'channel_unavailable', `channel ${conversation.channel} is not configured`);
    const external_id = await this.externalIdOf(conversation);

    const now = this.clock.now().toISOString();
    const dedupeKey = input.client_msg_id ? `client:${input.sender.id ?? input.sender.type}:${input.client_msg_id}` : null;
    const row = {
      id: newId('m'),
      conversation_id: conversation.id,
      direction: 'out',
      sender_type: input.sender.type,
      sender_id: input.sender.id,
      msgtype: input.content.type,
      content_json: JSON.stringify(input.content),
      status: 'pending',
      fail_code: null,
      fail_reason: null,
      client_msg_id: input.client_msg_id ?? null,
      dedupe_key: dedupeKey,
      created_at: now,
      updated_at: now,
    };
    const { inserted, updated } = await this.db.transaction().execute(async (tx) => {
      const ok = await repo.insertMessage(tx, row);
      if (!ok) return { inserted: false, updated: conversation };
      await tx
        .updateTable('conversations')
        .set({
          last_message_at: now,
          last_message_preview: previewOf(input.content),
          unread_count: 0,
          ...(input.sender.type === 'agent' && conversation.status !== 'assigned' ? { status: 'assigned', assignee_id: input.sender.id } : {}),
        })
        .where('id', '=', conversation.id)
        .execute();
      return { inserted: true, updated: (await repo.getConversation(tx, conversation.id))! };
    });
    if (!inserted) {
      const first = (await repo.getMessageByDedupeKey(this.db, dedupeKey!))!;
      return { message: first, conversation, duplicate: true };
    }
    const pending = repo.toMessage(row);
    this.bus.emit('message.created', { message: pending, conversation: updated });
    if (updated.status !== conversation.status) this.bus.emit('conversation.updated', { conversation: updated });

    let result;
    try {
      result = await adapter.send({ conversation: updated, external_id, message: pending });
    } catch (e) {
      this.log.error({ err: e, message_id: pending.id }, 'channel send threw');
      result = { ok: false as const, code: 'channel_error', reason: '渠道发送异常，请稍后重试' };
    }
    const message = await this.setDelivery(pending.id, result.ok ? { status: 'sent' } : { status: 'failed', fail_code: result.code, fail_reason: result.reason });
    return { message: message!, conversation: updated, duplicate: false };
  }

  /**
   * A message to the customer of a closed conversation (a survey after 结束会话, a journey weeks
   * later), through the channel's own rules for that, kept in the conversation's history.
   * The same client_msg_id sends once.
   */
  async sendAfterClose(input: OutboundInput): Promise<OutboundResult> {
    const conversation = await repo.getConversation(this.db, input.conversation_id);
    if (!conversation) throw notFound('conversation');
    const adapter = this.adapters.get(conversation.channel);
    if (!adapter) throw new AppError(500, 'channel_unavailable', `channel ${conversation.channel} is not configured`);
    const external_id = await this.externalIdOf(conversation);
    const now = this.clock.now().toISOString();
    const dedupeKey = input.client_msg_id ? `client:${input.sender.id ?? input.sender.type}:${input.client_msg_id}` : null;
    const row = {
      id: newId('m'), conversation_id: conversation.id, direction: 'out', sender_type: input.sender.type, sender_id: input.sender.id,
      msgtype: input.content.type, content_json: JSON.stringify(input.content), status: 'pending', fail_code: null, fail_reason: null,
      client_msg_id: input.client_msg_id ?? null, dedupe_key: dedupeKey, created_at: now, updated_at: now,
    };
    if (!(await repo.insertMessage(this.db, row))) {
      return { message: (await repo.getMessageByDedupeKey(this.db, dedupeKey!))!, conversation, duplicate: true };
    }
    const pending = repo.toMessage(row);
    this.bus.emit('message.created', { message: pending, conversation });
    const ctx = { conversation, external_id, message: pending };
    const result = await (adapter.sendAfterClose ? adapter.sendAfterClose(ctx) : adapter.send(ctx)).catch((e) => {
      this.log.error({ err: e, message_id: pending.id }, 'channel send after close threw');
      return { ok: false as const, code: 'channel_error', reason: '渠道发送异常，请稍后重试' };
    });
    const message = await this.setDelivery(pending.id, result.ok ? { status: 'sent' } : { status: 'failed', fail_code: result.code, fail_reason: result.reason });
    return { message: message!, conversation, duplicate: false };
  }

  /** Records the delivery outcome of an outbound message (also used by async failure events). */
  async setDelivery(messageId: string, d: { status: 'sent' | 'failed'; fail_code?: string; fail_reason?: string }): Promise<Message | undefined> {
    await this.db
      .updateTable('messages')
      .set({ status: d.status, fail_code: d.fail_code ?? null, fail_reason: d.fail_reason ?? null, updated_at: this.clock.now().toISOString() })
      .where('id', '=', messageId)
      .execute();
    const message = await repo.getMessage(this.db, messageId);
    if (message) {
      const conversation = (await repo.getConversation(this.db, message.conversation_id))!;
      this.bus.emit('message.updated', { message, conversation });
    }
    return message;
  }

  /** Stores a message kefu sent by other means (e.g. WeCom welcome via send_msg_on_event). */
  async recordOutbound(conversationId: string, content: MessageContent, sender: OutboundInput['sender'], outcome: { status: 'sent' | 'failed'; fail_code?: string; fail_reason?: string }) {
    return this.transaction(async (uow) => {
      const now = this.clock.now().toISOString();
      const row = {
        id: newId('m'), conversation_id: conversationId, direction: 'out', sender_type: sender.type, sender_id: sender.id,
        msgtype: content.type, content_json: JSON.stringify(content), status: outcome.status,
        fail_code: outcome.fail_code ?? null, fail_reason: outcome.fail_reason ?? null, client_msg_id: null, dedupe_key: null,
        created_at: now, updated_at: now,
      };
      await repo.insertMessage(uow.tx, row);
      await uow.tx.updateTable('conversations').set({ last_message_at: now, last_message_preview: previewOf(content) }).where('id', '=', conversationId).execute();
      const conversation = (await repo.getConversation(uow.tx, conversationId))!;
      const message = repo.toMessage(row);
      uow.after.push(() => this.bus.emit('message.created', { message, conversation }));
      return message;
    });
  }

  async setServiceState(conversationId: string, state: number): Promise<void> {
    await this.db.updateTable('conversations').set({ service_state: state }).where('id', '=', conversationId).execute();
    const conversation = await repo.getConversation(this.db, conversationId);
    if (conversation) this.bus.emit('conversation.updated', { conversation });
  }

  /**
   * The bot hands the conversation to humans: it leaves 'bot' for the queue with its reason,
   * summary and intent guess, and the conversation shows a system line saying why.
   * Idempotent: a conversation already with humans is left as it is.
   */
  async handoff(conversationId: string, h: Omit<Handoff, 'at'>): Promise<Conversation> {
    const at = this.clock.now().toISOString();
    const handoff: Handoff = { ...h, at };
    const moved = await this.transaction(async (uow) => {
      const r = await uow.tx
        .updateTable('conversations')
        .set((eb) => ({
          status: 'queued',
          handoff_json: JSON.stringify(handoff),
          priority: h.urgent ? PRIORITY.urgent : eb('priority', '+', 0),
        }))
        .where('id', '=', conversationId)
        .where('status', '=', 'bot')
        .executeTakeFirst();
      if (!Number(r.numUpdatedRows)) return false;
      const content: MessageContent = { type: 'event', event: 'handoff', data: { reason: h.reason, text: `转人工：${h.reason_text}` } };
      const row = {
        id: newId('m'), conversation_id: conversationId, direction: 'system', sender_type: 'system', sender_id: null,
        msgtype: 'event', content_json: JSON.stringify(content), status: 'received', fail_code: null, fail_reason: null,
        client_msg_id: null, dedupe_key: null, created_at: at, updated_at: at,
      };
      await repo.insertMessage(uow.tx, row);
      const conversation = (await repo.getConversation(uow.tx, conversationId))!;
      const message = repo.toMessage(row);
      uow.after.push(() => {
        this.bus.emit('message.created', { message, conversation });
        this.bus.emit('conversation.updated', { conversation });
        this.bus.emit('conversation.handoff', { conversation, handoff });
      });
      return true;
    });
    const conversation = await repo.getConversation(this.db, conversationId);
    if (!conversation) throw notFound('conversation');
    if (!moved) this.log.debug({ conversation_id: conversationId }, 'handoff ignored: not with the bot');
    return conversation;
  }

  /** Raises a conversation's priority (never lowers it), e.g. for a VIP customer. */
  async raisePriority(conversationId: string, priority: number): Promise<void> {
    await this.db.updateTable('conversations').set({ priority }).where('id', '=', conversationId).where('priority', '<', priority).execute();
  }

  async markRead(conversationId: string): Promise<Conversation> {
    await this.db.updateTable('conversations').set({ unread_count: 0 }).where('id', '=', conversationId).execute();
    const conversation = await repo.getConversation(this.db, conversationId);
    if (!conversation) throw notFound('conversation');
    this.bus.emit('conversation.updated', { conversation });
    return conversation;
  }

  async close(conversationId: string): Promise<Conversation> {
    const before = await repo.getConversation(this.db, conversationId);
    if (!before) throw notFound('conversation');
    if (before.status === 'closed') return before;
    const now = this.clock.now().toISOString();
    await this.db.updateTable('conversations').set({ status: 'closed', closed_at: now }).where('id', '=', conversationId).execute();
    const conversation = (await repo.getConversation(this.db, conversationId))!;
    this.bus.emit('conversation.updated', { conversation });
    const adapter = this.adapters.get(conversation.channel);
    const identity = await repo.identityOf(this.db, conversation.customer_id, conversation.channel);
    if (adapter?.onClosed && identity) {
      await adapter.onClosed({ conversation, external_id: identity.external_id }).catch((e) => this.log.warn({ err: e, conversation_id: conversationId }, 'channel close hook failed'));
    }
    return (await repo.getConversation(this.db, conversationId))!;
  }

  /**
   * Gives the conversation to an agent: status → 'assigned', assignee, and a system line
   * 「已分配给 张三（原因）」. Emits 'conversation.updated' and 'conversation.assigned'.
   * Without `from` any open conversation is taken; a conversation in no status of `from`
   * is left alone and null is returned (another instance or agent took it first).
   */
  async assign(conversationId: string, agent: string | { id: string; name: string }, opts: AssignOptions = {}): Promise<Conversation | null> {
    const who = typeof agent === 'string' ? await this.agentRef(agent) : agent;
    return this.transaction((uow) => this.assignIn(uow, conversationId, who, opts));
  }

  /** `assign` inside the caller's unit of work (e.g. with the routing capacity check). */
  async assignIn(uow: UnitOfWork, conversationId: string, agent: { id: string; name: string }, opts: AssignOptions = {}): Promise<Conversation | null> {
    const at = this.clock.now().toISOString();
    const r = await uow.tx
      .updateTable('conversations')
      .set({ status: 'assigned', assignee_id: agent.id })
      .where('id', '=', conversationId)
      .where((eb) => {
        if (!opts.from?.length) return eb('status', '<>', 'closed');
        return eb.or(opts.from.map((f) => (f.assignee_id === undefined
          ? eb('status', '=', f.status)
          : eb.and([eb('status', '=', f.status), f.assignee_id === null ? eb('assignee_id', 'is', null) : eb('assignee_id', '=', f.assignee_id)]))));
      })
      .executeTakeFirst();
    if (!Number(r.numUpdatedRows)) return null;
    const text = opts.text ?? `已分配给 ${agent.name}${opts.reason ? `（${opts.reason}）` : ''}`;
    const message = await this.systemLineIn(uow, conversationId, { type: 'event', event: opts.event ?? 'assigned', data: { ...opts.data, agent_id: agent.id, agent_name: agent.name, text } }, at);
    const conversation = (await repo.getConversation(uow.tx, conversationId))!;
    uow.after.push(() => {
      this.bus.emit('message.created', { message, conversation });
      this.bus.emit('conversation.updated', { conversation });
      this.bus.emit('conversation.assigned', { conversation, agent_id: agent.id, reason: opts.reason ?? null });
    });
    return conversation;
  }

  /**
   * Puts an assigned conversation back in the queue (e.g. a transfer to a team), with a system
   * line. Null when it is not assigned to `fromAgentId` (any assignee when omitted).
   */
  async requeueIn(uow: UnitOfWork, conversationId: string, text: string, opts: { fromAgentId?: string; data?: Record<string, unknown> } = {}): Promise<Conversation | null> {
    const at = this.clock.now().toISOString();
    let q = uow.tx.updateTable('conversations').set({ status: 'queued', assignee_id: null }).where('id', '=', conversationId).where('status', 'in', ['assigned', 'queued']);
    if (opts.fromAgentId) q = q.where('assignee_id', '=', opts.fromAgentId);
    const r = await q.executeTakeFirst();
    if (!Number(r.numUpdatedRows)) return null;
    const message = await this.systemLineIn(uow, conversationId, { type: 'event', event: 'transferred', data: { ...opts.data, text } }, at);
    const conversation = (await repo.getConversation(uow.tx, conversationId))!;
    uow.after.push(() => {
      this.bus.emit('message.created', { message, conversation });
      this.bus.emit('conversation.updated', { conversation });
    });
    return conversation;
  }

  /** Stores a system event line (not sent to the customer); the caller emits it after commit. */
  private async systemLineIn(uow: UnitOfWork, conversationId: string, content: MessageContent, at: string): Promise<Message> {
    const row = {
      id: newId('m'), conversation_id: conversationId, direction: 'system', sender_type: 'system', sender_id: null,
      msgtype: 'event', content_json: JSON.stringify(content), status: 'received', fail_code: null, fail_reason: null,
      client_msg_id: null, dedupe_key: null, created_at: at, updated_at: at,
    };
    await repo.insertMessage(uow.tx, row);
    return repo.toMessage(row);
  }

  private async agentRef(userId: string): Promise<{ id: string; name: string }> {
    const u = await this.db.selectFrom('users').select(['id', 'display_name']).where('id', '=', userId).executeTakeFirst();
    if (!u) throw notFound('agent');
    return { id: u.id, name: u.display_name };
  }

  getConversation(id: string) { return repo.getConversation(this.db, id); }
  listConversations(opts: Parameters<typeof repo.listConversations>[1]) { return repo.listConversations(this.db, opts); }
  listMessages(id: string, opts: Parameters<typeof repo.listMessages>[2]) { return repo.listMessages(this.db, id, opts); }
  findOpenConversation(customerId: string, channel: Channel, account: string) { return repo.findOpenConversation(this.db, customerId, channel, account); }

  /** The customer's id on the conversation's channel (external_userid, visitor id). */
  async externalIdOf(conversation: Conversation): Promise<string> {
    const identity = await repo.identityOf(this.db, conversation.customer_id, conversation.channel);
    if (!identity) throw new AppError(500, 'identity_missing', 'customer has no identity on this channel');
    return identity.external_id;
  }

  async conversationOf(channel: Channel, account: string, externalId: string): Promise<Conversation | undefined> {
    const ident = await this.db.selectFrom('customer_identities').select('customer_id').where('channel', '=', channel).where('external_id', '=', externalId).executeTakeFirst();
    return ident ? repo.findOpenConversation(this.db, ident.customer_id, channel, account) : undefined;
  }
}

function defaultName(channel: Channel, externalId: string): string {
  const tail = externalId.slice(-4);
  return channel === 'web' ? `网站访客 ${tail}` : `微信用户 ${tail}`;
}
