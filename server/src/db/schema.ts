import type { Generated } from 'kysely';
import type { NotifyTables } from '../notify/repo.js';
import type { SchedulerTables } from '../scheduler/schema.js';
import type { TicketTables } from '../tickets/schema.js';

/**
 * Table types. Portable across SQLite and PostgreSQL: timestamps are ISO-8601 UTC strings
 * (`Date#toISOString()`, which sort correctly as text), JSON is stored as text, booleans as 0/1.
 */
export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  role: 'admin' | 'supervisor' | 'agent' | 'trainer';
  created_at: string;
}

export interface CustomersTable {
  id: string;
  display_name: string;
  avatar_url: string | null;
  tier: string;
  created_at: string;
  updated_at: string;
}

export interface CustomerIdentitiesTable {
  id: string;
  customer_id: string;
  channel: string;
  external_id: string;
  profile_json: string | null;
  created_at: string;
}

export interface ConversationsTable {
  id: string;
  customer_id: string;
  channel: string;
  channel_account: string;
  status: string;
  assignee_id: string | null;
  service_state: number | null;
  last_message_at: string;
  last_message_preview: string | null;
  unread_count: Generated<number>;
  created_at: string;
  closed_at: string | null;
  /** 0 normal, 1 VIP, 2 urgent (angry customer, complaint) */
  priority: Generated<number>;
  /** JSON Handoff: why the bot handed over, its summary and intent guess */
  handoff_json: string | null;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  direction: string;
  sender_type: string;
  sender_id: string | null;
  msgtype: string;
  content_json: string;
  status: string;
  fail_code: string | null;
  fail_reason: string | null;
  client_msg_id: string | null;
  /** unique: `wecom_kf:<msgid>` for pulled messages, `client:<user>:<client_msg_id>` for sends */
  dedupe_key: string | null;
  created_at: string;
  updated_at: string;
}

export interface KfAccountsTable {
  open_kfid: string;
  name: string;
  avatar_url: string | null;
  cursor: string | null;
  /** the latest callback token not yet fully pulled; survives restarts */
  pending_token: string | null;
  pending_since: string | null;
  updated_at: string;
}

/** WeCom's reply window per customer: 5 messages within 48 h after the customer's last message. */
export interface KfWindowsTable {
  open_kfid: string;
  external_userid: string;
  last_customer_msg_at: string;
  sent_count: number;
}

export interface MediaTable {
  id: string;
  sha256: string;
  mime: string;
  size: number;
  filename: string | null;
  source: string;
  source_id: string | null;
  created_at: string;
}

/** Cross-instance leases (one kf puller per account at a time). */
export interface LeasesTable {
  name: string;
  owner: string;
  expires_at: string;
}

export interface BotSettingsTable {
  id: string;
  settings_json: string;
  updated_at: string;
}

export interface BotStateTable {
  conversation_id: string;
  state_json: string;
  soothing_count: Generated<number>;
  /** when the next soothing message is due while the customer waits for a human */
  next_soothing_at: string | null;
  updated_at: string;
}

export interface QuickRepliesTable {
  id: string;
  /** 'shared' (every agent), 'team' (the members of one routing team) or 'user' (one agent's own) */
  scope: 'shared' | 'team' | 'user';
  /** 'all' for shared, the team id for 'team', the user id for 'user' */
  owner: string;
  /** F1 … F12 */
  hotkey: string;
  title: string;
  text: string;
  updated_at: string;
}

export interface Database extends NotifyTables, SchedulerTables, TicketTables {
  users: UsersTable;
  customers: CustomersTable;
  customer_identities: CustomerIdentitiesTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  kf_accounts: KfAccountsTable;
  kf_windows: KfWindowsTable;
  media: MediaTable;
  leases: LeasesTable;
  bot_settings: BotSettingsTable;
  bot_state: BotStateTable;
  quick_replies: QuickRepliesTable;
}
