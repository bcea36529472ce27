import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { HubService } from '../hub/index.js';
import type { RoutingSettings, RoutingSettingsStore } from './settings.js';
import { estimateWaitMinutes, type WaitStats } from './wait.js';

type NoticeRow = { conversation_id: string; position: number; wait_min: number | null; count: number; sent_at: string };
type NoticeDb = Kysely<{ queue_notices: NoticeRow }>;
type NoticeSettings = RoutingSettings['queue_notice'];

/**
 * Whether a waiting customer gets a (new) position notice: always the first time; after that
 * only on a meaningful change — moved up `min_position_change` places, or became next — no
 * sooner than `min_interval_s` after the last one, and at most `max_per_conversation` in all.
 */
export function noticeDue(prev: Pick<NoticeRow, 'position' | 'count' | 'sent_at'> | undefined, position: number, now: Date, s: NoticeSettings): boolean {
  if (!prev) return true;
  if (prev.count >= s.max_per_conversation) return false;
  if (now.getTime() - Date.parse(prev.sent_at) < s.min_interval_s * 1000) return false;
  return prev.position - position >= s.min_position_change || (position === 1 && prev.position > 1);
}

/** The notice text with its placeholders filled. */
export function noticeText(s: NoticeSettings, position: number, minutes: number | null): string {
  const ahead = position - 1;
  const template = minutes === null ? s.text_no_estimate : ahead === 0 ? s.text_next : s.text;
  return template.replaceAll('{position}', String(position)).replaceAll('{ahead}', String(ahead)).replaceAll('{minutes}', String(minutes ?? '?'));
}

/**
 * Tells waiting customers their place in the queue and the estimated wait when it changes,
 * rate-limited, within the channel's send rules: on a channel with a reply allowance the last
 * `keep_reply_slots` messages are never spent on notices (checked before, and enforced
 * atomically by the channel when sending). Each notice is claimed with a conditional write on
 * its row first, so several instances send it once.
 */
export class QueueNotices {
  private readonly db: NoticeDb;

  constructor(private readonly d: {
    db: Kysely<any>; hub: HubService; clock: Clock; log: Logger; settings: RoutingSettingsStore; wait: WaitStats;
    queue: () => Promise<{ conversation_id: string; position: number }[]>;
  }) {
    this.db = d.db as NoticeDb;
  }

  /** One pass over the queue; returns how many notices were sent. */
  async pass(): Promise<number> {
    const s = (await this.d.settings.get()).queue_notice;
    if (!s.enabled) return 0;
    const queue = await this.d.queue();
    if (!queue.length) return 0;
    const { slots, avgHandleS } = await this.d.wait.current();
    const prev = new Map<string, NoticeRow>();
    const ids = queue.map((q) => q.conversation_id);
    for (let i = 0; i < ids.length; i += 500) {
      for (const r of await this.db.selectFrom('queue_notices').selectAll().where('conversation_id', 'in', ids.slice(i, i + 500)).execute()) prev.set(r.conversation_id, r);
    }
    let sent = 0;
    for (const item of queue) {
      const now = this.d.clock.now();
      const before = prev.get(item.conversation_id);
      if (!noticeDue(before, item.position, now, s)) continue;
      const budget = await this.d.hub.replyBudget(item.conversation_id);
      if (budget !== null && budget <= s.keep_reply_slots) continue;
      const minutes = estimateWaitMinutes(item.position, slots, avgHandleS);
      if (!(await this.claim(item.conversation_id, before, { position: item.position, wait_min: minutes, sent_at: now.toISOString() }))) continue;
      const r = await this.d.hub.send({
        conversation_id: item.conversation_id, sender: { type: 'system', id: null },
        content: { type: 'text', text: noticeText(s, item.position, minutes) }, keep_reply_slots: s.keep_reply_slots,
      }).catch((err) => {
        // the conversation left the queue (closed) meanwhile: nothing to tell
        this.d.log.debug({ err, conversation_id: item.conversation_id }, 'queue notice not sent');
        return null;
      });
      if (r?.message.status === 'sent') sent++;
    }
    return sent;
  }

  private async claim(conversationId: string, before: NoticeRow | undefined, next: Omit<NoticeRow, 'conversation_id' | 'count'>): Promise<boolean> {
    if (!before) {
      const r = await this.db.insertInto('queue_notices').values({ conversation_id: conversationId, ...next, count: 1 })
        .onConflict((oc) => oc.column('conversation_id').doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    }
    const r = await this.db.updateTable('queue_notices').set({ ...next, count: before.count + 1 })
      .where('conversation_id', '=', conversationId).where('sent_at', '=', before.sent_at).where('count', '=', before.count).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
