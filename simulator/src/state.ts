/** In-memory state of the simulated WeCom corp. */
import type { MediaType } from './samples.js';

export type ServiceState = 0 | 1 | 2 | 3 | 4;

export interface KfAccount {
  open_kfid: string;
  name: string;
}

export interface Customer {
  external_userid: string;
  nickname: string;
  gender: 0 | 1 | 2;
  unionid: string;
  created_at: number;
}

export interface Session {
  open_kfid: string;
  external_userid: string;
  service_state: ServiceState;
  servicer_userid: string;
  /** Sim-clock seconds of the customer's last message to this account (null: never). */
  last_customer_msg_time: number | null;
  /** Messages sent with send_msg since the customer's last message. */
  sent_count: number;
  last_welcome_time: number | null;
  /** Whether the "entered 2" / "entered 3" msg_code was already issued in this session. */
  code_issued_2: boolean;
  code_issued_3: boolean;
}

/** A message or event as returned by sync_msg. */
export interface SyncItem {
  seq: number;
  msgid: string;
  open_kfid: string;
  external_userid?: string;
  send_time: number;
  origin: 3 | 4 | 5;
  servicer_userid?: string;
  msgtype: string;
  body: Record<string, unknown>;
}

export interface InboxMessage {
  msgid: string;
  open_kfid: string;
  external_userid: string;
  msgtype: string;
  send_time: number;
  via: 'send_msg' | 'send_msg_on_event' | 'servicer';
  servicer_userid?: string;
  /** Position in the simulator's global order (shared with the sync log). */
  seq?: number;
  [key: string]: unknown;
}

export interface Media {
  media_id: string;
  type: MediaType;
  data: Buffer;
  filename: string;
  mime: string;
  created_at: number;
}

export interface AccessToken {
  access_token: string;
  expires_at: number;
  revoked: boolean;
  /** which secret it was issued for: the kf secret or the alert app's (default kf) */
  app?: 'kf' | 'agent';
}

/** An internal app message (message/send) as WeCom delivered it to employees. */
export interface AppMessage {
  msgid: string;
  agentid: number;
  touser: string;
  toparty: string;
  totag: string;
  msgtype: string;
  /** the message body by msgtype, e.g. { content } for text */
  content: Record<string, unknown>;
  send_time: number;
  duplicate_check: boolean;
}

export interface SyncToken {
  token: string;
  open_kfid: string;
  expires_at: number;
}

export type EventCodeKind = 'welcome' | 'pool' | 'connected' | 'end';

export interface EventCode {
  code: string;
  kind: EventCodeKind;
  open_kfid: string;
  external_userid: string;
  expires_at: number;
  used: boolean;
  /** The session state the code is bound to (null for welcome codes). */
  bound_state: ServiceState | null;
  msgtypes: ReadonlyArray<'text' | 'msgmenu'>;
}

export interface DeliveryAttempt {
  at: string;
  sim_time: number;
  status: number | null;
  error?: string;
  duration_ms: number;
}

export interface CallbackDelivery {
  id: number;
  url: string;
  open_kfid: string;
  token: string;
  create_time: number;
  /** Set when this delivery re-sends an earlier one byte for byte (`duplicate: n`). */
  duplicate_of?: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
}

export class SimState {
  accounts: KfAccount[] = [];
  servicers = new Set<string>();
  customers = new Map<string, Customer>();
  sessions = new Map<string, Session>();
  /** The corp-wide sync_msg log, in order. */
  log: SyncItem[] = [];
  inbox = new Map<string, InboxMessage[]>();
  media = new Map<string, Media>();
  accessTokens = new Map<string, AccessToken>();
  syncTokens = new Map<string, SyncToken>();
  eventCodes = new Map<string, EventCode>();
  /** msgids used by send_msg / send_msg_on_event, per open_kfid. */
  usedMsgids = new Map<string, Set<string>>();
  callbacks: CallbackDelivery[] = [];
  /** message/send deliveries, in order */
  appMessages: AppMessage[] = [];
  sync = { emptyPages: 0, duplicateNextPage: false };
  private seq = 0;

  constructor(accounts: KfAccount[], servicers: string[]) {
    this.accounts = accounts;
    for (const s of servicers) this.servicers.add(s);
  }

  reset(): void {
    this.customers.clear();
    this.sessions.clear();
    this.log = [];
    this.inbox.clear();
    this.media.clear();
    this.accessTokens.clear();
    this.syncTokens.clear();
    this.eventCodes.clear();
    this.usedMsgids.clear();
    this.callbacks = [];
    this.appMessages = [];
    this.sync = { emptyPages: 0, duplicateNextPage: false };
    this.seq = 0;
  }

  account(open_kfid: string): KfAccount | undefined {
    return this.accounts.find((a) => a.open_kfid === open_kfid);
  }

  session(open_kfid: string, external_userid: string): Session {
    const key = `${open_kfid}|${external_userid}`;
    let s = this.sessions.get(key);
    if (!s) {
      s = {
        open_kfid,
        external_userid,
        service_state: 0,
        servicer_userid: '',
        last_customer_msg_time: null,
        sent_count: 0,
        last_welcome_time: null,
        code_issued_2: false,
        code_issued_3: false,
      };
      this.sessions.set(key, s);
    }
    return s;
  }

  peekSession(open_kfid: string, external_userid: string): Session | undefined {
    return this.sessions.get(`${open_kfid}|${external_userid}`);
  }

  append(item: Omit<SyncItem, 'seq'>): SyncItem {
    const full = { ...item, seq: ++this.seq };
    this.log.push(full);
    return full;
  }

  pushInbox(msg: InboxMessage): void {
    msg.seq = ++this.seq;
    const list = this.inbox.get(msg.external_userid) ?? [];
    list.push(msg);
    this.inbox.set(msg.external_userid, list);
  }

  msgidSet(open_kfid: string): Set<string> {
    let s = this.usedMsgids.get(open_kfid);
    if (!s) this.usedMsgids.set(open_kfid, (s = new Set()));
    return s;
  }
}

/** The wire shape of a sync_msg item (fact sheet C3): events carry no top-level open_kfid/external_userid. */
export function toWire(item: SyncItem): Record<string, unknown> {
  const out: Record<string, unknown> = { msgid: item.msgid };
  if (item.msgtype !== 'event') {
    out.open_kfid = item.open_kfid;
    out.external_userid = item.external_userid;
  }
  out.send_time = item.send_time;
  out.origin = item.origin;
  if (item.servicer_userid) out.servicer_userid = item.servicer_userid;
  out.msgtype = item.msgtype;
  out[item.msgtype] = item.body;
  return out;
}
