import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Conversation, Handoff, Message, MessageContent } from '../core/message.js';

/** A connection or an open transaction: repo functions work inside either. */
export type Executor = Kysely<Database> | Transaction<Database>;

type MessageRow = Database['messages'];

export function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversation_id: r.conversation_id,
    direction: r.direction as Message['direction'],
    sender_type: r.sender_type as Message['sender_type'],
    sender_id: r.sender_id,
    content: JSON.parse(r.content_json) as MessageContent,
    status: r.status as Message['status'],
    fail_code: r.fail_code,
    fail_reason: r.fail_reason,
    client_msg_id: r.client_msg_id,
    created_at: r.created_at,
  };
}

/** the conversation's own columns (also what an UPDATE … RETURNING gives back) */
export const conversationOwnColumns = [
  'id', 'customer_id', 'channel', 'channel_account', 'status', 'assignee_id', 'service_state', 'last_message_at',
  'last_message_preview', 'unread_count', 'created_at', 'closed_at', 'priority', 'handoff_json',
] as const;

const conversationColumns = [
  ...conversationOwnColumns.map((c) => `conversations.${c}` as const),
  'customers.display_name', 'customers.avatar_url', 'customers.tier',
] as const;

/** The customer fields a Conversation carries, with the customer's id. */
export type CustomerRef = { id: string; display_name: string; avatar_url: string | null; tier: string };

function selectConversations(db: Executor) {
  return db
    .selectFrom('conversations')
    .innerJoin('customers', 'customers.id', 'conversations.customer_id')
    .select(conversationColumns);
}

type ConversationRow = Awaited<ReturnType<ReturnType<typeof selectConversations>['executeTakeFirstOrThrow']>>;

/** A conversation row without the join (e.g. from RETURNING) plus its customer, as a Conversation. */
export function conversationOf(r: Omit<ConversationRow, 'display_name' | 'avatar_url' | 'tier'>, customer: CustomerRef): Conversation {
  return toConversation({ ...r, display_name: customer.display_name, avatar_url: customer.avatar_url, tier: customer.tier });
}

function toConversation(r: ConversationRow): Conversation {
  return {
    id: r.id,
    customer_id: r.customer_id,
    channel: r.channel as Conversation['channel'],
    channel_account: r.channel_account,
    status: r.status as Conversation['status'],
    assignee_id: r.assignee_id,
    service_state: r.service_state,
    last_message_at: r.last_message_at,
    last_message_preview: r.last_message_preview,
    unread_count: Number(r.unread_count),
    created_at: r.created_at,
    closed_at: r.closed_at,
    priority: Number(r.priority),
    handoff: r.handoff_json ? (JSON.parse(r.handoff_json) as Handoff) : null,
    customer: { id: r.customer_id, display_name: r.display_name, avatar_url: r.avatar_url, tier: r.tier },
  };
}

export async function getConversation(db: Executor, id: string): Promise<Conversation | undefined> {
  const r = await selectConversations(db).where('conversations.id', '=', id).executeTakeFirst();
  return r && toConversation(r);
}

export async function findOpenConversation(db: Executor, customerId: string, channel: string, account: string) {
  const r = await selectConversations(db)
    .where('conversations.customer_id', '=', customerId)
    .where('conversations.channel', '=', channel)
    .where('conversations.channel_account', '=', account)
    .where('conversations.status', '<>', 'closed')
    .executeTakeFirst();
  return r && toConversation(r);
}

/** Which conversations a list shows; every field narrows (the workspace's tabs, filters and search). */
export type ConversationFilter = {
  scope: 'open' | 'closed' | 'all';
  /** only these statuses (e.g. ['queued'] for the queue tab) */
  statuses?: string[];
  /** assigned to one of these agents; with `orQueued` queued conversations are included too */
  assignees?: string[];
  orQueued?: boolean;
  channel?: string;
  tier?: string;
  /** customer name or the text of any message (case-insensitive substring) */
  q?: string;
};

function filtered(db: Executor, f: ConversationFilter) {
  let q = selectConversations(db);
  if (f.scope === 'open') q = q.where('conversations.status', '<>', 'closed');
  if (f.scope === 'closed') q = q.where('conversations.status', '=', 'closed');
  if (f.statuses) q = q.where('conversations.status', 'in', f.statuses.length ? f.statuses : ['-']);
  if (f.assignees) {
    const ids = f.assignees.length ? f.assignees : ['-'];
    q = q.where((eb) => {
      const mine = eb.and([eb('conversations.status', '=', 'assigned'), eb('conversations.assignee_id', 'in', ids)]);
      return f.orQueued ? eb.or([mine, eb('conversations.status', '=', 'queued')]) : mine;
    });
  }
  if (f.channel) q = q.where('conversations.channel', '=', f.channel);
  if (f.tier) q = q.where('customers.tier', '=', f.tier);
  if (f.q) {
    // LIKE with an explicit escape character so % and _ typed by the agent match literally
    const needle = f.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
    const pattern = `%${needle}%`;
    // text messages are stored as {"type":"text","text":"…"}: match after the text key only, so
    // a search for "type" or "e" does not hit every message's JSON
    const inText = `%"text":"%${needle}%`;
    q = q.where((eb) => eb.or([
      sql<boolean>`lower(${eb.ref('customers.display_name')}) like ${pattern} escape '\\'`,
      eb.exists(eb.selectFrom('messages').select('messages.id')
        .whereRef('messages.conversation_id', '=', 'conversations.id')
        .where('messages.msgtype', '=', 'text')
        .where(sql<boolean>`lower(messages.content_json) like ${inText} escape '\\'`)),
    ]));
  }
  return q;
}

export async function listConversations(db: Executor, opts: ConversationFilter & { limit: number; before?: string }): Promise<Conversation[]> {
  let q = filtered(db, opts);
  if (opts.before) q = q.where('conversations.last_message_at', '<', opts.before);
  const rows = await q.orderBy('conversations.last_message_at', 'desc').limit(opts.limit).execute();
  return rows.map(toConversation);
}

/** How many conversations a filter matches and how many unread customer messages they hold. */
export async function countConversations(db: Executor, f: ConversationFilter): Promise<{ total: number; unread: number }> {
  const r = await filtered(db, f)
    .clearSelect()
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.sum<number>('conversations.unread_count').as('unread')])
    .executeTakeFirst();
  return { total: Number(r?.total ?? 0), unread: Number(r?.unread ?? 0) };
}

export async function listMessages(db: Executor, conversationId: string, opts: { limit: number; before?: string }): Promise<Message[]> {
  let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  if (opts.before) q = q.where('created_at', '<', opts.before);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.reverse().map(toMessage);
}

export async function getMessageByDedupeKey(db: Executor, key: string): Promise<Message | undefined> {
  const r = await db.selectFrom('messages').selectAll().where('dedupe_key', '=', key).executeTakeFirst();
  return r && toMessage(r);
}

/** Inserts unless the dedupe key exists; returns whether a row was written. */
export async function insertMessage(db: Executor, row: MessageRow): Promise<boolean> {
  const r = await db.insertInto('messages').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function identityOf(db: Executor, customerId: string, channel: string) {
  return db
    .selectFrom('customer_identities')
    .select(['external_id', 'profile_json'])
    .where('customer_id', '=', customerId)
    .where('channel', '=', channel)
    .executeTakeFirst();
}
