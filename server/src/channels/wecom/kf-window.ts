import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Executor } from '../../hub/repo.js';

export const WINDOW_MS = 48 * 3600 * 1000;
export const WINDOW_MAX = 5;

export type WindowCheck = { ok: true } | { ok: false; code: 'window_closed'; reason: string };

/**
 * WeCom's reply window per (account, customer): after the customer's last message kefu may
 * send at most 5 messages within 48 hours. Reserving a slot is one conditional UPDATE, so
 * concurrent senders can never exceed the limit between them.
 */
export class KfWindows {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * Customers wrote: their allowance starts again. One statement for a whole batch (e.g. a
   * chunk of a sync page); a customer appears at most once, with their latest message time.
   */
  async customerWrote(tx: Executor, writes: { open_kfid: string; external_userid: string; at: string }[]): Promise<void> {
    if (!writes.length) return;
    await tx
      .insertInto('kf_windows')
      .values(writes.map((w) => ({ open_kfid: w.open_kfid, external_userid: w.external_userid, last_customer_msg_at: w.at, sent_count: 0 })))
      .onConflict((oc) => oc
        .columns(['open_kfid', 'external_userid'])
        .doUpdateSet((eb) => ({ last_customer_msg_at: eb.ref('excluded.last_customer_msg_at'), sent_count: 0 }))
        .whereRef('kf_windows.last_customer_msg_at', '<=', 'excluded.last_customer_msg_at'))
      .execute();
  }

  /** `keep`: slots that must stay free after this one (the agent's, when a queue notice is sent). */
  async reserve(open_kfid: string, external_userid: string, now: Date, keep = 0): Promise<WindowCheck> {
    const since = new Date(now.getTime() - WINDOW_MS).toISOString();
    const r = await this.db
      .updateTable('kf_windows')
      .set((eb) => ({ sent_count: eb('sent_count', '+', 1) }))
      .where('open_kfid', '=', open_kfid)
      .where('external_userid', '=', external_userid)
      .where('sent_count', '<', WINDOW_MAX - keep)
      .where('last_customer_msg_at', '>', since)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return { ok: true };
    const row = await this.db.selectFrom('kf_windows').selectAll().where('open_kfid', '=', open_kfid).where('external_userid', '=', external_userid).executeTakeFirst();
    if (!row) return { ok: false, code: 'window_closed', reason: '客户尚未发言，微信客服不允许主动发消息' };
    if (row.last_customer_msg_at <= since) return { ok: false, code: 'window_closed', reason: '距客户最后一条消息已超过 48 小时，需等待客户再次发言后才能回复' };
    if (row.sent_count < WINDOW_MAX) return { ok: false, code: 'window_closed', reason: `剩余 ${WINDOW_MAX - row.sent_count} 条回复额度留给人工客服` };
    return { ok: false, code: 'window_closed', reason: '48 小时内已回复 5 条，需等待客户再次发言后才能继续发送' };
  }

  /** Messages kefu may still send the customer now (0 when the window is closed). */
  async remaining(open_kfid: string, external_userid: string, now: Date): Promise<number> {
    const row = await this.db.selectFrom('kf_windows').select(['sent_count', 'last_customer_msg_at']).where('open_kfid', '=', open_kfid).where('external_userid', '=', external_userid).executeTakeFirst();
    if (!row || row.last_customer_msg_at <= new Date(now.getTime() - WINDOW_MS).toISOString()) return 0;
    return Math.max(0, WINDOW_MAX - Number(row.sent_count));
  }

  /** Gives a slot back when the send failed for a reason that did not use it. */
  async release(open_kfid: string, external_userid: string): Promise<void> {
    await this.db
      .updateTable('kf_windows')
      .set((eb) => ({ sent_count: eb('sent_count', '-', 1) }))
      .where('open_kfid', '=', open_kfid)
      .where('external_userid', '=', external_userid)
      .where('sent_count', '>', 0)
      .execute();
  }

  /**
   * WeCom said the window is closed (95001, msg_send_fail 4/6): believe it. Inside a sync
   * page's transaction `tx` is that transaction (SQLite's one connection is held by it).
   */
  async close(open_kfid: string, external_userid: string, tx: Executor = this.db): Promise<void> {
    await tx.updateTable('kf_windows').set({ sent_count: WINDOW_MAX }).where('open_kfid', '=', open_kfid).where('external_userid', '=', external_userid).execute();
  }
}
