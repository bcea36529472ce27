import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { badRequest } from '../core/errors.js';

/**
 * What supervisors tune about the queue, in one validated row (like the bot settings): the
 * position notices sent to waiting customers, overflow rules between teams, and when a
 * customer is offered leave-a-message (a ticket) instead of waiting.
 * Everything customer-facing is off by default: an installation turns it on deliberately.
 */
export const queueNoticeSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** placeholders: {position} (1 = next), {ahead}, {minutes} */
  text: z.string().min(1).max(300).default('您前面还有 {ahead} 位客户，预计等待约 {minutes} 分钟，请稍候～'),
  /** ahead = 0 */
  text_next: z.string().min(1).max(300).default('您是下一位，客服马上为您服务，请稍候～'),
  /** no agent online, so no estimate */
  text_no_estimate: z.string().min(1).max(300).default('您前面还有 {ahead} 位客户，客服上线后会按顺序为您服务。'),
  /** at most one notice per customer within this many seconds */
  min_interval_s: z.number().int().min(0).max(86_400).default(120),
  /** an update only when the customer moved up at least this many places */
  min_position_change: z.number().int().min(1).max(1000).default(2),
  /** notices per waiting conversation, the first one included */
  max_per_conversation: z.number().int().min(1).max(20).default(3),
  /**
   * on channels with a reply allowance (WeCom 微信客服: 5 messages per 48 h after the customer's
   * last message), notices never use the last this-many messages: they are the agent's
   */
  keep_reply_slots: z.number().int().min(1).max(4).default(2),
});

/**
 * Applies to conversations waiting for one team (transferred to it, or overflowed to it); a
 * conversation routed by skills may go to any agent already, so it has nowhere to overflow to.
 */
export const overflowRuleSchema = z.strictObject({
  from_team: z.string().min(1).max(32),
  to_team: z.string().min(1).max(32),
  /** minutes waiting for `from_team` before the conversation moves on */
  after_minutes: z.number().int().min(1).max(1440),
});

export const leaveMessageSchema = z.strictObject({
  /** outside human hours (the bot settings' business calendar) → ticket at once */
  outside_hours: z.boolean().default(false),
  /** this many customers already waiting → ticket instead of queueing (null = no limit) */
  max_queue_length: z.number().int().min(1).max(100_000).nullable().default(null),
  /** an estimated or actual wait longer than this → ticket (null = no limit) */
  max_wait_minutes: z.number().int().min(1).max(10_080).nullable().default(null),
  /** placeholders: {why}, {ticket} */
  text: z.string().min(1).max(300).default('{why}，已为您登记留言（工单号 {ticket}），客服会尽快与您联系，请留意消息。'),
});

/**
 * Which team owns a skill (a conversation that needs 发票 prefers the 售后 team), and which team
 * takes intents of a knowledge-base category that need no particular skill (会员 → 售前). The
 * skill an intent needs is set on the intent itself, in the knowledge base.
 */
const skillTeamSchema = z.strictObject({ skill: z.string().trim().min(1).max(32), team: z.string().trim().min(1).max(32) });
const categoryTeamSchema = z.strictObject({ category: z.string().trim().min(1).max(64), team: z.string().trim().min(1).max(32) });
const uniqueBy = <T>(key: (x: T) => string, what: string) => (xs: T[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  xs.forEach((x, i) => {
    if (seen.has(key(x))) ctx.addIssue({ code: 'custom', path: [i], message: `${what}「${key(x)}」重复` });
    seen.add(key(x));
  });
};

export const routingSettingsSchema = z.strictObject({
  skill_teams: z.array(skillTeamSchema).max(200).superRefine(uniqueBy((x) => x.skill, '技能')).default([]),
  category_teams: z.array(categoryTeamSchema).max(200).superRefine(uniqueBy((x) => x.category, '分类')).default([]),
  queue_notice: queueNoticeSchema.default(queueNoticeSchema.parse({})),
  overflow: z.array(overflowRuleSchema).max(50).default([]),
  leave_message: leaveMessageSchema.default(leaveMessageSchema.parse({})),
});

export type RoutingSettings = z.infer<typeof routingSettingsSchema>;
export type OverflowRule = z.infer<typeof overflowRuleSchema>;

type SettingsDb = Kysely<{ routing_settings: { id: string; settings_json: string; updated_at: string } }>;

/** One row; missing fields (a row from an older kefu) take their defaults. Cached 2 s. */
export class RoutingSettingsStore {
  private cache: { at: number; value: RoutingSettings } | undefined;

  constructor(private readonly db: Kysely<any>, private readonly clock: Clock) {}

  async get(): Promise<RoutingSettings> {
    if (this.cache && Date.now() - this.cache.at < 2000) return this.cache.value;
    const row = await (this.db as SettingsDb).selectFrom('routing_settings').select('settings_json').where('id', '=', 'default').executeTakeFirst();
    const value = routingSettingsSchema.parse(row ? JSON.parse(row.settings_json) : {});
    this.cache = { at: Date.now(), value };
    return value;
  }

  /** whether anyone has saved settings yet (the demo seeds its team lists only into a fresh install) */
  async stored(): Promise<boolean> {
    return !!(await (this.db as SettingsDb).selectFrom('routing_settings').select('id').where('id', '=', 'default').executeTakeFirst());
  }

  async put(input: RoutingSettings): Promise<RoutingSettings> {
    const value = routingSettingsSchema.parse(input);
    const loops = value.overflow.filter((r) => r.from_team === r.to_team);
    if (loops.length) throw badRequest('invalid_overflow', `溢出规则的来源组与目标组不能相同：${loops.map((r) => r.from_team).join('、')}`);
    const settings_json = JSON.stringify(value);
    const updated_at = this.clock.now().toISOString();
    await (this.db as SettingsDb).insertInto('routing_settings').values({ id: 'default', settings_json, updated_at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ settings_json, updated_at })).execute();
    this.cache = { at: Date.now(), value };
    return value;
  }
}
