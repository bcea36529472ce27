import type { Kysely, Transaction } from 'kysely';
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

const conversationColumns = [
  'conversations.id', 'conversations.customer_id', 'conversations.channel', 'conversations.channel_account',
  'conversations.status', 'conversations.assignee_id', 'conversations.service_state', 'conversations.last_message_at',
  'conversations.last_message_preview', 'conversations.unread_count', 'conversations.created_at', 'conversations.closed_at',
  'conversations.priority', 'conversations.handoff_json',
  'customers.display_name', 'customers.avatar_url', 'customers.tier',
] as const;

function selectConversations(db: Executor) {
  return db
    .selectFrom('conversations')
    .innerJoin('customers', 'customers.id', 'conversations.customer_id')
    .select(conversationColumns);
}

type ConversationRow = Awaited<ReturnType<ReturnType<typeof selectConversations>['executeTakeFirstOrThrow']>>;

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

export async function listConversations(
  db: Executor,
  opts: { scope: 'open' | 'closed' | 'all'; limit: number; before?: string },
): Promise<Conversation[]> {
  let q = selectConversations(db);
  if (opts.scope === 'open') q = q.where('conversations.status', '<>', 'closed');
  if (opts.scope === 'closed') q = q.where('conversations.status', '=', 'closed');
  if (opts.before) q = q.where('conversations.last_message_at', '<', opts.before);
  const rows = await q.orderBy('conversations.last_message_at', 'desc').limit(opts.limit).execute();
  return rows.map(toConversation);
}

export async function listMessages(db: Executor, conversationId: string, opts: { limit: number; before?: string }): Promise<Message[]> {
  let q = db.selectFrom('messages').selectAll().where('conversation_id', '=', conversationId);
  if (opts.before) q = q.where('created_at', '<', opts.before);
  const rows = await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.reverse().map(toMessage);
}

export async function getMessage(db: Executor, id: string): Promise<Message | undefined> {
  const r = await db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toMessage(r);
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
