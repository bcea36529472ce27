/**
 * Queries for the notification tables. Takes any Kysely (the composition root's
 * Kysely<Database>) and types it locally, so this module does not edit db/schema.ts;
 * the lead can fold NotifyTables into Database.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { CHANNELS, type ChannelName, type Preferences } from './types.js';

export type NotificationOutcome = 'sent' | 'retry' | 'failed' | 'skipped';

export interface NotificationLogTable {
  id: string;
  notification_id: string;
  delivery_id: string;
  channel: string;
  template: string;
  recipient_user_id: string | null;
  address_masked: string | null;
  attempt: number;
  outcome: string;
  subject: string | null;
  body: string | null;
  error: string | null;
  provider_ref: string | null;
  created_at: string;
}
export interface NotificationPreferencesTable {
  user_id: string;
  prefs_json: string;
  updated_at: string;
}
export interface NotifyTables {
  notification_log: NotificationLogTable;
  notification_preferences: NotificationPreferencesTable;
}

export type NotificationLogEntry = Omit<NotificationLogTable, 'outcome' | 'channel'> & { outcome: NotificationOutcome; channel: ChannelName };

export type ListQuery = {
  /** entries at or after this instant */
  since?: Date;
  /** recipient user id */
  to?: string;
  channel?: ChannelName;
  outcome?: NotificationOutcome;
  notificationId?: string;
  /** default 200, max 1000 */
  limit?: number;
  /** 'desc' = newest first (the log page); default oldest first */
  order?: 'asc' | 'desc';
};

const hhmm = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');
export const preferencesSchema = z.object({
  channels: z.array(z.enum(CHANNELS)).optional(),
  muted: z.boolean().optional(),
  quietHours: z.object({ start: hhmm, end: hhmm, timeZone: z.string().optional() }).nullable().optional(),
});

export class NotifyRepo {
  private readonly db: Kysely<NotifyTables>;
  constructor(db: Kysely<any>) {
    this.db = db as Kysely<NotifyTables>;
  }

  async insertLog(row: NotificationLogTable): Promise<void> {
    await this.db.insertInto('notification_log').values(row).execute();
  }

  /** Oldest first (the order things happened) unless `order: 'desc'`. */
  async list(q: ListQuery = {}): Promise<NotificationLogEntry[]> {
    let s = this.db.selectFrom('notification_log').selectAll();
    if (q.since) s = s.where('created_at', '>=', q.since.toISOString());
    if (q.to) s = s.where('recipient_user_id', '=', q.to);
    if (q.channel) s = s.where('channel', '=', q.channel);
    if (q.outcome) s = s.where('outcome', '=', q.outcome);
    if (q.notificationId) s = s.where('notification_id', '=', q.notificationId);
    const dir = q.order ?? 'asc';
    const rows = await s
      .orderBy('created_at', dir)
      .orderBy('delivery_id', dir)
      .orderBy('attempt', dir)
      .limit(Math.min(Math.max(q.limit ?? 200, 1), 1000))
      .execute();
    return rows.map((r) => ({ ...r, attempt: Number(r.attempt), outcome: r.outcome as NotificationOutcome, channel: r.channel as ChannelName }));
  }

  async getPreferences(userId: string): Promise<Preferences | null> {
    const r = await this.db.selectFrom('notification_preferences').select('prefs_json').where('user_id', '=', userId).executeTakeFirst();
    if (!r) return null;
    // stored JSON is still checked: an old or hand-edited row must not break sending
    const parsed = preferencesSchema.safeParse(JSON.parse(r.prefs_json));
    return parsed.success ? parsed.data : null;
  }

  /** Validates (external input from the settings page) and upserts. */
  async setPreferences(userId: string, prefs: unknown, now: Date): Promise<Preferences> {
    const p = preferencesSchema.parse(prefs);
    const row = { user_id: userId, prefs_json: JSON.stringify(p), updated_at: now.toISOString() };
    await this.db
      .insertInto('notification_preferences')
      .values(row)
      .onConflict((oc) => oc.column('user_id').doUpdateSet({ prefs_json: row.prefs_json, updated_at: row.updated_at }))
      .execute();
    return p;
  }
}
