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

/**
 * What ingesting has learnt about customers and their open conversations, kept across the
 * transactions of one batch (e.g. the chunks of a kf sync page) so that a customer writing
 * ten times costs one look-up, not ten. A stale entry cannot misfile a message: the
 * conversation update that follows every insert only matches a conversation still open.
 */
export class IngestCache {
  /** `channel \n external_id` → the customer */
  readonly customers = new Map<string, repo.CustomerRef>();
  /** `customer \n channel \n account` → the open conversation's id */
  readonly open = new Map<string, string>();

  clear(): void {
    this.customers.clear();
    this.open.clear();
  }
}

/** A unit of work: repo writes inside one transaction, domain events emitted after commit. */
export class UnitOfWork {
  readonly after: PendingEvent[] = [];
  constructor(readonly tx: Executor, readonly cache: IngestCache = new IngestCache()) {}
}

export type OutboundInput = {
  conversation_id: string;
  sender: { type: Extract<SenderType, 'agent' | 'bot' | 'system'>; id: string | null };
  content: MessageContent;
  client_msg_id?: string;
  /**
   * leave at least this many of the channel's reply allowance unused (queue notices keep the
   * customer's last WeCom messages for the agent); the channel enforces it atomically
   */
  keep_reply_slots?: number;
};

/**
 * Routing's rule for an agent replying in a conversation that is not theirs (queued, with the
 * bot, or another agent's): runs in the send's transaction and takes the conversation for the
 * agent within capacity, lets it through (a supervisor), or throws an AppError (someone else
 * has it, the agent is full) so nothing is stored or sent.
 */
export type AgentClaim = (uow: UnitOfWork, conversation: Conversation, agentId: string) => Promise<void>;

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
  private agentClaim: AgentClaim | undefined;

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

  setAgentClaim(claim: AgentClaim): void {
    this.agentClaim = claim;
  }

  /**
   * Runs `fn` in one transaction and emits its domain events only once it committed. `cache`
   * carries ingest look-ups from one transaction to the next; a rollback empties it, as it may
   * hold customers or conversations that were never committed.
   */
  async transaction<T>(fn: (uow: UnitOfWork) => Promise<T>, cache?: IngestCache): Promise<T> {
    const uow = await this.db.transaction().execute(async (tx) => {
      const u = new UnitOfWork(tx, cache);
      const value = await fn(u);
      return { u, value };
    }).catch((e: unknown) => {
      cache?.clear();
      throw e;
    });
    for (const emit of uow.u.after) emit();
    return uow.value;
  }

  async ingest(input: InboundInput): Promise<InboundResult> {
    return this.transaction((uow) => this.ingestIn(uow, input));
  }

  /**
   * Stores one inbound message inside the caller's unit of work. Two statements when the
   * customer and the open conversation are in the unit's cache: the insert (its unique dedupe
   * key recognises a second delivery) and the conversation update, which returns the row.
   */
  async ingestIn(uow: UnitOfWork, input: InboundInput): Promise<InboundResult> {
    const tx = uow.tx;
    const now = this.clock.now().toISOString();
    const customer = await this.resolveCustomer(uow, input, now);
    const key = openKey(customer.id, input.channel, input.channel_account);
    let open = await this.openConversation(uow, key, customer.id, input, now);
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
      // delivered before; a conversation opened just now for it (the first one was closed
      // since) holds nothing and goes again
      if (open.created) {
        await tx.deleteFrom('conversations').where('id', '=', open.id).execute();
        uow.cache.open.delete(key);
      }
      const existing = (await repo.getMessageByDedupeKey(tx, input.dedupe_key))!;
      const conversation = (await repo.getConversation(tx, existing.conversation_id))!;
      return { created: false, message: existing, conversation, newConversation: false };
    }
    const visible = input.content.type !== 'event';
    const touch = (id: string) => tx
      .updateTable('conversations')
      .set((eb) => ({
        last_message_at: now,
        ...(visible ? { last_message_preview: previewOf(input.content) } : {}),
        ...(isCustomer && visible ? { unread_count: eb('unread_count', '+', 1) } : {}),
      }))
      .where('id', '=', id)
      .where('status', '<>', 'closed')
      .returning(repo.conversationOwnColumns)
      .executeTakeFirst();
    let row = await touch(open.id);
    if (!row) {
      // the cached conversation was closed meanwhile (by an agent, on another instance): the
      // message belongs to the customer's next conversation
      uow.cache.open.delete(key);
      open = await this.openConversation(uow, key, customer.id, input, now);
      await tx.updateTable('messages').set({ conversation_id: open.id }).where('id', '=', message.id).execute();
      message.conversation_id = open.id;
      row = (await touch(open.id))!;
    }
    const conversation = repo.conversationOf(row, customer);
    const stored = repo.toMessage(message);
    if (open.created) uow.after.push(() => this.bus.emit('conversation.updated', { conversation }));
    uow.after.push(() => this.bus.emit('message.created', { message: stored, conversation }));
    return { created: true, message: stored, conversation, newConversation: open.created };
  }

  private async resolveCustomer(uow: UnitOfWork, input: InboundInput, now: string): Promise<repo.CustomerRef> {
    const key = `${input.channel}\n${input.external_id}`;
    const cached = uow.cache.customers.get(key);
    if (cached) return cached;
    const tx = uow.tx;
    const byIdentity = () => tx
      .selectFrom('customer_identities')
      .innerJoin('customers', 'customers.id', 'customer_identities.customer_id')
      .select(['customers.id', 'customers.display_name', 'customers.avatar_url', 'customers.tier'])
      .where('customer_identities.channel', '=', input.channel)
      .where('customer_identities.external_id', '=', input.external_id)
      .executeTakeFirst();
    let customer = await byIdentity();
    if (!customer) {
      const created = {
        id: newId('c'),
        display_name: input.customer?.display_name ?? defaultName(input.channel, input.external_id),
        avatar_url: input.customer?.avatar_url ?? null,
        tier: '普通',
      };
      await tx.insertInto('customers').values({ ...created, created_at: now, updated_at: now }).execute();
      const inserted = await tx
        .insertInto('customer_identities')
        .values({ id: newId('i'), customer_id: created.id, channel: input.channel, external_id: input.external_id, profile_json: null, created_at: now })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) customer = created;
      else {
        // another writer created the identity first: use theirs, drop ours
        await tx.deleteFrom('customers').where('id', '=', created.id).execute();
        customer = (await byIdentity())!;
      }
    }
    uow.cache.customers.set(key, customer);
    return customer;
  }

  /** The customer's open conversation on the input's channel and account, opened if there is none. */
  private async openConversation(uow: UnitOfWork, key: string, customerId: string, input: InboundInput, now: string): Promise<{ id: string; created: boolean }> {
    const cached = uow.cache.open.get(key);
    if (cached) return { id: cached, created: false };
    const { tx } = uow;
    const { channel, channel_account: account } = input;
    const find = () => tx
      .selectFrom('conversations')
      .select('id')
      .where('customer_id', '=', customerId)
      .where('channel', '=', channel)
      .where('channel_account', '=', account)
      .where('status', '<>', 'closed')
      .executeTakeFirst();
    const found = await find();
    let open: { id: string; created: boolean };
    if (found) open = { id: found.id, created: false };
    else {
      const id = newId('v');
      const inserted = await tx
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
        .executeTakeFirst();
      // nothing inserted: another writer opened one first (the partial unique index)
      open = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0 ? { id, created: true } : { id: (await find())!.id, created: false };
    }
    uow.cache.open.set(key, open.id);
    return open;
  }

  /**
   * Updates a customer's name/avatar (e.g. from kf/customer/batchget); `raw` is the channel's
   * own profile (WeChat nickname, gender, unionid…), kept on the identity for the 360 panel.
   */
  async updateCustomerProfile(channel: Channel, externalId: string, profile: { display_name?: string; avatar_url?: string | null }, raw?: Record<string, unknown>) {
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
    if (raw) {
      await this.db.updateTable('customer_identities').set({ profile_json: JSON.stringify(raw) })
        .where('channel', '=', channel).where('external_id', '=', externalId).execute();
    }
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
    const mine = conversation.status === 'assigned' && conversation.assignee_id === input.sender.id;
    const claimFor = input.sender.type === 'agent' && input.sender.id && !mine ? input.sender.id : null;
    const { inserted, updated } = await this.transaction(async (uow) => {
      const tx = uow.tx;
      const ok = await repo.insertMessage(tx, row);
      if (!ok) return { inserted: false, updated: conversation };
      if (claimFor && this.agentClaim) await this.agentClaim(uow, conversation, claimFor);
      await tx
        .updateTable('conversations')
        .set({
          last_message_at: now,
          last_message_preview: previewOf(input.content),
          unread_count: 0,
          ...(claimFor && !this.agentClaim && conversation.status !== 'assigned' ? { status: 'assigned', assignee_id: claimFor } : {}),
        })
        .where('id', '=', conversation.id)
        .execute();
      return { inserted: true, updated: (await repo.getConversation(tx, conversation.id))! };
    });
    if (!inserted) {
      const first = (await repo.getMessageByDedupeKey(this.db, dedupeKey!))!;
      // a retry names the same conversation; an id reused elsewhere is a client bug, not a retry
      if (first.conversation_id !== conversation.id) throw new AppError(409, 'client_msg_id_reused', 'client_msg_id 已用于另一个会话');
      return { message: first, conversation, duplicate: true };
    }
    const pending = repo.toMessage(row);
    this.bus.emit('message.created', { message: pending, conversation: updated });
    if (updated.status !== conversation.status) this.bus.emit('conversation.updated', { conversation: updated });

    let result;
    try {
      result = await adapter.send({ conversation: updated, external_id, message: pending, keep_reply_slots: input.keep_reply_slots });
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
    const row = await this.db
      .updateTable('messages')
      .set({ status: d.status, fail_code: d.fail_code ?? null, fail_reason: d.fail_reason ?? null, updated_at: this.clock.now().toISOString() })
      .where('id', '=', messageId)
      .returningAll()
      .executeTakeFirst();
    const message = row && repo.toMessage(row);
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
    return (await this.closeFrom(conversationId, ['bot', 'queued', 'assigned'])) ?? (await repo.getConversation(this.db, conversationId))!;
  }

  /** Closes the conversation only while it is in one of `from` (e.g. still queued); null when it was not. */
  async closeFrom(conversationId: string, from: ConversationStatus[]): Promise<Conversation | null> {
    const now = this.clock.now().toISOString();
    const r = await this.db.updateTable('conversations').set({ status: 'closed', closed_at: now }).where('id', '=', conversationId).where('status', 'in', from).executeTakeFirst();
    if (!Number(r.numUpdatedRows)) return null;
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

  /**
   * The conversation is served outside kefu (a WeCom-native servicer in the WeCom client): it
   * stays open, assigned to no kefu agent, with a system line. Null when it is closed.
   */
  async releaseIn(uow: UnitOfWork, conversationId: string, text: string, data: Record<string, unknown> = {}): Promise<Conversation | null> {
    const at = this.clock.now().toISOString();
    const r = await uow.tx.updateTable('conversations').set({ status: 'assigned', assignee_id: null }).where('id', '=', conversationId).where('status', '<>', 'closed').executeTakeFirst();
    if (!Number(r.numUpdatedRows)) return null;
    const message = await this.systemLineIn(uow, conversationId, { type: 'event', event: 'transferred', data: { ...data, text } }, at);
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
  countConversations(f: repo.ConversationFilter) { return repo.countConversations(this.db, f); }
  listMessages(id: string, opts: Parameters<typeof repo.listMessages>[2]) { return repo.listMessages(this.db, id, opts); }
  findOpenConversation(customerId: string, channel: Channel, account: string) { return repo.findOpenConversation(this.db, customerId, channel, account); }

  /** How many more messages the channel lets kefu send this customer now; null = no limit. */
  async replyBudget(conversationId: string): Promise<number | null> {
    const conversation = await repo.getConversation(this.db, conversationId);
    const adapter = conversation && this.adapters.get(conversation.channel);
    if (!conversation || !adapter?.replyBudget) return null;
    return adapter.replyBudget({ conversation, external_id: await this.externalIdOf(conversation) });
  }

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

const openKey = (customerId: string, channel: Channel, account: string) => `${customerId}\n${channel}\n${account}`;

function defaultName(channel: Channel, externalId: string): string {
  const tail = externalId.slice(-4);
  return channel === 'web' ? `网站访客 ${tail}` : `微信用户 ${tail}`;
}
