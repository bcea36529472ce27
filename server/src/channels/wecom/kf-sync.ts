import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { MessageContent } from '../../core/message.js';
import { IngestCache, type HubService, type UnitOfWork } from '../../hub/index.js';
import type { Leases } from '../../db/lease.js';
import type { MediaStore } from '../../media/store.js';
import { mapKfItem, failTypeReason, KF_ORIGIN, type KfMapped, type KfMappedMessage } from './kf-mapping.js';
import type { KfWindows } from './kf-window.js';
import type { WecomApiClient } from './api-client.js';
import type { KfSessions } from './kf-sessions.js';

const PAGE_LIMIT = 1000;
// short, and renewed before every page: a killed puller blocks its account for at most this long
const LEASE_MS = 15_000;
const CHUNK = 100;

/** What must happen once a page's transaction committed (sends, profile look-ups). */
type AfterCommit = () => Promise<void>;

/**
 * One chunk's work in its transaction: the after-commit steps of the page, and the customers
 * whose reply window restarts, written once per chunk (the latest message per customer).
 */
type ChunkWork = { uow: UnitOfWork; after: AfterCommit[]; wrote: Map<string, { open_kfid: string; external_userid: string; at: string }> };

/**
 * Pulls 微信客服 messages with kf/sync_msg after a kf_msg_or_event callback.
 * - The callback's token is stored on the account first, so a restart resumes the pull.
 * - One puller per account: in this process (single flight) and across instances (a lease).
 * - Pages are followed by `has_more`, never stopped on an empty page; each page's messages
 *   and its next_cursor commit in one transaction, so a crash replays at most that page,
 *   and the unique dedupe key stores every message exactly once.
 */
export class KfSync {
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly deps: {
      db: Kysely<Database>;
      api: WecomApiClient;
      hub: HubService;
      windows: KfWindows;
      sessions: KfSessions;
      media: MediaStore;
      leases: Leases;
      clock: Clock;
      log: Logger;
      /** read when the welcome is sent; must not query (it may run inside a transaction) */
      welcomeText: () => string;
    },
  ) {}

  /** A callback arrived: remember its token durably, then pull in the background. */
  async notify(open_kfid: string, token: string): Promise<void> {
    const now = this.deps.clock.now().toISOString();
    await this.deps.db
      .insertInto('kf_accounts')
      .values({ open_kfid, name: open_kfid, avatar_url: null, cursor: null, pending_token: token, pending_since: now, updated_at: now })
      .onConflict((oc) => oc.column('open_kfid').doUpdateSet({ pending_token: token, pending_since: now, updated_at: now }))
      .execute();
    this.trigger(open_kfid);
  }

  /** Resumes every pull that was pending when the process stopped. */
  async resume(): Promise<void> {
    const rows = await this.deps.db.selectFrom('kf_accounts').select('open_kfid').where('pending_token', 'is not', null).execute();
    for (const r of rows) this.trigger(r.open_kfid);
  }

  /** Mirrors the account list (names) from WeCom; missing accounts are kept. */
  async refreshAccounts(): Promise<void> {
    const accounts = await this.deps.api.listKfAccounts();
    const now = this.deps.clock.now().toISOString();
    for (const a of accounts) {
      await this.deps.db
        .insertInto('kf_accounts')
        .values({ open_kfid: a.open_kfid, name: a.name, avatar_url: a.avatar ?? null, cursor: null, pending_token: null, pending_since: null, updated_at: now })
        .onConflict((oc) => oc.column('open_kfid').doUpdateSet({ name: a.name, avatar_url: a.avatar ?? null, updated_at: now }))
        .execute();
    }
  }

  trigger(open_kfid: string): void {
    if (this.stopped) return;
    if (this.running.has(open_kfid)) {
      this.again.add(open_kfid);
      return;
    }
    const run = this.pull(open_kfid)
      .catch((err) => {
        this.deps.log.warn({ err, open_kfid }, 'kf sync failed; will retry');
        this.later(open_kfid, 2000);
      })
      .finally(() => {
        this.running.delete(open_kfid);
        if (this.again.delete(open_kfid)) this.trigger(open_kfid);
      });
    this.running.set(open_kfid, run);
  }

  /** Waits for running pulls (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    await this.idle();
  }

  private later(open_kfid: string, ms: number) {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.trigger(open_kfid);
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private async pull(open_kfid: string): Promise<void> {
    const { db, api, leases, log } = this.deps;
    const lease = `kf-sync:${open_kfid}`;
    if (!(await leases.acquire(lease, LEASE_MS))) {
      // another instance is pulling; it will see our token, but check again in case it just finished
      this.later(open_kfid, 1000);
      return;
    }
    try {
      for (let pages = 0; ; pages++) {
        if (this.stopped) return;
        const acct = await db.selectFrom('kf_accounts').selectAll().where('open_kfid', '=', open_kfid).executeTakeFirstOrThrow();
        if (!acct.pending_token) return;
        // taken just now for the first page
        if (pages > 0) await leases.acquire(lease, LEASE_MS);
        const page = await api.syncMsg({ cursor: acct.cursor ?? undefined, token: acct.pending_token, limit: PAGE_LIMIT, open_kfid });
        const items = await this.prepare(page.msg_list);
        const after: AfterCommit[] = [];
        // customers and their open conversations, looked up once per page rather than per message
        const cache = new IngestCache();
        // Chunks keep each transaction short (SQLite has one writer: a callback's token write
        // must not wait behind a 1000-message page). The cursor moves with the last chunk, so
        // a crash replays at most this page, and the dedupe key keeps the replay harmless.
        let cleared = false;
        for (let i = 0; i === 0 || i < items.length; i += CHUNK) {
          const chunk = items.slice(i, i + CHUNK);
          const last = i + CHUNK >= items.length;
          await this.deps.hub.transaction(async (uow) => {
            const work: ChunkWork = { uow, after, wrote: new Map() };
            for (const item of chunk) await this.apply(work, item);
            await this.windowsRestart(work);
            if (!last) return;
            await uow.tx.updateTable('kf_accounts').set({ cursor: page.next_cursor, updated_at: this.deps.clock.now().toISOString() }).where('open_kfid', '=', open_kfid).execute();
            if (page.has_more) return;
            // the last page: done unless a newer callback arrived meanwhile (then its token or
            // time differs; it also asked for another pull). In this commit, not one of its own.
            const r = await uow.tx
              .updateTable('kf_accounts')
              .set({ pending_token: null, pending_since: null })
              .where('open_kfid', '=', open_kfid)
              .where('pending_token', '=', acct.pending_token)
              .where('pending_since', '=', acct.pending_since)
              .executeTakeFirst();
            cleared = Number(r.numUpdatedRows) > 0;
          }, cache);
        }
        for (const fn of after) await fn().catch((err) => log.warn({ err, open_kfid }, 'kf post-commit step failed'));
        if (cleared) return;
      }
    } finally {
      await leases.release(lease).catch(() => {});
    }
  }

  /** Maps a page, skips what is already stored, and fetches media before the transaction. */
  private async prepare(list: unknown[]): Promise<KfMapped[]> {
    const mapped: KfMapped[] = [];
    for (const raw of list) {
      try {
        mapped.push(mapKfItem(raw));
      } catch (err) {
        this.deps.log.warn({ err }, 'kf item skipped: unidentifiable');
      }
    }
    if (!mapped.length) return mapped;
    const keys = mapped.map((m) => dedupeKey(m.msgid));
    const seen = new Set(
      (await this.deps.db.selectFrom('messages').select('dedupe_key').where('dedupe_key', 'in', keys).execute()).map((r) => r.dedupe_key),
    );
    const fresh = mapped.filter((_m, i) => {
      const key = keys[i]!;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    await Promise.all(fresh.map((m) => (m.kind === 'message' && m.mediaToFetch ? this.fetchMedia(m) : undefined)));
    return fresh;
  }

  private async fetchMedia(m: KfMappedMessage): Promise<void> {
    const { media_id, kind } = m.mediaToFetch!;
    let ref;
    try {
      const file = await this.deps.api.getMedia(media_id);
      ref = await this.deps.media.save(file.buffer, { mime: file.mime, filename: file.filename, source: 'wecom', source_id: media_id });
    } catch (err) {
      this.deps.log.warn({ err, msgid: m.msgid }, 'kf media fetch failed');
      ref = { error: '媒体文件获取失败（可能已过期）' };
    }
    const c = m.content as MessageContent & { media?: unknown; thumb?: unknown };
    if (kind === 'thumb') c.thumb = ref;
    else c.media = ref;
  }

  /** Writes the chunk's reply-window restarts so far. */
  private async windowsRestart(work: ChunkWork): Promise<void> {
    await this.deps.windows.customerWrote(work.uow.tx, [...work.wrote.values()]);
    work.wrote.clear();
  }

  private async apply(work: ChunkWork, item: KfMapped): Promise<void> {
    const { hub, windows, sessions } = this.deps;
    const { uow, after } = work;
    if (item.kind === 'message') {
      const servicer = item.origin === KF_ORIGIN.servicer;
      const r = await hub.ingestIn(uow, {
        channel: 'wecom_kf',
        channel_account: item.open_kfid,
        external_id: item.external_userid,
        dedupe_key: dedupeKey(item.msgid),
        content: item.content,
        ...(servicer ? { sender_type: 'servicer' as const, sender_id: item.servicer_userid ?? null } : {}),
      });
      if (!r.created || servicer) return;
      const key = `${item.open_kfid}\n${item.external_userid}`;
      const prev = work.wrote.get(key);
      if (!prev || prev.at <= item.sent_at) work.wrote.set(key, { open_kfid: item.open_kfid, external_userid: item.external_userid, at: item.sent_at });
      if (r.newConversation) after.push(() => sessions.started(r.conversation, item.external_userid));
      return;
    }
    if (!item.open_kfid || !item.external_userid) {
      this.deps.log.info({ event_type: item.event_type }, 'kf account-level event');
      return;
    }
    const r = await hub.ingestIn(uow, {
      channel: 'wecom_kf',
      channel_account: item.open_kfid,
      external_id: item.external_userid,
      dedupe_key: dedupeKey(item.msgid),
      content: { type: 'event', event: item.event_type, data: publicEventData(item.data) },
      sender_type: 'system',
    });
    if (!r.created) return;
    const ext = item.external_userid;
    switch (item.event_type) {
      case 'enter_session': {
        const code = typeof item.data.welcome_code === 'string' ? item.data.welcome_code : undefined;
        after.push(async () => {
          if (r.newConversation) await sessions.started(r.conversation, ext);
          if (code) await sessions.welcome(r.conversation, code, this.deps.welcomeText());
        });
        break;
      }
      case 'msg_send_fail': {
        const failMsgId = String(item.data.fail_msgid ?? '');
        const failType = Number(item.data.fail_type ?? 0);
        if (failType === 4 || failType === 6) {
          // in order: a message earlier in the chunk reopened the window, this event closes it
          await this.windowsRestart(work);
          await windows.close(item.open_kfid, ext, uow.tx);
        }
        after.push(async () => {
          await hub.setDelivery(failMsgId, { status: 'failed', fail_code: `wecom_fail_${failType}`, fail_reason: failTypeReason(failType) });
        });
        break;
      }
      case 'session_status_change': {
        // 1 taken from the pool / 2 transferred → a WeCom-native servicer serves (3); 3 ended (4)
        const change = Number(item.data.change_type);
        const state = change === 3 ? 4 : change === 1 || change === 2 ? 3 : undefined;
        if (state !== undefined) after.push(() => hub.setServiceState(r.conversation.id, state));
        break;
      }
      default:
        break;
    }
  }
}

const dedupeKey = (msgid: string) => `wecom_kf:${msgid}`;

/** Event data shown to agents; one-time codes stay out of the message store. */
function publicEventData(data: Record<string, unknown>): Record<string, unknown> {
  const { welcome_code: _w, msg_code: _m, ...rest } = data;
  return rest;
}
