/**
 * Automation: rules (trigger + conditions + actions) and the built-in journeys.
 *
 * Durable and logged: a trigger occurrence (an event, a cron tick, a customer's date) becomes
 * one `automation.run` job on the scheduler, keyed by the occurrence and deduped in
 * `automation_triggers`, so it runs exactly once across instances. The run is logged in
 * `automation_runs`; each action is its own `automation.action` job and row, so a failing
 * action is retried with backoff on the scheduler (attempts and last error in its row) and
 * ends `failed` for good after the last attempt — never silently dropped — without repeating
 * the actions that succeeded.
 *
 * Proactive messages respect the channel's rules: on WeChat 微信客服 the 48 h / 5-message window
 * is checked by the channel itself; when it is closed the action falls back to SMS (the
 * notification service) or a task for the customer's WeCom owner employee, and the action's
 * result says which and why.
 */
import type { Kysely } from 'kysely';
import { Cron } from 'croner';
import { DateTime } from 'luxon';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import { AppError, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { Conversation, Message, MessageContent } from '../core/message.js';
import type { HubService } from '../hub/index.js';
import type { NotificationService, Recipient } from '../notify/index.js';
import type { Job, Scheduler } from '../scheduler/index.js';
import type { TicketService, TicketDto } from '../tickets/index.js';
import { parseRule, triggerKey, type Action, type AutomationEvent, type RuleDefinition } from './rules.js';
import type { AutomationDb, AutomationRulesTable, CustomerAutomationFields } from './schema.js';

export const JOB_RUN = 'automation.run';
export const JOB_ACTION = 'automation.action';
export const JOB_SWEEP = 'automation.sweep';
export const JOB_CRON = 'automation.cron';
const SWEEP_KEY = 'automation:sweep';
const SWEEP_EVERY_MS = 3_600_000;
/** date occurrences are scheduled this far ahead (covers every time zone) … */
const HORIZON_MS = 26 * 3_600_000;
/** … and still run when found this late (a sweep delayed by a restart) */
const GRACE_MS = 2 * 3_600_000;
const SURVEY_MENU = /^survey:([1-5])$/;
/** how long the enabled event rules are trusted before they are read again */
const RULES_TTL_MS = 2000;

export type AutomationDeps = {
  db: Kysely<any>;
  hub: HubService;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  scheduler: Scheduler;
  notify: NotificationService;
  tickets: TicketService;
  /** hands a conversation to an agent or a team through routing (the `assign` action) */
  assign?: (conversationId: string, to: { username: string } | { team: string }, note: string | undefined) => Promise<unknown>;
  /** attempts per action before it is failed for good; default 5 */
  actionAttempts?: number;
  /** first retry delay of an action; default 30 s (doubled per attempt) */
  actionBackoffMs?: number;
};

export type Context = {
  customer_id?: string | null;
  conversation_id?: string | null;
  message_id?: string;
  text?: string;
  channel?: string;
  intent?: string | null;
  ticket_id?: string;
  ticket_category?: string | null;
  ticket_priority?: string;
  score?: number;
  /** the local date a date-field journey fired for */
  occurrence?: string;
};

type Customer = AutomationDb['customers'];
export type RuleDto = RuleDefinition & { id: string; builtin: string | null; created_at: string; updated_at: string };
type RunPayload = { ruleId: string; trigger: string; key: string; ctx: Context };

/** Fails an action without retrying (nothing a retry could change). */
class PermanentActionError extends Error {}

export class AutomationService {
  private readonly db: Kysely<AutomationDb>;
  private readonly inflight = new Set<Promise<unknown>>();
  /**
   * Enabled event rules by trigger, parsed: every message fires 'message.received', and a query
   * per message for rules that rarely change cost more than the rest of the hook. Read again
   * after RULES_TTL_MS (edits on another instance) and at once after an edit here.
   */
  private eventRules: { at: number; byTrigger: Map<string, { id: string; def: RuleDefinition }[]> } | null = null;
  private rulesGeneration = 0;
  constructor(private readonly d: AutomationDeps) {
    this.db = d.db as Kysely<AutomationDb>;
  }

  start(): () => void {
    const { scheduler, bus, log } = this.d;
    scheduler.register<RunPayload>(JOB_RUN, (job) => this.runRule(job), { maxAttempts: 5, backoffMs: 10_000 });
    // a run's actions in their order (action ids are `<run id>-<index>`); they wait on channels and webhooks
    scheduler.register<{ actionId: string }>(JOB_ACTION, (job) => this.runAction(job), {
      maxAttempts: this.d.actionAttempts ?? 5, backoffMs: this.d.actionBackoffMs ?? 30_000, group: (p) => p.actionId.replace(/-\d+$/, ''), lane: 'delivery',
    });
    scheduler.register(JOB_SWEEP, () => this.sweep(), { maxAttempts: 3, backoffMs: 60_000 });
    scheduler.register<{ ruleId: string }>(JOB_CRON, (job) => this.cronTick(job), { maxAttempts: 3, backoffMs: 60_000 });
    const track = (what: string, p: Promise<unknown>) => {
      const q = p.catch((err: unknown) => log.error({ err }, `automation ${what} hook failed`)).finally(() => this.inflight.delete(q));
      this.inflight.add(q);
    };
    const offs = [
      bus.on('message.created', ({ message, conversation }) => track('message', this.onMessage(message, conversation))),
      bus.on('conversation.updated', ({ conversation }) => {
        if (conversation.status === 'closed') track('close', this.fire('conversation.closed', `conv:${conversation.id}:closed`, ctxOf(conversation)));
      }),
    ];
    const onTicket = (t: TicketDto) => track('ticket', this.onTicket(t));
    const onTicketCreated = (t: TicketDto) => track('ticket', this.fire('ticket.created', `ticket:${t.id}:created`, ticketCtx(t)));
    this.d.tickets.events.on('ticket.updated', onTicket);
    this.d.tickets.events.on('ticket.created', onTicketCreated);
    track('arm', this.armAll());
    return () => {
      for (const off of offs) off();
      this.d.tickets.events.off('ticket.updated', onTicket);
      this.d.tickets.events.off('ticket.created', onTicketCreated);
    };
  }

  /** Resolves once the event hooks started so far have scheduled their runs (tests). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.all([...this.inflight]);
  }

  // ---- rules CRUD ------------------------------------------------------------------------------

  async list(): Promise<RuleDto[]> {
    const rows = await this.db.selectFrom('automation_rules').selectAll().orderBy('created_at').orderBy('id').execute();
    return rows.map(toDto);
  }

  async get(id: string): Promise<RuleDto> {
    const r = await this.db.selectFrom('automation_rules').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('rule');
    return toDto(r);
  }

  async create(input: unknown, builtin: string | null = null): Promise<RuleDto> {
    const def = parseRule(input);
    const now = this.d.clock.now().toISOString();
    const id = newId('ar');
    await this.db.insertInto('automation_rules').values({
      id, name: def.name, enabled: def.enabled ? 1 : 0, trigger_key: triggerKey(def.trigger), definition_json: JSON.stringify(def), builtin, created_at: now, updated_at: now,
    }).execute();
    this.rulesChanged();
    await this.armRule(id, def);
    return this.get(id);
  }

  async update(id: string, input: unknown): Promise<RuleDto> {
    await this.get(id);
    const def = parseRule(input);
    await this.db.updateTable('automation_rules').set({
      name: def.name, enabled: def.enabled ? 1 : 0, trigger_key: triggerKey(def.trigger), definition_json: JSON.stringify(def), updated_at: this.d.clock.now().toISOString(),
    }).where('id', '=', id).execute();
    this.rulesChanged();
    await this.armRule(id, def);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.db.deleteFrom('automation_rules').where('id', '=', id).execute();
    this.rulesChanged();
    await this.d.scheduler.cancel(`automation:cron:${id}`);
  }

  async runs(q: { rule_id?: string; outcome?: string; limit?: number } = {}) {
    let s = this.db.selectFrom('automation_runs').selectAll();
    if (q.rule_id) s = s.where('rule_id', '=', q.rule_id);
    if (q.outcome) s = s.where('outcome', '=', q.outcome);
    const runs = await s.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit ?? 100).execute();
    const actions = runs.length ? await this.db.selectFrom('automation_run_actions').selectAll().where('run_id', 'in', runs.map((r) => r.id)).orderBy('idx').execute() : [];
    return runs.map((r) => ({
      id: r.id, rule_id: r.rule_id, rule_name: r.rule_name, trigger: r.trigger, customer_id: r.customer_id, conversation_id: r.conversation_id,
      context: JSON.parse(r.context_json) as Context, outcome: r.outcome, error: r.error, created_at: r.created_at, updated_at: r.updated_at,
      actions: actions.filter((a) => a.run_id === r.id).map((a) => ({
        idx: Number(a.idx), type: a.type, status: a.status, attempts: Number(a.attempts), result: a.result_json ? JSON.parse(a.result_json) : null, error: a.error, updated_at: a.updated_at,
      })),
    }));
  }

  tasks(customerId?: string) {
    let s = this.db.selectFrom('automation_tasks').leftJoin('customers', 'customers.id', 'automation_tasks.customer_id').selectAll('automation_tasks').select('customers.display_name as customer_name');
    if (customerId) s = s.where('automation_tasks.customer_id', '=', customerId);
    return s.orderBy('automation_tasks.created_at').execute();
  }

  /** An owner employee marks a fallback task done (or undoes that). */
  async setTaskStatus(id: string, status: 'open' | 'done') {
    const u = await this.db.updateTable('automation_tasks').set({ status }).where('id', '=', id).executeTakeFirst();
    if (Number(u.numUpdatedRows) !== 1) throw notFound('task');
    return this.db.selectFrom('automation_tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  }

  /** Runs per Beijing day and outcome over the last `days` days (the run log's chart). */
  async runsPerDay(q: { rule_id?: string; days: number }) {
    const zone = 'Asia/Shanghai';
    const today = DateTime.fromJSDate(this.d.clock.now(), { zone }).startOf('day');
    const first = today.minus({ days: q.days - 1 });
    let s = this.db.selectFrom('automation_runs').select(['created_at', 'outcome']).where('created_at', '>=', first.toUTC().toISO()!);
    if (q.rule_id) s = s.where('rule_id', '=', q.rule_id);
    const counts = new Map<string, Record<string, number>>();
    for (let i = 0; i < q.days; i++) counts.set(first.plus({ days: i }).toISODate()!, { succeeded: 0, failed: 0, skipped: 0, running: 0 });
    for (const r of await s.execute()) {
      const day = counts.get(DateTime.fromISO(r.created_at, { zone }).toISODate()!);
      if (day) day[r.outcome] = (day[r.outcome] ?? 0) + 1;
    }
    return [...counts].map(([date, c]) => ({ date, ...c }));
  }

  /** The journeys' customer attributes (birthday, membership expiry, phone, time zone, tags, owner). */
  async customerAttributes(id: string) {
    const c = await this.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
    if (!c) throw notFound('customer');
    return { id: c.id, birthday: c.birthday, membership_expiry: c.membership_expiry, phone: c.phone, timezone: c.timezone, owner_userid: c.owner_userid, tags: JSON.parse(c.tags_json || '[]') as string[] };
  }

  async setCustomerAttributes(id: string, patch: Partial<Omit<CustomerAutomationFields, 'tags_json'>> & { tags?: string[] }) {
    await this.customerAttributes(id);
    const { tags, ...rest } = patch;
    await this.db.updateTable('customers').set({ ...rest, ...(tags ? { tags_json: JSON.stringify([...new Set(tags)]) } : {}), updated_at: this.d.clock.now().toISOString() }).where('id', '=', id).execute();
    if (patch.birthday !== undefined || patch.membership_expiry !== undefined || patch.timezone !== undefined) await this.requestSweep();
    return this.customerAttributes(id);
  }

  // ---- triggers --------------------------------------------------------------------------------

  private async onMessage(message: Message, conversation: Conversation): Promise<void> {
    if (message.direction !== 'in' || message.sender_type !== 'customer') return;
    const c = message.content;
    const base = { ...ctxOf(conversation), message_id: message.id };
    if (c.type === 'text' && c.menu_id && SURVEY_MENU.test(c.menu_id)) {
      const score = Number(SURVEY_MENU.exec(c.menu_id)![1]);
      const survey = await this.db.selectFrom('automation_surveys').selectAll().where('customer_id', '=', conversation.customer_id).orderBy('sent_at', 'desc').executeTakeFirst();
      if (survey) await this.db.updateTable('automation_surveys').set({ score, rated_at: this.d.clock.now().toISOString() }).where('conversation_id', '=', survey.conversation_id).execute();
      await this.fire('survey.rated', `msg:${message.id}`, { ...base, score, ...(survey ? { conversation_id: survey.conversation_id } : {}) });
      return;
    }
    await this.fire('message.received', `msg:${message.id}`, { ...base, text: c.type === 'text' ? c.text : '' });
  }

  /** sla.warning: once per due time the ticket's clock warns about (a new due time warns again). */
  private async onTicket(t: TicketDto): Promise<void> {
    if (t.sla.state === 'warning') {
      const due = t.sla.first_response?.state === 'warning' ? t.sla.first_response.due_at : t.sla.resolution?.due_at;
      await this.fire('sla.warning', `ticket:${t.id}:warning:${due ?? ''}`, ticketCtx(t));
    }
  }

  /** One event occurrence: a run job per enabled rule on that event whose conditions hold now. */
  private async fire(event: AutomationEvent, occurrence: string, ctx: Context): Promise<void> {
    for (const { id, def } of await this.rulesOn(event)) {
      if (!(await this.matches(def, ctx))) continue;
      await this.enqueue(id, event, `${id}:${occurrence}`, ctx, this.d.clock.now());
    }
  }

  private async rulesOn(event: AutomationEvent): Promise<{ id: string; def: RuleDefinition }[]> {
    const now = Date.now();
    if (!this.eventRules || now - this.eventRules.at >= RULES_TTL_MS) {
      const generation = this.rulesGeneration;
      const rows = await this.db.selectFrom('automation_rules').select(['id', 'trigger_key', 'definition_json']).where('enabled', '=', 1).orderBy('created_at').orderBy('id').execute();
      const byTrigger = new Map<string, { id: string; def: RuleDefinition }[]>();
      for (const r of rows) byTrigger.set(r.trigger_key, [...(byTrigger.get(r.trigger_key) ?? []), { id: r.id, def: JSON.parse(r.definition_json) as RuleDefinition }]);
      // a read that started before an edit here is already stale
      if (generation !== this.rulesGeneration) return byTrigger.get(event) ?? [];
      this.eventRules = { at: now, byTrigger };
    }
    return this.eventRules.byTrigger.get(event) ?? [];
  }

  /** After a rule changed here: the next event reads the rules again. */
  private rulesChanged(): void {
    this.rulesGeneration++;
    this.eventRules = null;
  }

  /** Schedules the run of one trigger occurrence, once (the trigger table dedupes). */
  private async enqueue(ruleId: string, trigger: string, key: string, ctx: Context, at: Date): Promise<boolean> {
    const ins = await this.db.insertInto('automation_triggers').values({ key, created_at: this.d.clock.now().toISOString() }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await this.d.scheduler.schedule(JOB_RUN, `automation:run:${key}`, at, { ruleId, trigger, key, ctx } satisfies RunPayload);
    return true;
  }

  private async armAll(): Promise<void> {
    for (const r of await this.db.selectFrom('automation_rules').selectAll().where('trigger_key', '=', 'cron').execute()) await this.armRule(r.id, JSON.parse(r.definition_json));
    await this.requestSweep();
  }

  private async armRule(id: string, def: RuleDefinition): Promise<void> {
    if (def.trigger.type === 'cron') {
      const next = def.enabled ? new Cron(def.trigger.cron, { timezone: def.trigger.timezone, paused: true }).nextRun(this.d.clock.now()) : null;
      if (next) await this.d.scheduler.schedule(JOB_CRON, `automation:cron:${id}`, next, { ruleId: id });
      else await this.d.scheduler.cancel(`automation:cron:${id}`);
    } else if (def.trigger.type === 'date_field') await this.requestSweep();
  }

  /** Runs the date sweep now (new rule, changed customer dates) instead of at the next hour. */
  async requestSweep(): Promise<void> {
    await this.d.scheduler.schedule(JOB_SWEEP, SWEEP_KEY, this.d.clock.now(), {});
  }

  private async cronTick(job: Job<{ ruleId: string }>): Promise<void> {
    const r = await this.db.selectFrom('automation_rules').selectAll().where('id', '=', job.payload.ruleId).executeTakeFirst();
    if (!r || !r.enabled) return;
    const def = JSON.parse(r.definition_json) as RuleDefinition;
    if (def.trigger.type !== 'cron') return;
    const at = job.runAt.toISOString();
    if (await this.matches(def, {})) await this.enqueue(r.id, 'cron', `${r.id}:cron:${at}`, {}, this.d.clock.now());
    const next = new Cron(def.trigger.cron, { timezone: def.trigger.timezone, paused: true }).nextRun(new Date(Math.max(this.d.clock.now().getTime(), job.runAt.getTime())));
    if (next) await this.d.scheduler.schedule(JOB_CRON, job.key, next, job.payload);
  }

  /**
   * Date journeys: for each date rule and customer, the occurrence (the date ± offset, at the
   * rule's local time in the customer's zone) falling within the next hours gets its run job
   * at that exact instant. Runs hourly and whenever rules or customer dates change.
   */
  private async sweep(): Promise<void> {
    const now = this.d.clock.now();
    try {
      const rules = await this.db.selectFrom('automation_rules').selectAll().where('trigger_key', '=', 'date_field').where('enabled', '=', 1).execute();
      for (const r of rules) {
        const def = JSON.parse(r.definition_json) as RuleDefinition;
        const t = def.trigger;
        if (t.type !== 'date_field') continue;
        const customers = await this.db.selectFrom('customers').select(['id', 'birthday', 'membership_expiry', 'timezone']).where(t.field, 'is not', null).execute();
        for (const c of customers) {
          for (const occ of occurrences(c[t.field]!, t.offset_days, t.at, t.yearly ?? t.field === 'birthday', c.timezone ?? 'Asia/Shanghai', now)) {
            if (occ.at.getTime() <= now.getTime() - GRACE_MS || occ.at.getTime() > now.getTime() + HORIZON_MS) continue;
            const at = occ.at.getTime() < now.getTime() ? now : occ.at;
            await this.enqueue(r.id, `date_field:${t.field}`, `${r.id}:${c.id}:${occ.date}`, { customer_id: c.id, occurrence: occ.date }, at);
          }
        }
      }
    } finally {
      await this.d.scheduler.schedule(JOB_SWEEP, SWEEP_KEY, new Date(now.getTime() + SWEEP_EVERY_MS), {});
    }
  }

  // ---- runs ------------------------------------------------------------------------------------

  private async runRule(job: Job<RunPayload>): Promise<void> {
    const { ruleId, trigger, key, ctx } = job.payload;
    const now = this.d.clock.now().toISOString();
    const r = await this.db.selectFrom('automation_rules').selectAll().where('id', '=', ruleId).executeTakeFirst();
    const existing = await this.db.selectFrom('automation_runs').select(['id']).where('dedupe_key', '=', key).executeTakeFirst();
    if (existing) return this.scheduleActions(existing.id);
    const runId = newId('arun');
    const base = {
      id: runId, rule_id: ruleId, rule_name: r?.name ?? '(deleted)', trigger, dedupe_key: key, customer_id: ctx.customer_id ?? null, conversation_id: ctx.conversation_id ?? null,
      context_json: JSON.stringify(ctx), error: null, created_at: now, updated_at: now,
    };
    const def = r ? (JSON.parse(r.definition_json) as RuleDefinition) : null;
    const skip = !r ? 'rule deleted' : !r.enabled ? 'rule disabled' : !(await this.matches(def!, ctx)) ? 'conditions not met' : null;
    if (skip) {
      await this.db.insertInto('automation_runs').values({ ...base, outcome: 'skipped', error: skip }).onConflict((oc) => oc.doNothing()).execute();
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('automation_runs').values({ ...base, outcome: 'running' }).execute();
      let idx = 0;
      for (const a of def!.actions) {
        await tx.insertInto('automation_run_actions').values({
          id: `${runId}-${idx}`, run_id: runId, idx, type: a.type, action_json: JSON.stringify(a), status: 'pending', attempts: 0, result_json: null, error: null, updated_at: now,
        }).execute();
        idx++;
      }
    });
    this.d.log.info({ rule: r!.name, trigger, ctx }, 'automation rule fired');
    await this.scheduleActions(runId);
  }

  private async scheduleActions(runId: string): Promise<void> {
    const pending = await this.db.selectFrom('automation_run_actions').select(['id']).where('run_id', '=', runId).where('status', '=', 'pending').where('attempts', '=', 0).execute();
    for (const a of pending) {
      if (!(await this.d.scheduler.get(`automation:action:${a.id}`))) await this.d.scheduler.schedule(JOB_ACTION, `automation:action:${a.id}`, this.d.clock.now(), { actionId: a.id });
    }
  }

  private async runAction(job: Job<{ actionId: string }>): Promise<void> {
    const row = await this.db.selectFrom('automation_run_actions').selectAll().where('id', '=', job.payload.actionId).executeTakeFirst();
    if (!row || row.status === 'succeeded' || row.status === 'failed') return;
    const run = (await this.db.selectFrom('automation_runs').selectAll().where('id', '=', row.run_id).executeTakeFirst())!;
    const action = JSON.parse(row.action_json) as Action;
    const ctx = JSON.parse(run.context_json) as Context;
    const set = async (status: string, result: unknown, error: string | null) => {
      await this.db.updateTable('automation_run_actions').set({ status, attempts: job.attempts, result_json: result == null ? null : JSON.stringify(result), error, updated_at: this.d.clock.now().toISOString() }).where('id', '=', row.id).execute();
      await this.settleRun(run.id);
    };
    try {
      const result = await this.execute(action, ctx, run.id, row.id);
      await set(result && typeof result === 'object' && 'skipped' in result ? 'skipped' : 'succeeded', result, null);
    } catch (e) {
      const error = (e instanceof Error ? e.message : String(e)).slice(0, 1000);
      const final = e instanceof PermanentActionError || job.attempts >= job.maxAttempts;
      await set(final ? 'failed' : 'retrying', null, error);
      this.d.log.warn({ rule: run.rule_name, action: action.type, attempt: job.attempts, final, err: error }, final ? 'automation action failed for good' : 'automation action failed, will retry');
      if (!(e instanceof PermanentActionError)) throw e; // the scheduler retries with backoff
    }
  }

  private async settleRun(runId: string): Promise<void> {
    const acts = await this.db.selectFrom('automation_run_actions').select(['status', 'type', 'error']).where('run_id', '=', runId).execute();
    const open = acts.some((a) => a.status === 'pending' || a.status === 'retrying');
    const failed = acts.filter((a) => a.status === 'failed');
    const outcome = open ? 'running' : failed.length ? 'failed' : 'succeeded';
    await this.db.updateTable('automation_runs').set({ outcome, error: failed.map((a) => `${a.type}: ${a.error}`).join('; ') || null, updated_at: this.d.clock.now().toISOString() }).where('id', '=', runId).execute();
  }

  // ---- conditions ------------------------------------------------------------------------------

  private async matches(def: RuleDefinition, ctx: Context): Promise<boolean> {
    const c = def.conditions;
    if (c.text_matches && !new RegExp(c.text_matches, 'u').test(ctx.text ?? '')) return false;
    if (c.score && (ctx.score === undefined || ctx.score < c.score.min || ctx.score > c.score.max)) return false;
    if (c.channels && !(ctx.channel && (c.channels as string[]).includes(ctx.channel))) return false;
    if (c.ticket_categories && !(ctx.ticket_category && c.ticket_categories.includes(ctx.ticket_category))) return false;
    if (c.ticket_priorities && !(ctx.ticket_priority && (c.ticket_priorities as string[]).includes(ctx.ticket_priority))) return false;
    if (c.intents && !(ctx.intent && c.intents.includes(ctx.intent))) return false;
    if (c.time_window && !inWindow(c.time_window, this.d.clock.now())) return false;
    if (c.served_by_human !== undefined && (await this.servedByHuman(ctx.conversation_id)) !== c.served_by_human) return false;
    if (c.tiers || c.tags_any || c.tags_all || c.tags_none || (c.intents && !ctx.intent)) {
      const cust = ctx.customer_id ? await this.customer(ctx.customer_id) : undefined;
      if (!cust) return false;
      const tags: string[] = JSON.parse(cust.tags_json || '[]');
      if (c.tiers && !c.tiers.includes(cust.tier)) return false;
      if (c.tags_any && !c.tags_any.some((t) => tags.includes(t))) return false;
      if (c.tags_all && !c.tags_all.every((t) => tags.includes(t))) return false;
      if (c.tags_none && c.tags_none.some((t) => tags.includes(t))) return false;
    }
    return true;
  }

  private async servedByHuman(conversationId: string | null | undefined): Promise<boolean> {
    if (!conversationId) return false;
    return !!(await this.db.selectFrom('messages').select('id').where('conversation_id', '=', conversationId).where('sender_type', '=', 'agent').limit(1).executeTakeFirst());
  }

  private customer(id: string): Promise<Customer | undefined> {
    return this.db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  // ---- actions ---------------------------------------------------------------------------------

  private async execute(a: Action, ctx: Context, runId: string, actionId: string): Promise<unknown> {
    const cust = ctx.customer_id ? await this.customer(ctx.customer_id) : undefined;
    const vars = this.vars(cust, ctx);
    switch (a.type) {
      case 'send_message': {
        if (!cust) throw new PermanentActionError('no customer to send to');
        const content = fill(a.content, vars) as MessageContent;
        const smsText = a.sms_text ? fillText(a.sms_text, vars) : plainText(content);
        return this.deliver(cust, ctx, content, actionId, runId, a.fallback, smsText);
      }
      case 'send_survey': {
        if (!cust) throw new PermanentActionError('no customer to survey');
        const conv = await this.targetConversation(cust.id, ctx);
        if (!conv) return { skipped: 'no conversation' };
        const ins = await this.db.insertInto('automation_surveys').values({ conversation_id: conv.id, customer_id: cust.id, sent_at: this.d.clock.now().toISOString(), score: null, rated_at: null })
          .onConflict((oc) => oc.doNothing()).executeTakeFirst();
        if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) {
          const prev = await this.db.selectFrom('automation_run_actions').select('id').where('id', '=', actionId).where('attempts', '>', 0).executeTakeFirst();
          if (!prev) return { skipped: 'survey already sent for this conversation' };
        }
        const content: MessageContent = {
          type: 'menu', head: fillText(a.head, vars),
          items: [1, 2, 3, 4, 5].map((n) => ({ type: 'click' as const, id: `survey:${n}`, content: `${n}★${n === 5 ? ' 非常满意' : n === 1 ? ' 非常不满意' : ''}` })),
          ...(a.tail ? { tail: fillText(a.tail, vars) } : {}),
        };
        return this.deliver(cust, { ...ctx, conversation_id: conv.id }, content, actionId, runId, 'none', '');
      }
      case 'tag': {
        if (!cust) throw new PermanentActionError('no customer to tag');
        const tags = new Set<string>(JSON.parse(cust.tags_json || '[]'));
        for (const t of a.add) tags.add(t);
        for (const t of a.remove) tags.delete(t);
        await this.db.updateTable('customers').set({ tags_json: JSON.stringify([...tags]) }).where('id', '=', cust.id).execute();
        return { tags: [...tags] };
      }
      case 'create_ticket': {
        const done = await this.db.selectFrom('tickets').select(['id', 'number']).where('title', '=', fillText(a.title, vars)).where('customer_id', '=', cust?.id ?? '').where('created_at', '>=', new Date(this.d.clock.now().getTime() - 86_400_000).toISOString()).executeTakeFirst();
        if (done && (await this.previousAttempts(actionId))) return { ticket_id: done.id, number: done.number, note: 'created by an earlier attempt' };
        const assignee = a.assignee_username ? await this.db.selectFrom('users').select('id').where('username', '=', a.assignee_username).executeTakeFirst() : undefined;
        if (a.assignee_username && !assignee) throw new PermanentActionError(`unknown user ${a.assignee_username}`);
        const t = await this.d.tickets.create({
          title: fillText(a.title, vars), description: fillText(a.description, vars), priority: a.priority,
          ...(a.category_id ? { category_id: a.category_id } : {}), ...(assignee ? { assignee_id: assignee.id } : {}),
          customer_id: cust?.id ?? null, conversation_id: ctx.conversation_id ?? null,
        }, { type: 'system', id: null });
        return { ticket_id: t.id, number: t.number, assignee: t.assignee?.display_name ?? null };
      }
      case 'notify': {
        const to = await this.recipient(a.to);
        const res = await this.d.notify.send({ to, template: 'supervisor_alert', vars: { summary: fillText(a.summary, vars), detail: fillText(a.detail, vars), at: this.d.clock.now() }, ...(a.channels ? { channels: a.channels } : {}) });
        if (!res.deliveries.some((d) => d.outcome === 'sent')) {
          const why = res.deliveries.map((d) => `${d.channel}:${d.outcome}${d.reason ? `(${d.reason})` : ''}`).join(', ');
          if (res.deliveries.some((d) => d.outcome === 'failed')) throw new Error(`notification not delivered: ${why}`);
          throw new PermanentActionError(`notification reached no channel: ${why}`);
        }
        return { notification_id: res.notificationId, deliveries: res.deliveries.map((d) => ({ channel: d.channel, outcome: d.outcome })) };
      }
      case 'assign': {
        if (!ctx.conversation_id) throw new PermanentActionError('no conversation to assign');
        if (!this.d.assign) throw new PermanentActionError('assignment is not available');
        const to = a.to_username ? { username: a.to_username } : { team: a.to_team! };
        try {
          return await this.d.assign(ctx.conversation_id, to, a.note ? fillText(a.note, vars) : undefined);
        } catch (e) {
          // an unknown agent/team or a closed conversation will not change by retrying; a full or offline agent may
          if (e instanceof AppError && (e.status === 404 || e.code === 'conversation_closed' || e.code === 'with_bot')) throw new PermanentActionError(e.message);
          throw e;
        }
      }
      case 'webhook': {
        const ctrl = AbortSignal.timeout(a.timeout_ms);
        const res = await fetch(a.url, {
          method: 'POST', signal: ctrl,
          headers: { 'content-type': 'application/json', 'x-kefu-run': runId, ...a.headers },
          body: JSON.stringify({ run_id: runId, context: ctx, customer: cust ? { id: cust.id, display_name: cust.display_name, tier: cust.tier } : null, at: this.d.clock.now().toISOString() }),
        });
        if (!res.ok) throw new Error(`webhook ${a.url} answered HTTP ${res.status}`);
        return { status: res.status };
      }
    }
  }

  private async previousAttempts(actionId: string): Promise<boolean> {
    return !!(await this.db.selectFrom('automation_run_actions').select('id').where('id', '=', actionId).where('attempts', '>', 0).executeTakeFirst());
  }

  private vars(cust: Customer | undefined, ctx: Context): Record<string, string> {
    return {
      name: cust?.display_name ?? '', tier: cust?.tier ?? '', birthday: cust?.birthday ?? '', membership_expiry: cust?.membership_expiry ?? '',
      score: ctx.score !== undefined ? String(ctx.score) : '', occurrence: ctx.occurrence ?? '', customer_id: cust?.id ?? '',
    };
  }

  /** The conversation to write to: the trigger's, else the customer's latest (WeChat first). */
  private async targetConversation(customerId: string, ctx: Context): Promise<Conversation | undefined> {
    if (ctx.conversation_id) {
      const c = await this.d.hub.getConversation(ctx.conversation_id);
      if (c && c.status !== 'closed') return c;
      const open = c ? await this.d.hub.findOpenConversation(customerId, c.channel, c.channel_account) : undefined;
      return open ?? c;
    }
    const rows = await this.db.selectFrom('conversations').select(['id', 'channel', 'status']).where('customer_id', '=', customerId).orderBy('last_message_at', 'desc').limit(20).execute();
    const pick = rows.find((r) => r.status !== 'closed' && r.channel === 'wecom_kf') ?? rows.find((r) => r.channel === 'wecom_kf') ?? rows.find((r) => r.status !== 'closed') ?? rows[0];
    return pick ? this.d.hub.getConversation(pick.id) : undefined;
  }

  /**
   * Sends through the customer's chat channel when its rules allow; otherwise falls back (SMS,
   * or a task for the WeCom owner employee) and says which and why.
   */
  private async deliver(cust: Customer, ctx: Context, content: MessageContent, actionId: string, runId: string, fallback: string, smsText: string): Promise<unknown> {
    const conv = await this.targetConversation(cust.id, ctx);
    let refused: { code: string; reason: string } = { code: 'no_conversation', reason: '客户没有可用的会话渠道' };
    if (conv) {
      const r = conv.status !== 'closed' ? await this.sendOpen(conv, content, actionId) : await this.sendDirect(conv, content, actionId);
      if (r.ok) return { via: conv.channel, conversation_id: conv.id, message_id: r.messageId };
      if (!isWindowClosed(r.code)) throw new Error(`send on ${conv.channel} failed: ${r.code} ${r.reason}`);
      refused = { code: r.code, reason: r.reason };
    }
    if (fallback === 'none') return { skipped: `not sent: ${refused.reason}`, via: 'none', window: refused };
    const text = smsText || plainText(content);
    if ((fallback === 'sms' || fallback === 'sms_or_owner_task') && cust.phone) {
      const res = await this.d.notify.send({ to: { name: cust.display_name, phone: cust.phone, preferences: {} }, template: 'customer_sms', vars: { text }, channels: ['sms'] });
      const d = res.deliveries[0]!;
      if (d.outcome === 'sent') return { via: 'sms', fallback: true, because: refused, address: d.address, template: 'customer_sms' };
      if (d.outcome === 'failed') throw new Error(`SMS fallback failed: ${d.reason ?? ''}`);
      if (fallback === 'sms') throw new PermanentActionError(`SMS fallback not possible: ${d.reason ?? d.outcome}`);
    }
    if ((fallback === 'owner_task' || fallback === 'sms_or_owner_task') && cust.owner_userid) {
      const taskId = `${actionId}-task`;
      await this.db.insertInto('automation_tasks').values({
        id: taskId, customer_id: cust.id, owner_userid: cust.owner_userid, run_id: runId, text, reason: refused.reason, status: 'open', created_at: this.d.clock.now().toISOString(),
      }).onConflict((oc) => oc.doNothing()).execute();
      const res = await this.d.notify.send({ to: { wecomUserId: cust.owner_userid, preferences: {} }, template: 'supervisor_alert', vars: { summary: `请联系客户 ${cust.display_name}`, detail: `${text}\n（微信客服无法主动发送：${refused.reason}）`, at: this.d.clock.now() }, channels: ['wecom'] });
      return { via: 'owner_task', fallback: true, because: refused, task_id: taskId, owner_userid: cust.owner_userid, notified: res.deliveries[0]?.outcome };
    }
    throw new PermanentActionError(`not delivered: ${refused.reason}; no fallback (phone: ${cust.phone ? 'yes' : 'no'}, owner: ${cust.owner_userid ? 'yes' : 'no'})`);
  }

  private async sendOpen(conv: Conversation, content: MessageContent, actionId: string): Promise<{ ok: true; messageId: string } | { ok: false; code: string; reason: string }> {
    const r = await this.d.hub.send({ conversation_id: conv.id, sender: { type: 'bot', id: null }, content, client_msg_id: `auto-${actionId}` });
    if (r.message.status === 'sent') return { ok: true, messageId: r.message.id };
    return { ok: false, code: r.message.fail_code ?? 'send_failed', reason: r.message.fail_reason ?? '发送失败' };
  }

  /** A closed conversation (the survey after 结束会话, a journey weeks later): the hub sends by the channel's rules for that. */
  private async sendDirect(conv: Conversation, content: MessageContent, actionId: string): Promise<{ ok: true; messageId: string } | { ok: false; code: string; reason: string }> {
    const r = await this.d.hub.sendAfterClose({ conversation_id: conv.id, sender: { type: 'bot', id: null }, content, client_msg_id: `auto-${actionId}`.slice(0, 64) });
    if (r.message.status === 'sent') return { ok: true, messageId: r.message.id };
    return { ok: false, code: r.message.fail_code ?? 'send_failed', reason: r.message.fail_reason ?? '发送失败' };
  }

  private async recipient(to: { username?: string; wecom_userid?: string; email?: string; phone?: string }): Promise<Recipient> {
    const out: Recipient = { ...(to.wecom_userid ? { wecomUserId: to.wecom_userid } : {}), ...(to.email ? { email: to.email } : {}), ...(to.phone ? { phone: to.phone } : {}) };
    if (!to.username) return out;
    const u = await this.db.selectFrom('users').select(['id', 'display_name']).where('username', '=', to.username).executeTakeFirst();
    if (!u) throw new PermanentActionError(`unknown user ${to.username}`);
    for (const d of await this.db.selectFrom('departments').select('contacts_json').execute()) {
      const c = (JSON.parse(d.contacts_json ?? '{}') as Record<string, { wecom_userid?: string; email?: string; phone?: string }>)[u.id];
      if (c) return { userId: u.id, name: u.display_name, ...(c.wecom_userid ? { wecomUserId: c.wecom_userid } : {}), ...(c.email ? { email: c.email } : {}), ...(c.phone ? { phone: c.phone } : {}), ...out };
    }
    return { userId: u.id, name: u.display_name, ...out };
  }
}

// ---- helpers -----------------------------------------------------------------------------------

function ticketCtx(t: TicketDto): Context {
  return { ticket_id: t.id, customer_id: t.customer?.id ?? null, conversation_id: t.conversation_id, ticket_category: t.category?.id ?? null, ticket_priority: t.priority };
}

function ctxOf(c: Conversation): Context {
  return { customer_id: c.customer_id, conversation_id: c.id, channel: c.channel, intent: c.handoff?.intent?.id ?? null };
}

function toDto(r: AutomationRulesTable): RuleDto {
  return { ...(JSON.parse(r.definition_json) as RuleDefinition), enabled: !!Number(r.enabled), id: r.id, builtin: r.builtin, created_at: r.created_at, updated_at: r.updated_at };
}

export function isWindowClosed(code: string): boolean {
  return code === 'window_closed' || /^wecom_950(01|02|13|18)$/.test(code);
}

const fillText = (s: string, vars: Record<string, string>) => s.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => vars[k] ?? m);
function fill<T>(v: T, vars: Record<string, string>): T {
  if (typeof v === 'string') return fillText(v, vars) as T;
  if (Array.isArray(v)) return v.map((x) => fill(x, vars)) as T;
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'url' || k === 'id' ? x : fill(x, vars)])) as T;
  return v;
}

function plainText(c: MessageContent): string {
  if (c.type === 'text') return c.text;
  if (c.type === 'link') return `${c.title}${c.desc ? ` ${c.desc}` : ''} ${c.url}`;
  if (c.type === 'menu') return [c.head, ...c.items.map((i) => i.content), c.tail].filter(Boolean).join(' ');
  return '';
}

/** Local HH:MM window, optionally on some weekdays (1 = Monday). */
function inWindow(w: { start: string; end: string; timezone: string; days?: number[] | undefined }, now: Date): boolean {
  const t = DateTime.fromJSDate(now, { zone: w.timezone });
  if (w.days && !w.days.includes(t.weekday)) return false;
  const hm = t.toFormat('HH:mm');
  return w.start <= w.end ? hm >= w.start && hm < w.end : hm >= w.start || hm < w.end;
}

/**
 * The instants a date journey fires for one customer around `now`: the date (this, last and
 * next year when yearly) shifted by `offsetDays`, at `at` local time in `zone`.
 * 29 February falls on the 28th in other years.
 */
export function occurrences(value: string, offsetDays: number, at: string, yearly: boolean, zone: string, now: Date): { date: string; at: Date }[] {
  const m = /^(\d{4}|-)-?(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return [];
  const [hh, mm] = at.split(':').map(Number) as [number, number];
  const tz = DateTime.now().setZone(zone).isValid ? zone : 'Asia/Shanghai';
  const year = DateTime.fromJSDate(now, { zone: tz }).year;
  const years = yearly ? [year - 1, year, year + 1] : m[1] === '-' ? [] : [Number(m[1])];
  const out: { date: string; at: Date }[] = [];
  for (const y of years) {
    let base = DateTime.fromObject({ year: y, month: Number(m[2]), day: Number(m[3]) }, { zone: tz });
    if (!base.isValid && m[2] === '02' && m[3] === '29') base = DateTime.fromObject({ year: y, month: 2, day: 28 }, { zone: tz });
    if (!base.isValid) continue;
    const day = base.plus({ days: offsetDays });
    const fireAt = day.set({ hour: hh, minute: mm, second: 0, millisecond: 0 });
    out.push({ date: day.toISODate()!, at: fireAt.toJSDate() });
  }
  return out;
}
