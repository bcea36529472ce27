/**
 * Tickets: create (API, conversation, widget leave-a-message), workflow with audit trail,
 * comments (public → to the customer through their channel), cross-department hand-over, and
 * SLA clocks with escalation on the durable scheduler.
 *
 * SLA facts are stored (the status timeline, first_response_at); badges are derived at read
 * time with the calendar maths, and the escalation timers are re-armed from the same maths
 * after every change. Every timer handler re-checks the ticket before acting, so a stale
 * timer (paused clock, answered ticket) does nothing.
 */
import { EventEmitter } from 'node:events';
import type { Kysely, Transaction } from 'kysely';
import type { Clock } from '../core/clock.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import type { EventBus } from '../core/events.js';
import { newId } from '../core/ids.js';
import { batchLoader } from '../core/batch.js';
import type { Logger } from '../core/logger.js';
import type { Conversation, Message } from '../core/message.js';
import type { Database } from '../db/schema.js';
import type { HubService } from '../hub/index.js';
import type { NotificationService, Recipient } from '../notify/index.js';
import type { ChannelName } from '../notify/types.js';
import type { Scheduler, Job } from '../scheduler/index.js';
import { createCalendar, localDate, slaDue, slaStatus, type BusinessCalendar, type SlaBadge, type SlaHistory, type SlaPolicy } from '../calendar/index.js';
import type { DemoCrm } from './demo-crm.js';
import {
  assertTransition, createTicketSchema, escalationLevelSchema, fromConversationSchema, validateCustomFields, STATUS_LABEL,
  type Actor, type ContextKind, type CreateTicketInput, type EscalationLevel, type FieldDefinition, type ListQuery, type TicketPriority, type TicketStatus,
} from './model.js';
import type { TicketsTable } from './schema.js';
import type { z } from 'zod';

type Tx = Kysely<Database> | Transaction<Database>;
type Row = TicketsTable;

export type TicketDeps = {
  db: Kysely<Database>;
  hub: HubService;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  scheduler: Scheduler;
  notify: NotificationService;
  crm: DemoCrm;
  /** base of links in notifications (KEFU_PUBLIC_URL) */
  publicUrl: string;
};

type PolicyRow = Database['sla_policies'];
type Policy = { row: PolicyRow; cal: BusinessCalendar; sla: SlaPolicy; ladder: EscalationLevel[]; match: { priorities?: string[]; categories?: string[]; tiers?: string[] } };

export type SlaView = {
  policy: { id: string; name: string } | null;
  /** the badge: worst of both clocks (breached > warning > ok > paused > missed > met), 'none' without a policy */
  state: SlaBadge['state'] | 'none';
  first_response: (Omit<SlaBadge, 'dueAt'> & { due_at: string | null }) | null;
  resolution: (Omit<SlaBadge, 'dueAt'> & { due_at: string | null }) | null;
};

export const TARGET_LABEL = { first_response: '首次响应', resolution: '解决' } as const;
type Target = keyof typeof TARGET_LABEL;

const JOB_ESCALATE = 'ticket.escalate';
const JOB_WARN = 'ticket.sla_warning';
const JOB_NOTIFY = 'ticket.notify';

const INTENT_CATEGORY: Record<string, string> = {
  refund_process: 'after_sales', return_exchange: 'after_sales', damaged_package: 'after_sales', missing_items: 'after_sales',
  allergic_reaction: 'after_sales', shelf_life: 'after_sales', authenticity_check: 'after_sales', urge_shipping: 'after_sales', cancel_order: 'after_sales',
  invoice: 'finance', payment_issue: 'finance', price_protection: 'finance', membership_renewal: 'finance',
  account_login: 'technical', complaint: 'complaint',
};
const KEYWORD_CATEGORY: [RegExp, string][] = [
  [/投诉|差评|12315|曝光|领导/, 'complaint'],
  [/发票|开票|税号|合同|对账|付款|退款到账/, 'finance'],
  [/仪器|美容仪|设备|开不了机|充不进电|固件|App|APP|登录|闪退|报错/, 'technical'],
  [/坏|破损|漏发|少发|过敏|维修|退货|换货|质量/, 'after_sales'],
];

/** Guesses a category from the bot's hand-off intent, else from keywords. */
export function guessCategory(intentId: string | null | undefined, text: string): string | null {
  if (intentId && INTENT_CATEGORY[intentId]) return INTENT_CATEGORY[intentId]!;
  for (const [re, cat] of KEYWORD_CATEGORY) if (re.test(text)) return cat;
  return null;
}

function parse<T>(s: string | null | undefined, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

function zodInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const r = schema.safeParse(input);
  if (!r.success) {
    const details = r.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message }));
    throw badRequest('validation_error', `请求参数不正确: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, details);
  }
  return r.data;
}

const minutesText = (m: number) => (m % 60 === 0 ? `${m / 60} 小时` : m > 60 ? `${Math.floor(m / 60)} 小时 ${Math.round(m % 60)} 分钟` : `${Math.round(m)} 分钟`);

export class TicketService {
  /** 'ticket.updated' (the ticket DTO) after every change: realtime push, automation rules; 'ticket.created' once more for a new ticket */
  readonly events = new EventEmitter();
  private readonly calendars = new Map<string, BusinessCalendar>();
  private readonly db: Kysely<Database>;

  constructor(private readonly d: TicketDeps) {
    this.db = d.db;
  }

  /** Registers the timer handlers and listens to the hub. */
  start(): () => void {
    const { scheduler, bus, log } = this.d;
    // one ticket's timers run one after the other (level 1 before level 2); tickets side by side
    const group = (p: { ticketId: string }) => `ticket:${p.ticketId}`;
    scheduler.register<{ ticketId: string; level: number }>(JOB_ESCALATE, (job) => this.runEscalation(job), { maxAttempts: 5, backoffMs: 10_000, group });
    scheduler.register<{ ticketId: string; target: Target }>(JOB_WARN, (job) => this.runWarning(job), { maxAttempts: 5, backoffMs: 10_000, group });
    scheduler.register<NotifyPayload>(JOB_NOTIFY, (job) => this.runNotify(job), { maxAttempts: 6, backoffMs: 30_000, lane: 'delivery' });
    return bus.on('message.created', ({ message, conversation }) =>
      this.onMessage(message, conversation).catch((err) => log.error({ err, message_id: message.id }, 'ticket message hook failed')),
    );
  }

  // ---- reference data -------------------------------------------------------------------------

  async meta() {
    const [categories, departments, policies] = await Promise.all([
      this.db.selectFrom('ticket_categories').selectAll().orderBy('sort').execute(),
      this.db.selectFrom('departments').select(['id', 'name', 'head_user_id', 'next_manager_user_id']).orderBy('name').execute(),
      this.policies(),
    ]);
    return {
      statuses: Object.entries(STATUS_LABEL).map(([id, name]) => ({ id, name })),
      categories: categories.map((c) => ({ id: c.id, name: c.name, fields: parse<FieldDefinition[]>(c.fields_json, []), context_kind: c.context_kind, default_department_id: c.default_department_id })),
      departments,
      sla_policies: policies.map((p) => ({
        id: p.row.id, name: p.row.name, match: p.match, calendar: p.cal.definition.name ?? p.cal.definition.id ?? p.cal.definition.mode,
        first_response_minutes: p.row.first_response_minutes, resolution_minutes: p.row.resolution_minutes, warn_before_minutes: p.row.warn_before_minutes, escalation: p.ladder,
      })),
    };
  }

  private async policies(): Promise<Policy[]> {
    const rows = await this.db.selectFrom('sla_policies').selectAll().orderBy('sort').execute();
    return rows.map((row) => {
      let cal = this.calendars.get(row.calendar_json);
      if (!cal) this.calendars.set(row.calendar_json, (cal = createCalendar(parse(row.calendar_json, {}))));
      const ladder = parse<unknown[]>(row.escalation_json, []).flatMap((l) => {
        const r = escalationLevelSchema.safeParse(l);
        return r.success ? [r.data] : [];
      });
      return {
        row, cal, ladder, match: parse(row.match_json, {}),
        sla: { firstResponseMinutes: row.first_response_minutes, resolutionMinutes: row.resolution_minutes },
      };
    });
  }

  private matchPolicy(policies: Policy[], t: { priority: string; category_id: string | null; tier: string | null }): Policy | undefined {
    return policies.find(({ match: m }) =>
      (!m.priorities?.length || m.priorities.includes(t.priority)) &&
      (!m.categories?.length || (t.category_id !== null && m.categories.includes(t.category_id))) &&
      (!m.tiers?.length || (t.tier !== null && m.tiers.includes(t.tier))));
  }

  // ---- create ---------------------------------------------------------------------------------

  async create(input: unknown, actor: Actor, extra: { attachImagesFrom?: string } = {}) {
    const i = zodInput(createTicketSchema, input);
    const db = this.db;
    let customerId = i.customer_id ?? null;
    if (i.conversation_id) {
      const c = await db.selectFrom('conversations').select(['id', 'customer_id']).where('id', '=', i.conversation_id).executeTakeFirst();
      if (!c) throw badRequest('unknown_conversation', `会话 ${i.conversation_id} 不存在`);
      if (customerId && customerId !== c.customer_id) throw badRequest('customer_mismatch', '客户与会话不一致');
      customerId = c.customer_id;
    }
    const customer = customerId ? await db.selectFrom('customers').select(['id', 'display_name', 'tier']).where('id', '=', customerId).executeTakeFirst() : undefined;
    if (customerId && !customer) throw badRequest('unknown_customer', `客户 ${customerId} 不存在`);

    let category: Database['ticket_categories'] | undefined;
    if (i.category_id) {
      category = await db.selectFrom('ticket_categories').selectAll().where('id', '=', i.category_id).executeTakeFirst();
      if (!category) {
        const all = await db.selectFrom('ticket_categories').select('id').execute();
        throw badRequest('unknown_category', `工单分类 ${i.category_id} 不存在（可用：${all.map((c) => c.id).join(', ')}）`);
      }
    }
    const defs = category ? parse<FieldDefinition[]>(category.fields_json, []) : [];
    const customFields = validateCustomFields(defs, i.custom_fields);
    const departmentId = i.department_id ?? category?.default_department_id ?? null;
    if (departmentId && !(await db.selectFrom('departments').select('id').where('id', '=', departmentId).executeTakeFirst())) {
      throw badRequest('unknown_department', `部门 ${departmentId} 不存在`);
    }
    if (i.assignee_id && !(await db.selectFrom('users').select('id').where('id', '=', i.assignee_id).executeTakeFirst())) {
      throw badRequest('unknown_user', `处理人 ${i.assignee_id} 不存在`);
    }
    const context = customer ? await this.context((category?.context_kind ?? 'none') as ContextKind, customer, extra.attachImagesFrom ?? i.conversation_id ?? null) : {};
    const policy = this.matchPolicy(await this.policies(), { priority: i.priority, category_id: category?.id ?? null, tier: customer?.tier ?? null });

    const now = this.d.clock.now();
    const at = now.toISOString();
    const id = newId('t');
    await db.transaction().execute(async (tx) => {
      const number = await this.nextNumber(tx, now);
      await tx.insertInto('tickets').values({
        id, number, title: i.title, description: i.description, category_id: category?.id ?? null, custom_fields_json: JSON.stringify(customFields),
        priority: i.priority, department_id: departmentId, assignee_id: i.assignee_id ?? null, cc_json: '[]', status: 'new',
        customer_id: customerId, conversation_id: i.conversation_id ?? null, context_json: JSON.stringify(context), sla_policy_id: policy?.row.id ?? null,
        sla_history_json: JSON.stringify([{ status: 'new', from: at }]), first_response_at: null, first_response_due_at: null, resolution_due_at: null,
        escalation_level: 0, flagged_red: 0, warned_json: '{}', created_by: actor.type === 'user' ? actor.id : null, created_at: at, updated_at: at,
        resolved_at: null, closed_at: null,
      }).execute();
      await this.event(tx, id, actor, 'created', null, number, policy ? `SLA：${policy.row.name}` : null);
    });
    const dto = await this.afterChange(id);
    this.events.emit('ticket.created', dto);
    return dto;
  }

  /** Prefilled from the conversation: title, transcript, category from the bot's hand-off intent. */
  async createFromConversation(conversationId: string, input: unknown, actor: Actor) {
    const i = zodInput(fromConversationSchema, input ?? {});
    const conv = await this.d.hub.getConversation(conversationId);
    if (!conv) throw notFound('conversation');
    const msgs = await this.d.hub.listMessages(conversationId, { limit: 50 });
    const lines = msgs
      .filter((m) => m.content.type !== 'event')
      .map((m) => `${m.created_at.slice(0, 16).replace('T', ' ')} ${m.direction === 'in' ? '客户' : m.sender_type === 'bot' ? '机器人' : '客服'}：${m.content.type === 'text' ? m.content.text : `[${m.content.type}]`}`);
    const customerText = msgs.filter((m) => m.direction === 'in' && m.content.type === 'text').map((m) => (m.content as { text: string }).text);
    const h = conv.handoff;
    const category = i.category_id !== undefined ? i.category_id : guessCategory(h?.intent?.id, `${customerText.join(' ')} ${h?.summary ?? ''}`);
    const title = i.title ?? (customerText.at(-1) ?? h?.reason_text ?? `${conv.customer.display_name} 的工单`).slice(0, 60);
    const description = i.description ?? [h ? `转人工原因：${h.reason_text}\n摘要：${h.summary}` : '', '会话记录：', ...lines.slice(-30)].filter(Boolean).join('\n');
    const priority: TicketPriority = i.priority ?? (conv.priority >= 2 ? 'urgent' : conv.priority === 1 || conv.customer.tier === 'VIP' ? 'high' : 'normal');
    return this.create({ ...i, title, description, category_id: category, priority, conversation_id: conversationId, customer_id: conv.customer_id }, actor);
  }

  /** The widget's leave-a-message: the visitor (customer) files a ticket while no one answers. */
  async createFromLeaveMessage(visitorId: string, input: { text: string; contact?: string }) {
    const r = await this.d.hub.ingest({
      channel: 'web', channel_account: 'web', external_id: visitorId,
      dedupe_key: `web:${visitorId}:leave:${newId()}`,
      sender_type: 'system',
      content: { type: 'event', event: 'leave_message', data: { text: input.text, ...(input.contact ? { contact: input.contact } : {}) } },
    });
    const conv = r.conversation;
    return this.create({
      title: `【留言】${input.text.slice(0, 40)}`,
      description: `${input.text}${input.contact ? `\n联系方式：${input.contact}` : ''}`,
      category_id: guessCategory(null, input.text),
      customer_id: conv.customer_id,
      conversation_id: conv.id,
    }, { type: 'customer', id: conv.customer_id });
  }

  private async context(kind: ContextKind, customer: { id: string; display_name: string }, conversationId: string | null) {
    const rec = this.d.crm.record(customer);
    switch (kind) {
      case 'purchases':
        return { kind, source: 'demo_crm', orders: rec.orders };
      case 'contract':
        return { kind, source: 'demo_crm', contract_no: rec.contracts[0]?.contract_no ?? null, contracts: rec.contracts };
      case 'device': {
        let screenshots: string[] = [];
        if (conversationId) {
          const msgs = await this.d.hub.listMessages(conversationId, { limit: 100 });
          screenshots = msgs.flatMap((m) => (m.content.type === 'image' && m.content.media.media_id ? [m.content.media.media_id] : []));
        }
        return { kind, source: 'demo_crm', devices: rec.devices, screenshots };
      }
      default:
        return {};
    }
  }

  private async nextNumber(tx: Tx, now: Date): Promise<string> {
    const day = localDate(now.getTime(), 'Asia/Shanghai').replace(/-/g, '');
    const r = await tx
      .insertInto('ticket_counters')
      .values({ day, n: 1 })
      .onConflict((oc) => oc.column('day').doUpdateSet((eb) => ({ n: eb('ticket_counters.n', '+', 1) })))
      .returning('n')
      .executeTakeFirstOrThrow();
    return `T${day}-${String(r.n).padStart(4, '0')}`;
  }

  // ---- read -----------------------------------------------------------------------------------

  async get(id: string) {
    const row = await this.row(id);
    const [events, comments, [ticket]] = await Promise.all([
      this.db.selectFrom('ticket_events').selectAll().where('ticket_id', '=', id).orderBy('created_at').orderBy('id').execute(),
      this.db.selectFrom('ticket_comments').selectAll().where('ticket_id', '=', id).orderBy('created_at').orderBy('id').execute(),
      this.dtos([row]),
    ]);
    return {
      ...ticket!,
      events,
      comments: comments.map((c) => ({ ...c, attachments: parse<string[]>(c.attachments_json, []), attachments_json: undefined })),
    };
  }

  async list(q: ListQuery) {
    let s = this.db.selectFrom('tickets').selectAll();
    const statuses = q.status === 'all' ? null : q.status === 'open' ? ['new', 'in_progress', 'pending_customer'] : q.status.split(',');
    if (statuses) s = s.where('status', 'in', statuses);
    if (q.priority) s = s.where('priority', '=', q.priority);
    if (q.category_id) s = s.where('category_id', '=', q.category_id);
    if (q.department_id) s = s.where('department_id', '=', q.department_id);
    if (q.assignee_id) s = s.where('assignee_id', '=', q.assignee_id);
    if (q.customer_id) s = s.where('customer_id', '=', q.customer_id);
    if (q.conversation_id) s = s.where('conversation_id', '=', q.conversation_id);
    if (q.flagged) s = s.where('flagged_red', '=', q.flagged === 'true' ? 1 : 0);
    if (q.q) s = s.where((eb) => eb.or([eb('title', 'like', `%${q.q}%`), eb('number', 'like', `%${q.q}%`)]));
    const rows = await s
      .orderBy('flagged_red', 'desc')
      .orderBy('created_at', 'desc')
      .limit(q.sla ? 1000 : q.limit)
      .offset(q.sla ? 0 : q.offset)
      .execute();
    let items = await this.dtos(rows);
    if (q.sla) items = items.filter((t) => t.sla.state === q.sla).slice(q.offset, q.offset + q.limit);
    return { items };
  }

  private async row(id: string, tx: Tx = this.db): Promise<Row> {
    const r = await tx.selectFrom('tickets').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('ticket');
    return r;
  }

  private async dtos(rows: Row[]) {
    if (rows.length === 0) return [];
    const [policies, categories, departments, customers, users] = await Promise.all([
      this.policies(),
      this.db.selectFrom('ticket_categories').select(['id', 'name']).execute(),
      this.db.selectFrom('departments').select(['id', 'name']).execute(),
      this.db.selectFrom('customers').select(['id', 'display_name', 'tier']).where('id', 'in', [...new Set(rows.map((r) => r.customer_id ?? ''))]).execute(),
      this.db.selectFrom('users').select(['id', 'display_name']).execute(),
    ]);
    const byId = <T extends { id: string }>(xs: T[]) => new Map(xs.map((x) => [x.id, x]));
    const cats = byId(categories), depts = byId(departments), custs = byId(customers), us = byId(users);
    const now = this.d.clock.now();
    return rows.map((r) => ({
      id: r.id, number: r.number, title: r.title, description: r.description,
      category: r.category_id ? (cats.get(r.category_id) ?? null) : null,
      custom_fields: parse<Record<string, unknown>>(r.custom_fields_json, {}),
      priority: r.priority as TicketPriority,
      department: r.department_id ? (depts.get(r.department_id) ?? null) : null,
      assignee: r.assignee_id ? (us.get(r.assignee_id) ?? { id: r.assignee_id, display_name: r.assignee_id }) : null,
      cc: parse<string[]>(r.cc_json, []),
      status: r.status as TicketStatus,
      customer: r.customer_id ? (custs.get(r.customer_id) ?? null) : null,
      conversation_id: r.conversation_id,
      context: parse<Record<string, unknown>>(r.context_json, {}),
      first_response_at: r.first_response_at,
      escalation_level: Number(r.escalation_level),
      flagged_red: Number(r.flagged_red) === 1,
      created_by: r.created_by,
      created_at: r.created_at, updated_at: r.updated_at, resolved_at: r.resolved_at, closed_at: r.closed_at,
      sla: this.slaView(r, policies.find((p) => p.row.id === r.sla_policy_id), now),
    }));
  }

  private history(r: Row): SlaHistory {
    const h = parse<{ status: string; from: string }[]>(r.sla_history_json, []);
    return h.map((x, i) => ({ status: x.status, from: new Date(x.from), to: h[i + 1] ? new Date(h[i + 1]!.from) : null }));
  }

  private slaView(r: Row, p: Policy | undefined, now: Date): SlaView {
    if (!p) return { policy: null, state: 'none', first_response: null, resolution: null };
    const firstResponseAt = r.first_response_at ? new Date(r.first_response_at) : null;
    const s = slaStatus(p.cal, p.sla, this.history(r), now, { firstResponseAt, warnBeforeMinutes: p.row.warn_before_minutes });
    const view = (b: SlaBadge | null) => (b ? { state: b.state, due_at: b.dueAt?.toISOString() ?? null, elapsedMinutes: b.elapsedMinutes, remainingMinutes: b.remainingMinutes } : null);
    const rank = ['met', 'missed', 'paused', 'ok', 'warning', 'breached'];
    const states = [s.firstResponse, s.resolution].filter((b): b is SlaBadge => b !== null).map((b) => b.state);
    // a resolved ticket shows 'met'/'missed' from its resolution clock; an open one its worst running clock
    const state = states.length ? states.reduce((a, b) => (rank.indexOf(b) > rank.indexOf(a) ? b : a)) : 'none';
    return { policy: { id: p.row.id, name: p.row.name }, state, first_response: view(s.firstResponse), resolution: view(s.resolution) };
  }

  // ---- workflow -------------------------------------------------------------------------------

  async transition(id: string, to: TicketStatus, actor: Actor, note?: string) {
    await this.db.transaction().execute(async (tx) => {
      const r = await this.row(id, tx);
      const from = r.status as TicketStatus;
      assertTransition(from, to);
      await this.setStatus(tx, r, to, actor, note ?? null);
    });
    return this.afterChange(id);
  }

  private async setStatus(tx: Tx, r: Row, to: TicketStatus, actor: Actor, note: string | null): Promise<boolean> {
    const at = this.d.clock.now().toISOString();
    const history = parse<{ status: string; from: string }[]>(r.sla_history_json, []);
    history.push({ status: to, from: at });
    const u = await tx
      .updateTable('tickets')
      .set({
        status: to, sla_history_json: JSON.stringify(history), updated_at: at,
        ...(to === 'resolved' ? { resolved_at: at } : {}),
        ...(to === 'closed' ? { closed_at: at } : {}),
        ...(to === 'in_progress' && (r.status === 'resolved' || r.status === 'closed') ? { resolved_at: null, closed_at: null } : {}),
      })
      .where('id', '=', r.id)
      .where('status', '=', r.status) // a concurrent change wins; ours is not applied twice
      .executeTakeFirst();
    if (Number(u.numUpdatedRows) !== 1) throw new AppError(409, 'concurrent_update', '工单刚被其他人修改，请刷新后重试');
    const reopen = (r.status === 'resolved' || r.status === 'closed') && to === 'in_progress';
    await this.event(tx, r.id, actor, reopen ? 'reopen' : 'status', r.status, to, note);
    return true;
  }

  async update(id: string, patch: { title?: string; description?: string; priority?: TicketPriority; assignee_id?: string | null; custom_fields?: Record<string, unknown> }, actor: Actor) {
    if (patch.assignee_id && !(await this.db.selectFrom('users').select('id').where('id', '=', patch.assignee_id).executeTakeFirst())) {
      throw badRequest('unknown_user', `处理人 ${patch.assignee_id} 不存在`);
    }
    const before = await this.row(id);
    let customFields: Record<string, unknown> | undefined;
    if (patch.custom_fields) {
      const cat = before.category_id ? await this.db.selectFrom('ticket_categories').select('fields_json').where('id', '=', before.category_id).executeTakeFirst() : undefined;
      customFields = { ...parse(before.custom_fields_json, {}), ...validateCustomFields(parse<FieldDefinition[]>(cat?.fields_json, []), patch.custom_fields, { partial: true }) };
    }
    let policyId = before.sla_policy_id;
    if (patch.priority && patch.priority !== before.priority) {
      const tier = before.customer_id ? (await this.db.selectFrom('customers').select('tier').where('id', '=', before.customer_id).executeTakeFirst())?.tier ?? null : null;
      policyId = this.matchPolicy(await this.policies(), { priority: patch.priority, category_id: before.category_id, tier })?.row.id ?? null;
    }
    await this.db.transaction().execute(async (tx) => {
      const at = this.d.clock.now().toISOString();
      await tx.updateTable('tickets').set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.priority !== undefined ? { priority: patch.priority, sla_policy_id: policyId } : {}),
        ...(patch.assignee_id !== undefined ? { assignee_id: patch.assignee_id } : {}),
        ...(customFields ? { custom_fields_json: JSON.stringify(customFields) } : {}),
        updated_at: at,
      }).where('id', '=', id).execute();
      if (patch.title !== undefined && patch.title !== before.title) await this.event(tx, id, actor, 'field', before.title, patch.title, 'title');
      if (patch.description !== undefined && patch.description !== before.description) await this.event(tx, id, actor, 'field', null, null, 'description');
      if (patch.priority !== undefined && patch.priority !== before.priority) await this.event(tx, id, actor, 'priority', before.priority, patch.priority, policyId !== before.sla_policy_id ? `SLA 策略 → ${policyId}` : null);
      if (patch.assignee_id !== undefined && patch.assignee_id !== before.assignee_id) await this.event(tx, id, actor, 'assign', before.assignee_id, patch.assignee_id, null);
      if (customFields) await this.event(tx, id, actor, 'field', before.custom_fields_json, JSON.stringify(customFields), 'custom_fields');
    });
    return this.afterChange(id);
  }

  /** Cross-department hand-over with a note (audit); the new department's queue (or a named person) takes it. */
  async handover(id: string, input: { department_id: string; note: string; assignee_id?: string | null }, actor: Actor) {
    const dept = await this.db.selectFrom('departments').select(['id', 'name']).where('id', '=', input.department_id).executeTakeFirst();
    if (!dept) throw badRequest('unknown_department', `部门 ${input.department_id} 不存在`);
    if (input.assignee_id && !(await this.db.selectFrom('users').select('id').where('id', '=', input.assignee_id).executeTakeFirst())) {
      throw badRequest('unknown_user', `处理人 ${input.assignee_id} 不存在`);
    }
    await this.db.transaction().execute(async (tx) => {
      const r = await this.row(id, tx);
      if (r.department_id === dept.id) throw new AppError(409, 'same_department', `工单已在${dept.name}`);
      const fromName = r.department_id ? (await tx.selectFrom('departments').select('name').where('id', '=', r.department_id).executeTakeFirst())?.name ?? r.department_id : null;
      await tx.updateTable('tickets').set({ department_id: dept.id, assignee_id: input.assignee_id ?? null, updated_at: this.d.clock.now().toISOString() }).where('id', '=', id).execute();
      await this.event(tx, id, actor, 'handover', fromName, dept.name, input.note);
      if ((input.assignee_id ?? null) !== r.assignee_id) await this.event(tx, id, actor, 'assign', r.assignee_id, input.assignee_id ?? null, '随转交变更');
    });
    return this.afterChange(id);
  }

  // ---- comments -------------------------------------------------------------------------------

  async comment(id: string, input: { visibility: 'public' | 'internal'; body: string; attachments: string[] }, actor: Actor) {
    const r = await this.row(id);
    if (input.attachments.length) {
      const found = await this.db.selectFrom('media').select(['id', 'mime']).where('id', 'in', input.attachments).execute();
      const missing = input.attachments.filter((a) => !found.some((f) => f.id === a));
      if (missing.length) throw badRequest('unknown_media', `附件不存在：${missing.join(', ')}`);
    }
    const at = this.d.clock.now().toISOString();
    const commentId = newId('tc');
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('ticket_comments').values({
        id: commentId, ticket_id: id, visibility: input.visibility, author_type: actor.type, author_id: actor.id, body: input.body,
        attachments_json: JSON.stringify(input.attachments), delivery_status: null, delivery_error: null, message_id: null, created_at: at,
      }).execute();
      await this.event(tx, id, actor, 'comment', null, input.visibility, input.body.slice(0, 200));
      await tx.updateTable('tickets').set({ updated_at: at }).where('id', '=', id).execute();
    });
    if (input.visibility === 'public') {
      const d = await this.deliver(r, input, actor);
      await this.db.updateTable('ticket_comments').set({ delivery_status: d.ok ? 'sent' : 'failed', delivery_error: d.ok ? null : d.error, message_id: d.messageId }).where('id', '=', commentId).execute();
      if (d.ok || !r.customer_id) await this.markFirstResponse(id, new Date(at), actor, 'public_comment');
    }
    await this.afterChange(id);
    const c = await this.db.selectFrom('ticket_comments').selectAll().where('id', '=', commentId).executeTakeFirstOrThrow();
    return { ...c, attachments: input.attachments, attachments_json: undefined };
  }

  /** A public comment goes to the customer through the channel of their open conversation. */
  private async deliver(r: Row, input: { body: string; attachments: string[] }, actor: Actor): Promise<{ ok: boolean; error: string | null; messageId: string | null }> {
    if (!r.customer_id) return { ok: false, error: 'no_customer: 工单没有关联客户', messageId: null };
    let conv = r.conversation_id ? await this.d.hub.getConversation(r.conversation_id) : undefined;
    if (!conv || conv.status === 'closed') {
      const open = await this.db.selectFrom('conversations').select('id').where('customer_id', '=', r.customer_id).where('status', '<>', 'closed')
        .orderBy('last_message_at', 'desc').limit(1).executeTakeFirst();
      conv = open ? await this.d.hub.getConversation(open.id) : undefined;
    }
    if (!conv) return { ok: false, error: 'no_open_conversation: 客户当前没有进行中的会话，无法发送（请等待客户再次联系或通过其他方式通知）', messageId: null };
    const sender = { type: 'agent' as const, id: actor.type === 'user' ? actor.id : null };
    try {
      const sent = await this.d.hub.send({ conversation_id: conv.id, sender, content: { type: 'text', text: input.body } });
      if (sent.message.status === 'failed') return { ok: false, error: `${sent.message.fail_code ?? 'failed'}: ${sent.message.fail_reason ?? ''}`, messageId: sent.message.id };
      for (const mediaId of input.attachments) {
        const m = await this.db.selectFrom('media').select(['mime', 'filename', 'size']).where('id', '=', mediaId).executeTakeFirst();
        const media = { media_id: mediaId, mime: m?.mime, ...(m?.filename ? { filename: m.filename } : {}) };
        await this.d.hub.send({ conversation_id: conv.id, sender, content: m?.mime.startsWith('image/') ? { type: 'image', media } : { type: 'file', media } });
      }
      return { ok: true, error: null, messageId: sent.message.id };
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { ok: false, error: `${err.code ?? 'send_failed'}: ${err.message ?? String(e)}`, messageId: null };
    }
  }

  private async markFirstResponse(id: string, at: Date, actor: Actor, via: string): Promise<boolean> {
    const r = await this.db.updateTable('tickets').set({ first_response_at: at.toISOString() }).where('id', '=', id).where('first_response_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return false;
    await this.event(this.db, id, actor, 'first_response', null, at.toISOString(), via);
    return true;
  }

  /**
   * The customers' tickets pending their reply, one query for the customer messages of one
   * event-loop turn (a sync page emits a hundred at once), not one per message.
   */
  private readonly waitingOn = batchLoader(async (customers) => {
    const rows = await this.db.selectFrom('tickets').select(['id', 'customer_id']).where('customer_id', 'in', customers).where('status', '=', 'pending_customer').execute();
    const byCustomer = new Map<string, string[]>();
    for (const r of rows) byCustomer.set(r.customer_id!, [...(byCustomer.get(r.customer_id!) ?? []), r.id]);
    return byCustomer;
  });

  /** Customer replies resume paused clocks; an agent's reply in the conversation is a first response. */
  async onMessage(message: Message, conversation: Conversation): Promise<void> {
    if (message.content.type === 'event') return;
    if (message.direction === 'in' && message.sender_type === 'customer') {
      for (const id of (await this.waitingOn(conversation.customer_id)) ?? []) {
        try {
          await this.db.transaction().execute(async (tx) => {
            const r = await this.row(id, tx);
            if (r.status !== 'pending_customer') return;
            await this.setStatus(tx, r, 'in_progress', { type: 'customer', id: conversation.customer_id }, '客户已回复，SLA 计时恢复');
          });
          await this.afterChange(id);
        } catch (e) {
          if ((e as AppError).code !== 'concurrent_update') throw e;
        }
      }
    } else if (message.direction === 'out' && message.sender_type === 'agent') {
      const open = await this.db.selectFrom('tickets').select('id').where('conversation_id', '=', conversation.id).where('first_response_at', 'is', null)
        .where('created_at', '<=', message.created_at).execute();
      for (const { id } of open) {
        if (await this.markFirstResponse(id, new Date(message.created_at), { type: 'user', id: message.sender_id }, 'agent_reply')) await this.afterChange(id);
      }
    }
  }

  // ---- after every change: cached due times, timers, realtime --------------------------------

  /**
   * An admin changed SLA policies or their calendar: the open tickets on them get their cached
   * due times and timers recomputed (a timer due earlier now would otherwise fire late).
   */
  async refreshSla(policyIds: string[]): Promise<number> {
    if (!policyIds.length) return 0;
    const open = await this.db.selectFrom('tickets').select('id').where('sla_policy_id', 'in', policyIds).where('status', 'in', ['new', 'in_progress', 'pending_customer']).execute();
    for (const { id } of open) await this.afterChange(id);
    return open.length;
  }

  private async afterChange(id: string) {
    const r = await this.row(id);
    const policy = (await this.policies()).find((p) => p.row.id === r.sla_policy_id);
    if (policy) {
      const due = slaDue(policy.cal, policy.sla, this.history(r), { firstResponseAt: r.first_response_at ? new Date(r.first_response_at) : null });
      const fr = due.firstResponse?.dueAt?.toISOString() ?? null;
      const rs = due.resolution?.dueAt?.toISOString() ?? null;
      if (fr !== r.first_response_due_at || rs !== r.resolution_due_at) {
        await this.db.updateTable('tickets').set({ first_response_due_at: fr, resolution_due_at: rs }).where('id', '=', id).execute();
      }
    }
    await this.armTimers(r, policy);
    const [dto] = await this.dtos([await this.row(id)]);
    this.events.emit('ticket.updated', dto);
    return dto!;
  }

  /** The instant at which `target`'s clock reaches `minutes`, if it is running now; else null. */
  private dueFor(r: Row, p: Policy, target: Target, minutes: number): Date | null {
    const sla: SlaPolicy = target === 'first_response' ? { firstResponseMinutes: minutes } : { resolutionMinutes: minutes };
    const due = slaDue(p.cal, sla, this.history(r), { firstResponseAt: r.first_response_at ? new Date(r.first_response_at) : null });
    const clock = target === 'first_response' ? due.firstResponse : due.resolution;
    return clock && clock.state === 'running' ? clock.dueAt : null;
  }

  /** (Re)schedules the escalation levels and warnings of a ticket from its current facts. */
  private async armTimers(r: Row, p: Policy | undefined): Promise<void> {
    const { scheduler } = this.d;
    const levels = p?.ladder ?? [];
    for (let i = 1; i <= levels.length; i++) {
      if (i <= Number(r.escalation_level)) continue; // done: its job stays as history
      const key = `ticket:${r.id}:esc:${i}`;
      const level = levels[i - 1]!;
      const due = p ? this.dueFor(r, p, level.target, level.after_minutes) : null;
      if (due) await scheduler.schedule(JOB_ESCALATE, key, due, { ticketId: r.id, level: i });
      else await scheduler.cancel(key);
    }
    const warned = parse<Record<string, string>>(r.warned_json, {});
    for (const target of ['first_response', 'resolution'] as const) {
      const key = `ticket:${r.id}:warn:${target}`;
      const minutes = p ? (target === 'first_response' ? p.row.first_response_minutes : p.row.resolution_minutes) : null;
      const warn = p?.row.warn_before_minutes ?? 0;
      const at = p && minutes != null && warn > 0 && minutes > warn ? this.dueFor(r, p, target, minutes - warn) : null;
      const targetDue = at && p && minutes != null ? this.dueFor(r, p, target, minutes) : null;
      if (at && targetDue && warned[target] !== targetDue.toISOString()) await scheduler.schedule(JOB_WARN, key, at, { ticketId: r.id, target });
      else await scheduler.cancel(key);
    }
  }

  // ---- timer handlers -------------------------------------------------------------------------

  private async runEscalation(job: Job<{ ticketId: string; level: number }>): Promise<void> {
    const { ticketId, level: n } = job.payload;
    const r = await this.db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
    if (!r || Number(r.escalation_level) >= n) return;
    const lower = n - 1 > Number(r.escalation_level) ? await this.d.scheduler.get(`ticket:${ticketId}:esc:${n - 1}`) : undefined;
    if (lower && (lower.status === 'running' || (lower.status === 'pending' && lower.runAt.getTime() <= this.d.clock.now().getTime()))) {
      // both due (after downtime) and the lower level is with another instance: it goes first
      await this.d.scheduler.schedule(JOB_ESCALATE, job.key, new Date(this.d.clock.now().getTime() + 1000), job.payload);
      return;
    }
    const p = (await this.policies()).find((x) => x.row.id === r.sla_policy_id);
    const level = p?.ladder[n - 1];
    if (!p || !level) return;
    const due = this.dueFor(r, p, level.target, level.after_minutes);
    const now = this.d.clock.now();
    if (!due) return; // answered, resolved or paused: re-armed when the clock runs again
    if (due.getTime() > now.getTime() + 1000) {
      await this.d.scheduler.schedule(JOB_ESCALATE, job.key, due, job.payload); // the clock moved (pause, policy change)
      return;
    }
    const actor: Actor = { type: 'system', id: null };
    let changed = false;
    await this.db.transaction().execute(async (tx) => {
      const cur = await this.row(ticketId, tx);
      if (Number(cur.escalation_level) >= n) return;
      const dept = cur.department_id ? await tx.selectFrom('departments').selectAll().where('id', '=', cur.department_id).executeTakeFirst() : undefined;
      const users = new Map((await tx.selectFrom('users').select(['id', 'display_name']).execute()).map((u) => [u.id, u.display_name]));
      const at = now.toISOString();
      const set: Partial<Row> = { escalation_level: n, updated_at: at };
      const note = `第 ${n} 级升级：${TARGET_LABEL[level.target]}已超过 ${minutesText(level.after_minutes)}（工作时间）`;
      await this.event(tx, ticketId, actor, 'escalation', String(cur.escalation_level), String(n), note);
      const notices: { userId: string; channels: ChannelName[]; template: string }[] = [];
      const head = dept?.head_user_id ?? null;
      const manager = dept?.next_manager_user_id ?? null;
      for (const a of level.actions) {
        if (a === 'flag_red') {
          set.flagged_red = 1;
          await this.event(tx, ticketId, actor, 'flag_red', null, '1', note);
        } else if (a === 'notify_department_head') {
          if (head) notices.push({ userId: head, channels: ['wecom', 'email'], template: 'sla_breach_escalation' });
          else await this.event(tx, ticketId, actor, 'notify', null, 'department_head:missing', `${dept?.name ?? '未分配部门'}未设置负责人，无法通知`);
        } else if (a === 'escalate_next_manager') {
          if (manager) {
            const cc = new Set(parse<string[]>(cur.cc_json, []));
            if (cur.assignee_id && cur.assignee_id !== manager) cc.add(cur.assignee_id);
            if (head && head !== manager) cc.add(head);
            set.assignee_id = manager;
            set.cc_json = JSON.stringify([...cc]);
            await this.event(tx, ticketId, actor, 'escalate', cur.assignee_id, manager, `升级给 ${users.get(manager) ?? manager}，抄送 ${[...cc].map((u) => users.get(u) ?? u).join('、') || '无'}`);
            notices.push({ userId: manager, channels: ['wecom', 'email'], template: 'sla_breach_escalation' });
          } else await this.event(tx, ticketId, actor, 'notify', null, 'next_manager:missing', `${dept?.name ?? '未分配部门'}未设置上级负责人，无法升级`);
        } else if (a === 'sms') {
          const to = manager ?? head;
          if (to) notices.push({ userId: to, channels: ['sms'], template: 'escalation_sms' });
          else await this.event(tx, ticketId, actor, 'notify', null, 'sms:missing', '没有可发送短信的负责人');
        } else if (a === 'notify_assignee') {
          if (cur.assignee_id) notices.push({ userId: cur.assignee_id, channels: ['wecom', 'email'], template: 'sla_breach_escalation' });
        }
      }
      await tx.updateTable('tickets').set(set).where('id', '=', ticketId).execute();
      const assigneeId = set.assignee_id ?? cur.assignee_id;
      const vars = {
        ticketNo: cur.number, title: cur.title, target: TARGET_LABEL[level.target], dueAt: due.toISOString(), level: n,
        assignee: assigneeId ? (users.get(assigneeId) ?? assigneeId) : '未分配', department: dept?.name ?? '未分配',
        link: `${this.d.publicUrl}/tickets/${ticketId}`, overdue: minutesText(level.after_minutes),
      };
      // one durable job per recipient and channel, committed with the escalation itself:
      // a crash after this commit still delivers; a failed channel is retried alone
      for (const nt of notices) {
        for (const channel of nt.channels) {
          await this.d.scheduler.schedule(JOB_NOTIFY, `ticket:${ticketId}:esc:${n}:${nt.userId}:${channel}`, now,
            { ticketId, userId: nt.userId, channel, template: nt.template, vars, reason: `escalation:${n}` } satisfies NotifyPayload, { executor: tx });
        }
      }
      changed = true;
    });
    if (changed) {
      this.d.log.info({ ticket: r.number, level: n }, 'ticket escalated');
      await this.afterChange(ticketId);
    }
  }

  private async runWarning(job: Job<{ ticketId: string; target: Target }>): Promise<void> {
    const { ticketId, target } = job.payload;
    const r = await this.db.selectFrom('tickets').selectAll().where('id', '=', ticketId).executeTakeFirst();
    if (!r) return;
    const p = (await this.policies()).find((x) => x.row.id === r.sla_policy_id);
    const minutes = p ? (target === 'first_response' ? p.row.first_response_minutes : p.row.resolution_minutes) : null;
    if (!p || minutes == null) return;
    const warn = p.row.warn_before_minutes;
    const at = this.dueFor(r, p, target, Math.max(0, minutes - warn));
    const targetDue = this.dueFor(r, p, target, minutes);
    const now = this.d.clock.now();
    if (!at || !targetDue) return;
    if (at.getTime() > now.getTime() + 1000) {
      await this.d.scheduler.schedule(JOB_WARN, job.key, at, job.payload);
      return;
    }
    await this.db.transaction().execute(async (tx) => {
      const cur = await this.row(ticketId, tx);
      const warned = parse<Record<string, string>>(cur.warned_json, {});
      if (warned[target] === targetDue.toISOString()) return;
      warned[target] = targetDue.toISOString();
      const u = await tx.updateTable('tickets').set({ warned_json: JSON.stringify(warned) }).where('id', '=', ticketId).where('warned_json', '=', cur.warned_json).executeTakeFirst();
      if (Number(u.numUpdatedRows) !== 1) return;
      await this.event(tx, ticketId, { type: 'system', id: null }, 'sla_warning', null, target, `${TARGET_LABEL[target]}将于 ${targetDue.toISOString()} 到期`);
      const dept = cur.department_id ? await tx.selectFrom('departments').selectAll().where('id', '=', cur.department_id).executeTakeFirst() : undefined;
      const to = cur.assignee_id ?? dept?.head_user_id ?? null;
      if (!to) {
        await this.event(tx, ticketId, { type: 'system', id: null }, 'notify', null, 'warning:missing', '没有处理人或部门负责人，预警未发送');
        return;
      }
      const vars = { ticketNo: cur.number, title: cur.title, target: TARGET_LABEL[target], dueAt: targetDue.toISOString(), remaining: minutesText(warn), link: `${this.d.publicUrl}/tickets/${ticketId}` };
      await this.d.scheduler.schedule(JOB_NOTIFY, `ticket:${ticketId}:warn:${target}:${targetDue.toISOString()}:${to}:wecom`, now,
        { ticketId, userId: to, channel: 'wecom', template: 'sla_warning', vars, reason: `warning:${target}` } satisfies NotifyPayload, { executor: tx });
    });
    await this.afterChange(ticketId);
  }

  private async runNotify(job: Job<NotifyPayload>): Promise<void> {
    const { ticketId, userId, channel, template, vars, reason } = job.payload;
    const to = await this.recipient(userId);
    // dates travel as ISO strings in the job; templates show them as Beijing wall time
    const res = await this.d.notify.send({ to, template, vars: { ...vars, ...(vars.dueAt ? { dueAt: new Date(String(vars.dueAt)) } : {}) }, channels: [channel] });
    const d = res.deliveries[0]!;
    await this.event(this.db, ticketId, { type: 'system', id: null }, 'notify', null, `${channel}:${d.outcome}`, `${reason} → ${to.name ?? userId}${d.reason ? `（${d.reason}）` : ''}`);
    // failed after the service's own retries: the job retries later (and is marked failed at the end)
    if (d.outcome === 'failed') throw new Error(`${channel} to ${userId} failed: ${d.reason ?? ''}`);
  }

  /** How to reach a user: the contacts of the departments, by user id. */
  private async recipient(userId: string): Promise<Recipient> {
    const depts = await this.db.selectFrom('departments').select('contacts_json').execute();
    const user = await this.db.selectFrom('users').select(['display_name']).where('id', '=', userId).executeTakeFirst();
    for (const d of depts) {
      const c = parse<Record<string, { name?: string; wecom_userid?: string; email?: string; phone?: string }>>(d.contacts_json, {})[userId];
      if (c) return { userId, name: c.name ?? user?.display_name, ...(c.wecom_userid ? { wecomUserId: c.wecom_userid } : {}), ...(c.email ? { email: c.email } : {}), ...(c.phone ? { phone: c.phone } : {}) };
    }
    return { userId, ...(user ? { name: user.display_name } : {}) };
  }

  private async event(tx: Tx, ticketId: string, actor: Actor, action: string, from: string | null, to: string | null, note: string | null): Promise<void> {
    await tx.insertInto('ticket_events').values({
      id: newId('te'), ticket_id: ticketId, actor_type: actor.type, actor_id: actor.id, action, from_value: from, to_value: to, note, created_at: this.d.clock.now().toISOString(),
    }).execute();
  }
}

type NotifyPayload = { ticketId: string; userId: string; channel: ChannelName; template: string; vars: Record<string, string | number>; reason: string };

export type TicketDto = Awaited<ReturnType<TicketService['afterChange']>>;
export type { CreateTicketInput };
