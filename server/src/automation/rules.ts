/**
 * Rule definitions: trigger + conditions + actions, as data with one zod schema (the API, the
 * admin UI and the stored JSON all go through it). A bad definition is rejected with the path
 * of every problem, e.g. `/trigger/cron: invalid cron expression`.
 */
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { badRequest } from '../core/errors.js';

export const EVENTS = ['message.received', 'conversation.closed', 'ticket.created', 'sla.warning', 'survey.rated'] as const;
export type AutomationEvent = (typeof EVENTS)[number];

const zone = z.string().min(1).max(64).refine((z) => DateTime.now().setZone(z).isValid, 'unknown IANA time zone (e.g. Asia/Shanghai)');
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (00:00–23:59)');
const regex = z.string().min(1).max(500).refine((s) => {
  try {
    new RegExp(s, 'u');
    return true;
  } catch {
    return false;
  }
}, 'invalid regular expression');

export const triggerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('event'), event: z.enum(EVENTS) }),
  z.strictObject({
    type: z.literal('cron'),
    cron: z.string().min(1).max(120).refine((s) => {
      try {
        new Cron(s, { paused: true });
        return true;
      } catch {
        return false;
      }
    }, 'invalid cron expression (5 or 6 fields, e.g. "0 9 * * 1-5")'),
    timezone: zone.default('Asia/Shanghai'),
  }),
  z.strictObject({
    type: z.literal('date_field'),
    field: z.enum(['birthday', 'membership_expiry']),
    /** -30 = 30 days before the date */
    offset_days: z.number().int().min(-366).max(366).default(0),
    /** local time in the customer's time zone */
    at: hhmm.default('09:00'),
    /** every year on the date (birthdays); default: yearly for birthday, once otherwise */
    yearly: z.boolean().optional(),
  }),
]);

const days = z.array(z.number().int().min(1).max(7)).min(1).max(7);
export const conditionsSchema = z.strictObject({
  tiers: z.array(z.string().min(1).max(20)).min(1).optional(),
  tags_any: z.array(z.string().min(1).max(40)).min(1).optional(),
  tags_all: z.array(z.string().min(1).max(40)).min(1).optional(),
  tags_none: z.array(z.string().min(1).max(40)).min(1).optional(),
  channels: z.array(z.enum(['wecom_kf', 'web'])).min(1).optional(),
  /** the bot's intent guess on the conversation (hand-off) */
  intents: z.array(z.string().min(1).max(64)).min(1).optional(),
  /** the customer's message text matches (message.received) */
  text_matches: regex.optional(),
  /** survey score range (survey.rated) */
  score: z.strictObject({ min: z.number().int().min(1).max(5).default(1), max: z.number().int().min(1).max(5).default(5) }).optional(),
  /** local time window; wraps midnight when start > end; days 1 = Monday … 7 = Sunday */
  time_window: z.strictObject({ start: hhmm, end: hhmm, timezone: zone.default('Asia/Shanghai'), days: days.optional() }).optional(),
  ticket_categories: z.array(z.string().min(1).max(40)).min(1).optional(),
  ticket_priorities: z.array(z.enum(['low', 'normal', 'high', 'urgent'])).min(1).optional(),
  /** whether a human agent wrote in the conversation (e.g. no survey after a leave-a-message close) */
  served_by_human: z.boolean().optional(),
}).default({});

const menuItem = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('click'), id: z.string().min(1).max(64), content: z.string().min(1).max(64) }),
  z.strictObject({ type: z.literal('view'), url: z.url(), content: z.string().min(1).max(64) }),
]);
export const messageContentSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().min(1).max(2000) }),
  z.strictObject({ type: z.literal('link'), title: z.string().min(1).max(128), desc: z.string().max(512).optional(), url: z.url() }),
  z.strictObject({ type: z.literal('menu'), head: z.string().max(300).optional(), items: z.array(menuItem).min(1).max(10), tail: z.string().max(300).optional() }),
]);

/** when WeChat's 48 h / 5-message window is closed (or the customer has no chat at all) */
export const FALLBACKS = ['sms_or_owner_task', 'sms', 'owner_task', 'none'] as const;

const recipient = z.strictObject({
  username: z.string().min(1).max(64).optional(),
  wecom_userid: z.string().min(1).max(64).optional(),
  email: z.email().optional(),
  phone: z.string().min(5).max(20).optional(),
}).refine((r) => Object.keys(r).length > 0, 'a recipient needs username, wecom_userid, email or phone');

export const actionSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('send_message'), content: messageContentSchema, fallback: z.enum(FALLBACKS).default('sms_or_owner_task'), sms_text: z.string().min(1).max(300).optional() }),
  z.strictObject({ type: z.literal('send_survey'), head: z.string().min(1).max(300).default('请为本次服务打分'), tail: z.string().max(300).optional() }),
  z.strictObject({ type: z.literal('tag'), add: z.array(z.string().min(1).max(40)).default([]), remove: z.array(z.string().min(1).max(40)).default([]) }),
  z.strictObject({
    type: z.literal('create_ticket'), title: z.string().min(1).max(120), description: z.string().max(5000).default(''),
    category_id: z.string().max(40).optional(), priority: z.enum(['low', 'normal', 'high', 'urgent']).default('normal'), assignee_username: z.string().max(64).optional(),
  }),
  z.strictObject({ type: z.literal('notify'), to: recipient, summary: z.string().min(1).max(200), detail: z.string().max(2000).default(''), channels: z.array(z.enum(['wecom', 'email', 'sms'])).min(1).optional() }),
  /** hand the conversation to an agent (by username) or to a team, through routing, with a note */
  z.strictObject({ type: z.literal('assign'), to_username: z.string().min(1).max(64).optional(), to_team: z.string().min(1).max(64).optional(), note: z.string().max(200).optional() })
    .refine((a) => !!a.to_username !== !!a.to_team, { message: 'assign needs exactly one of to_username or to_team', path: ['to_username'] }),
  z.strictObject({ type: z.literal('webhook'), url: z.url({ protocol: /^https?$/ }), headers: z.record(z.string(), z.string().max(500)).optional(), timeout_ms: z.number().int().min(100).max(30_000).default(5000) }),
]);

export const ruleSchema = z.strictObject({
  name: z.string().trim().min(1, 'name is required').max(80),
  description: z.string().max(500).optional(),
  enabled: z.boolean().default(true),
  trigger: triggerSchema,
  conditions: conditionsSchema,
  actions: z.array(actionSchema).min(1, 'a rule needs at least one action').max(10),
}).superRefine((r, ctx) => {
  const ev = r.trigger.type === 'event' ? r.trigger.event : null;
  if (r.conditions.text_matches && ev !== 'message.received') ctx.addIssue({ code: 'custom', path: ['conditions', 'text_matches'], message: 'text_matches only applies to the message.received event' });
  if (r.conditions.score && ev !== 'survey.rated') ctx.addIssue({ code: 'custom', path: ['conditions', 'score'], message: 'score only applies to the survey.rated event' });
  if (r.conditions.score && r.conditions.score.min > r.conditions.score.max) ctx.addIssue({ code: 'custom', path: ['conditions', 'score'], message: 'score.min must not exceed score.max' });
});

export type RuleDefinition = z.infer<typeof ruleSchema>;
export type RuleInput = z.input<typeof ruleSchema>;
export type Action = z.infer<typeof actionSchema>;
export type Conditions = z.infer<typeof conditionsSchema>;
export type Trigger = z.infer<typeof triggerSchema>;

/** Validates a definition; a 400 `invalid_rule` listing every problem with its JSON path. */
export function parseRule(input: unknown): RuleDefinition {
  const r = ruleSchema.safeParse(input);
  if (r.success) return r.data;
  const details = r.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message }));
  throw badRequest('invalid_rule', `规则定义不正确: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details);
}

export function triggerKey(t: Trigger): string {
  return t.type === 'event' ? t.event : t.type;
}
