import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';

/** WeCom's session-end code allows one text/menu message (the survey) for 20 s after 结束会话. */
export const END_CODE_MS = 20_000;

type EndCodesDb = { kf_end_codes: { conversation_id: string; code: string; expires_at: string } };

/**
 * Session-end codes in the database (migration 011): the instance that closed the conversation
 * is not necessarily the one whose scheduler sends the survey. Taking a code deletes it in the
 * same statement, so it is used once across instances.
 */
export class KfEndCodes {
  private readonly db: Kysely<EndCodesDb>;
  constructor(db: Kysely<any>, private readonly clock: Clock) {
    this.db = db as Kysely<EndCodesDb>;
  }

  async put(conversationId: string, code: string): Promise<void> {
    const now = this.clock.now();
    const expires_at = new Date(now.getTime() + END_CODE_MS).toISOString();
    await this.db.insertInto('kf_end_codes').values({ conversation_id: conversationId, code, expires_at })
      .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ code, expires_at })).execute();
    // expired codes of surveys that never went out are of no use to anyone
    await this.db.deleteFrom('kf_end_codes').where('expires_at', '<', now.toISOString()).execute();
  }

  /** The conversation's unexpired code, removed as it is taken; undefined when none. */
  async take(conversationId: string): Promise<string | undefined> {
    const row = await this.db.deleteFrom('kf_end_codes').where('conversation_id', '=', conversationId).where('expires_at', '>=', this.clock.now().toISOString())
      .returning('code').executeTakeFirst();
    return row?.code;
  }
}
