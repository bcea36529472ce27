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

  /** The customer wrote: the allowance starts again. */
  async customerWrote(tx: Executor, open_kfid: string, external_userid: string, at: string): Promise<void> {
    await tx
      .insertInto('kf_windows')
      .values({ open_kfid, external_userid, last_customer_msg_at: at, sent_count: 0 })
      .onConflict((oc) => oc.columns(['open_kfid', 'external_userid']).doUpdateSet({ last_customer_msg_at: at, sent_count: 0 }).where('kf_windows.last_customer_msg_at', '<=', at))
      .execute();
  }

  async reserve(open_kfid: string, external_userid: string, now: Date): Promise<WindowCheck> {
    const since = new Date(now.getTime() - WINDOW_MS).toISOString();
    const r = await this.db
      .updateTable('kf_windows')
      .set((eb) => ({ sent_count: eb('sent_count', '+', 1) }))
      .where('open_kfid', '=', open_kfid)
      .where('external_userid', '=', external_userid)
      .where('sent_count', '<', WINDOW_MAX)
      .where('last_customer_msg_at', '>', since)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) return { ok: true };
    const row = await this.db.selectFrom('kf_windows').selectAll().where('open_kfid', '=', open_kfid).where('external_userid', '=', external_userid).executeTakeFirst();
    if (!row) return { ok: false, code: 'window_closed', reason: '客户尚未发言，微信客服不允许主动发消息' };
    if (row.last_customer_msg_at <= since) return { ok: false, code: 'window_closed', reason: '距客户最后一条消息已超过 48 小时，需等待客户再次发言后才能回复' };
    return { ok: false, code: 'window_closed', reason: '48 小时内已回复 5 条，需等待客户再次发言后才能继续发送' };
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

  /** WeCom said the window is closed (95001, msg_send_fail 4/6): believe it. */
  async close(open_kfid: string, external_userid: string): Promise<void> {
    await this.db.updateTable('kf_windows').set({ sent_count: WINDOW_MAX }).where('open_kfid', '=', open_kfid).where('external_userid', '=', external_userid).execute();
  }
}
