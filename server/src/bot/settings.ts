import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import { DEFAULT_THRESHOLDS } from './engine/bands.js';
import { calendarDefinitionSchema, createCalendar, isWorkingTime, type BusinessCalendar } from '../calendar/index.js';


/** Everything trainers and supervisors tune about the bot; every field validated. */
export const botSettingsSchema = z.strictObject({
  enabled: z.boolean(),
  /** confidence bands (see engine types: answer ≥ answer, clarify ≥ clarify, else fallback) */
  answer_threshold: z.number().min(0).max(1),
  clarify_threshold: z.number().min(0).max(1),
  /** answer only when the best intent leads the runner-up by this much (else clarify) */
  ambiguity_margin: z.number().min(0).max(1),
  /** answer with one of the intent's FAQs only when it leads the intent's next FAQ by this much (else a menu of them) */
  faq_margin: z.number().min(0).max(1),
  fallback_text: z.string().min(1).max(600),
  clarify_head: z.string().min(1).max(200),
  clarify_tail: z.string().max(200),
  handoff_text: z.string().min(1).max(600),
  offline_text: z.string().min(1).max(600),
  /** greets a customer whose conversation starts (WeCom enter_session, the widget's first open) */
  welcome_text: z.string().min(1).max(600),
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
  /**
   * when humans work: a business calendar (weekly hours, time zone, Chinese holidays and 调休);
   * outside it — nights, weekends, 法定节假日 — the bot serves alone
   */
  human_hours: calendarDefinitionSchema,
  soothing: z.strictObject({
    interval_s: z.number().int().min(15).max(3600),
    max_count: z.number().int().min(0).max(10),
    text: z.string().min(1).max(600),
  }),
});

export type BotSettings = z.infer<typeof botSettingsSchema>;

const office = { start: '09:00', end: '21:00' };

export const DEFAULT_BOT_SETTINGS: BotSettings = {
  enabled: true,
  answer_threshold: 0.6,
  clarify_threshold: 0.3,
  ambiguity_margin: DEFAULT_THRESHOLDS.ambiguityMargin,
  faq_margin: DEFAULT_THRESHOLDS.faqMargin,
  fallback_text: '抱歉，这个问题我还没学会😅 您可以换个说法，或回复「人工」联系人工客服。',
  clarify_head: '您是想咨询以下哪个问题呢？',
  clarify_tail: '都不是？请换个说法，或回复「人工」。',
  handoff_text: '好的，正在为您转接人工客服，请稍候～',
  offline_text: '人工客服的工作时间是每天 09:00–21:00，我们已记录您的问题，客服上线后会第一时间联系您。',
  // the same text as KEFU_WELCOME_TEXT's default (which, when set, is the initial value instead)
  welcome_text: '您好，欢迎来到悦肤美妆！请问有什么可以帮您？',
  triggers: { explicit: true, repeat_count: 3, sentiment_below: -0.5, unanswered_count: 3, vip_tiers: ['VIP'], keywords: ['投诉', '12315', '消协'] },
  // 悦肤美妆: 09:00–21:00 on workdays (调休 Saturdays included, 法定节假日 off)
  human_hours: calendarDefinitionSchema.parse({ timeZone: 'Asia/Shanghai', weekly: { mon: [office], tue: [office], wed: [office], thu: [office], fri: [office] }, publicHolidays: 'cn' }),
  soothing: { interval_s: 120, max_count: 3, text: '客服小姐姐正在快马加鞭赶来，请您稍等片刻～' },
};

/**
 * Settings live in one row; missing → defaults. A stored row from an older kefu lacks the fields
 * added since (e.g. welcome_text): they take their defaults.
 */
export class BotSettingsStore {
  private cache: { at: number; value: BotSettings } | undefined;
  private refreshing: Promise<unknown> | undefined;
  readonly defaults: BotSettings;

  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock, defaults: Partial<BotSettings> = {}) {
    this.defaults = botSettingsSchema.parse({ ...DEFAULT_BOT_SETTINGS, ...defaults });
  }

  /**
   * The last settings read (defaults before the first read), for code that must not query
   * (e.g. inside a hub transaction). Schedules a refresh in the background when the cache is
   * stale, so other instances' changes arrive within seconds.
   */
  peek(): BotSettings {
    if (!this.refreshing && (!this.cache || Date.now() - this.cache.at >= 2000)) {
      this.refreshing = this.get().catch(() => undefined).finally(() => (this.refreshing = undefined));
    }
    return this.cache?.value ?? this.defaults;
  }

  async get(): Promise<BotSettings> {
    const now = Date.now();
    if (this.cache && now - this.cache.at < 2000) return this.cache.value;
    const row = await this.db.selectFrom('bot_settings').select('settings_json').where('id', '=', 'default').executeTakeFirst();
    const value = row ? botSettingsSchema.parse({ ...this.defaults, ...(JSON.parse(row.settings_json) as object) }) : this.defaults;
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
    this.cache = { at: Date.now(), value };
    return value;
  }
}

const compiled = new Map<string, BusinessCalendar>();

/** Whether humans work at `now` under the settings' calendar (compiled once per definition). */
export function isHumanTime(hours: BotSettings['human_hours'], now: Date): boolean {
  const key = JSON.stringify(hours);
  let cal = compiled.get(key);
  if (!cal) {
    cal = createCalendar(hours);
    if (compiled.size > 20) compiled.clear();
    compiled.set(key, cal);
  }
  return isWorkingTime(cal, now);
}
