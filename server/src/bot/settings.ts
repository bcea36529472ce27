import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM');

/** Everything trainers and supervisors tune about the bot; every field validated. */
export const botSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** confidence bands (see engine types: answer ≥ answer, clarify ≥ clarify, else fallback) */
  answer_threshold: z.number().min(0).max(1),
  clarify_threshold: z.number().min(0).max(1),
  fallback_text: z.string().min(1).max(600),
  clarify_head: z.string().min(1).max(200),
  clarify_tail: z.string().max(200),
  handoff_text: z.string().min(1).max(600),
  offline_text: z.string().min(1).max(600),
  triggers: z.strictObject({
    /** 转人工, 人工客服, 找真人 … and intents whose action is handoff */
    explicit: z.boolean(),
    /** the same question this many times → hand-off (0 = off) */
    repeat_count: z.number().int().min(0).max(10),
    /** conversation sentiment below this → urgent hand-off */
    sentiment_below: z.number().min(-1).max(1),
    /** this many consecutive turns the bot could not answer → hand-off (0 = off) */
    unanswered_count: z.number().int().min(0).max(10),
    /** customers of these tiers go to a human at once */
    vip_tiers: z.array(z.string().min(1).max(20)).max(10),
    /** any of these words in a message → hand-off */
    keywords: z.array(z.string().min(1).max(40)).max(100),
  }),
  /** when humans work (Asia/Shanghai by default); outside, the bot serves alone */
  human_hours: z.strictObject({
    timezone: z.string().min(1).max(64),
    /** ISO weekday 1 (Mon) … 7 (Sun) → open intervals */
    weekly: z.record(z.string().regex(/^[1-7]$/), z.array(z.tuple([hhmm, hhmm])).max(4)),
  }),
  soothing: z.strictObject({
    interval_s: z.number().int().min(15).max(3600),
    max_count: z.number().int().min(0).max(10),
    text: z.string().min(1).max(600),
  }),
});

export type BotSettings = z.infer<typeof botSettingsSchema>;

const weekdays = (from: string, to: string) => Object.fromEntries(['1', '2', '3', '4', '5', '6', '7'].map((d) => [d, [[from, to]] as [string, string][]]));

export const DEFAULT_BOT_SETTINGS: BotSettings = {
  enabled: true,
  answer_threshold: 0.6,
  clarify_threshold: 0.3,
  fallback_text: '抱歉，这个问题我还没学会😅 您可以换个说法，或回复「人工」联系人工客服。',
  clarify_head: '您是想咨询以下哪个问题呢？',
  clarify_tail: '都不是？请换个说法，或回复「人工」。',
  handoff_text: '好的，正在为您转接人工客服，请稍候～',
  offline_text: '人工客服的工作时间是每天 09:00–21:00，我们已记录您的问题，客服上线后会第一时间联系您。',
  triggers: { explicit: true, repeat_count: 3, sentiment_below: -0.5, unanswered_count: 3, vip_tiers: ['VIP'], keywords: ['投诉', '12315', '消协'] },
  human_hours: { timezone: 'Asia/Shanghai', weekly: weekdays('09:00', '21:00') },
  soothing: { interval_s: 120, max_count: 3, text: '客服小姐姐正在快马加鞭赶来，请您稍等片刻～' },
};

/** Settings live in one row; missing → defaults. */
export class BotSettingsStore {
  private cache: { at: number; value: BotSettings } | undefined;
  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock) {}

  async get(): Promise<BotSettings> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < 2000) return this.cache.value;
    const row = await this.db.selectFrom('bot_settings').select('settings_json').where('id', '=', 'default').executeTakeFirst();
    const value = row ? botSettingsSchema.parse(JSON.parse(row.settings_json)) : DEFAULT_BOT_SETTINGS;
    this.cache = { at: now, value };
    return value;
  }

  async put(value: BotSettings): Promise<BotSettings> {
    const settings_json = JSON.stringify(botSettingsSchema.parse(value));
    const updated_at = this.clock.now().toISOString();
    await this.db
      .insertInto('bot_settings')
      .values({ id: 'default', settings_json, updated_at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ settings_json, updated_at }))
      .execute();
    this.cache = undefined;
    return value;
  }
}

/** Whether humans work at `now` under the settings' weekly hours (in their time zone). */
export function isHumanTime(hours: BotSettings['human_hours'], now: Date): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: hours.timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  const day = String(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1);
  const minute = `${get('hour')}:${get('minute')}`;
  return (hours.weekly[day] ?? []).some(([from, to]) => minute >= from && minute < to);
}
