/**
 * Ticket administration: named business calendars, SLA policies, categories with custom
 * fields and departments with their manager chain. The ticket service keeps reading its own
 * rows; this class only edits them (and checks what an edit would break first).
 *
 * A policy stores a copy of its calendar's definition (with the calendar's id inside), so the
 * SLA maths need no join; saving a calendar rewrites that copy in every policy that uses it.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { AppError, badRequest, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Database } from '../db/schema.js';
import { addBusinessMinutes, calendarDefinitionSchema, cnYears, createCalendar, holidayCoverage, type CalendarDefinition } from '../calendar/index.js';
import { escalationLevelSchema, fieldDefinitionSchema, slaMatchSchema } from './model.js';

export interface BusinessCalendarsTable {
  id: string;
  name: string;
  definition_json: string;
  sort: number;
  created_at: string;
  updated_at: string;
}
type AdminDb = Database & { business_calendars: BusinessCalendarsTable };

// ---- API input --------------------------------------------------------------------------------

const name = z.string().trim().min(1, '名称不能为空').max(80);
const slug = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, '只能用小写字母、数字和下划线，以字母开头（2–40 个字符）');

export const calendarBodySchema = z.strictObject({ name, sort: z.number().int().min(0).max(100_000).default(100), definition: calendarDefinitionSchema });
export const calendarPreviewSchema = z.strictObject({
  definition: calendarDefinitionSchema,
  year: z.number().int().min(2000).max(2100),
  /** optional: when `minutes` business minutes after `from` end */
  from: z.iso.datetime({ offset: true }).optional(),
  minutes: z.number().int().min(1).max(525_600).optional(),
});

export const slaPolicyBodySchema = z.strictObject({
  name,
  sort: z.number().int().min(0).max(100_000).default(100),
  match: slaMatchSchema.default({}),
  calendar_id: z.string().min(1, '请选择工作日历').max(100),
  first_response_minutes: z.number().int().min(1).max(525_600).nullable(),
  resolution_minutes: z.number().int().min(1).max(525_600).nullable(),
  warn_before_minutes: z.number().int().min(0).max(10_080).default(0),
  escalation: z.array(escalationLevelSchema).max(10).default([]),
}).superRefine((p, ctx) => {
  if (p.first_response_minutes === null && p.resolution_minutes === null) ctx.addIssue({ code: 'custom', path: ['first_response_minutes'], message: '至少设置首次响应或解决时限之一' });
  const smallest = Math.min(p.first_response_minutes ?? Infinity, p.resolution_minutes ?? Infinity);
  if (p.warn_before_minutes > 0 && p.warn_before_minutes >= smallest) ctx.addIssue({ code: 'custom', path: ['warn_before_minutes'], message: '预警提前量必须小于时限' });
  p.escalation.forEach((l, i) => {
    const prev = p.escalation.slice(0, i).filter((x) => x.target === l.target).at(-1);
    if (prev && prev.after_minutes >= l.after_minutes) ctx.addIssue({ code: 'custom', path: ['escalation', i, 'after_minutes'], message: '同一计时的升级级别须按时间递增' });
  });
});

export const categoryBodySchema = z.strictObject({
  id: slug.optional(),
  name: z.string().trim().min(1, '名称不能为空').max(40),
  sort: z.number().int().min(0).max(100_000).default(100),
  context_kind: z.enum(['purchases', 'contract', 'device', 'none']).default('none'),
  default_department_id: z.string().max(40).nullable().default(null),
  fields: z.array(fieldDefinitionSchema).max(30).default([]),
}).superRefine((c, ctx) => {
  const seen = new Set<string>();
  c.fields.forEach((f, i) => {
    if (seen.has(f.key)) ctx.addIssue({ code: 'custom', path: ['fields', i, 'key'], message: `字段键 ${f.key} 重复` });
    seen.add(f.key);
    if (f.type === 'select' && !f.options?.length) ctx.addIssue({ code: 'custom', path: ['fields', i, 'options'], message: '下拉字段至少需要一个选项' });
  });
});

const contact = z.strictObject({
  name: z.string().max(40).optional(),
  wecom_userid: z.string().max(64).optional(),
  email: z.email('邮箱格式不正确').optional(),
  phone: z.string().regex(/^\+?\d{5,20}$/, '手机号格式不正确').optional(),
});
export const departmentBodySchema = z.strictObject({
  id: slug.optional(),
  name: z.string().trim().min(1, '名称不能为空').max(40),
  head_user_id: z.string().max(64).nullable().default(null),
  next_manager_user_id: z.string().max(64).nullable().default(null),
  /** how to reach people, by user id (WeCom UserID, e-mail, phone for escalations) */
  contacts: z.record(z.string().max(64), contact).default({}),
});

type CalendarBody = z.infer<typeof calendarBodySchema>;
type PolicyBody = z.infer<typeof slaPolicyBodySchema>;
type CategoryBody = z.infer<typeof categoryBodySchema>;
type DepartmentBody = z.infer<typeof departmentBodySchema>;

const inUse = (what: string, by: string[]) => new AppError(409, 'in_use', `${what}正在被使用：${by.join('、')}`, by);
const parse = <T>(s: string | null | undefined, fallback: T): T => {
  try {
    return s ? (JSON.parse(s) as T) : fallback;
  } catch {
    return fallback;
  }
};

export class TicketAdmin {
  private readonly db: Kysely<AdminDb>;
  /**
   * @param onSlaChanged told which policies' clocks changed (edited policy, edited calendar), so
   * the ticket service re-arms the open tickets' timers; badges are right at once regardless
   */
  constructor(db: Kysely<any>, private readonly clock: Clock, private readonly onSlaChanged: (policyIds: string[]) => void = () => {}) {
    this.db = db as Kysely<AdminDb>;
  }

  /** People for the head / manager / assignee pickers. */
  users() {
    return this.db.selectFrom('users').select(['id', 'username', 'display_name', 'role']).orderBy('username').execute();
  }

  // ---- calendars --------------------------------------------------------------------------------

  async calendars() {
    const [rows, policies] = await Promise.all([
      this.db.selectFrom('business_calendars').selectAll().orderBy('sort').orderBy('name').execute(),
      this.db.selectFrom('sla_policies').select(['name', 'calendar_json']).execute(),
    ]);
    const years = cnYears();
    return {
      package_years: [years[0], years.at(-1)],
      items: rows.map((r) => {
        // defaults filled in, so the editor always has every field (a stored 7×24 calendar has no hours)
        const stored = calendarDefinitionSchema.safeParse(parse<unknown>(r.definition_json, {}));
        const definition: CalendarDefinition = stored.success ? stored.data : calendarDefinitionSchema.parse({});
        return { id: r.id, name: r.name, sort: Number(r.sort), definition, used_by: policies.filter((p) => parse<{ id?: string }>(p.calendar_json, {}).id === r.id).map((p) => p.name), updated_at: r.updated_at };
      }),
    };
  }

  async createCalendar(body: CalendarBody) {
    const id = newId('cal');
    const at = this.clock.now().toISOString();
    await this.db.insertInto('business_calendars').values({ id, name: body.name, sort: body.sort, definition_json: this.calendarJson(id, body), created_at: at, updated_at: at }).execute();
    return this.calendar(id);
  }

  async updateCalendar(id: string, body: CalendarBody) {
    await this.calendar(id);
    const json = this.calendarJson(id, body);
    const changed: string[] = [];
    await this.db.transaction().execute(async (tx) => {
      await tx.updateTable('business_calendars').set({ name: body.name, sort: body.sort, definition_json: json, updated_at: this.clock.now().toISOString() }).where('id', '=', id).execute();
      // the policies' copies follow, so open tickets show the new due times at once
      for (const p of await tx.selectFrom('sla_policies').select(['id', 'calendar_json']).execute()) {
        if (parse<{ id?: string }>(p.calendar_json, {}).id !== id) continue;
        await tx.updateTable('sla_policies').set({ calendar_json: json }).where('id', '=', p.id).execute();
        changed.push(p.id);
      }
    });
    this.onSlaChanged(changed);
    return this.calendar(id);
  }

  async deleteCalendar(id: string) {
    const c = await this.calendar(id);
    if (c.used_by.length) throw inUse(`日历「${c.name}」`, c.used_by);
    await this.db.deleteFrom('business_calendars').where('id', '=', id).execute();
  }

  private async calendar(id: string) {
    const c = (await this.calendars()).items.find((x) => x.id === id);
    if (!c) throw notFound('calendar');
    return c;
  }

  /** The stored definition carries the calendar's id and name (policies keep a copy of it). */
  private calendarJson(id: string, body: CalendarBody): string {
    const definition = { ...body.definition, id, name: body.name };
    createCalendar(definition); // compiles, or a 400 invalid_calendar
    return JSON.stringify(definition);
  }

  /** A year of the calendar as the SLA maths see it, and optionally one due time. */
  preview(input: z.infer<typeof calendarPreviewSchema>) {
    const cal = createCalendar(input.definition);
    const days: { date: string; kind: string; name?: string; hours: string }[] = [];
    const fmt = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    for (let d = new Date(Date.UTC(input.year, 0, 1)); d.getUTCFullYear() === input.year; d.setUTCDate(d.getUTCDate() + 1)) {
      const p = cal.plan(d.toISOString().slice(0, 10));
      days.push({ date: p.date, kind: p.kind, ...(p.name ? { name: p.name } : {}), hours: p.minutes.map(([s, e]) => `${fmt(s)}-${fmt(e)}`).join(', ') });
    }
    const due = input.from && input.minutes ? addBusinessMinutes(cal, new Date(input.from), input.minutes).toISOString() : null;
    return { year: input.year, coverage: holidayCoverage(cal, input.year), days, due };
  }

  // ---- SLA policies -----------------------------------------------------------------------------

  async policies() {
    const [rows, cals, used] = await Promise.all([
      this.db.selectFrom('sla_policies').selectAll().orderBy('sort').execute(),
      this.db.selectFrom('business_calendars').select(['id', 'name']).execute(),
      this.db.selectFrom('tickets').select(['sla_policy_id']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('sla_policy_id').execute(),
    ]);
    return rows.map((r) => {
      const cal = parse<{ id?: string; name?: string }>(r.calendar_json, {});
      return {
        id: r.id, name: r.name, sort: Number(r.sort), match: parse(r.match_json, {}), calendar_id: cal.id ?? null,
        calendar_name: cals.find((c) => c.id === cal.id)?.name ?? cal.name ?? null,
        first_response_minutes: r.first_response_minutes, resolution_minutes: r.resolution_minutes, warn_before_minutes: Number(r.warn_before_minutes),
        escalation: parse<unknown[]>(r.escalation_json, []), tickets: Number(used.find((u) => u.sla_policy_id === r.id)?.n ?? 0),
      };
    });
  }

  async createPolicy(body: PolicyBody) {
    const id = newId('sla');
    await this.db.insertInto('sla_policies').values({ id, ...(await this.policyRow(body)), created_at: this.clock.now().toISOString() }).execute();
    return this.policy(id);
  }

  async updatePolicy(id: string, body: PolicyBody) {
    await this.policy(id);
    await this.db.updateTable('sla_policies').set(await this.policyRow(body)).where('id', '=', id).execute();
    this.onSlaChanged([id]);
    return this.policy(id);
  }

  async deletePolicy(id: string) {
    const p = await this.policy(id);
    if (p.tickets > 0) throw inUse(`SLA 策略「${p.name}」`, [`${p.tickets} 个工单`]);
    await this.db.deleteFrom('sla_policies').where('id', '=', id).execute();
  }

  private async policy(id: string) {
    const p = (await this.policies()).find((x) => x.id === id);
    if (!p) throw notFound('sla policy');
    return p;
  }

  private async policyRow(b: PolicyBody) {
    const cal = await this.db.selectFrom('business_calendars').select('definition_json').where('id', '=', b.calendar_id).executeTakeFirst();
    if (!cal) throw badRequest('unknown_calendar', `工作日历 ${b.calendar_id} 不存在`, [{ path: '/calendar_id', message: '工作日历不存在' }]);
    await this.checkCategories(b.match.categories ?? [], '/match/categories');
    return {
      name: b.name, sort: b.sort, match_json: JSON.stringify(b.match), calendar_json: cal.definition_json,
      first_response_minutes: b.first_response_minutes, resolution_minutes: b.resolution_minutes, warn_before_minutes: b.warn_before_minutes,
      escalation_json: JSON.stringify(b.escalation),
    };
  }

  private async checkCategories(ids: string[], path: string) {
    if (!ids.length) return;
    const known = new Set((await this.db.selectFrom('ticket_categories').select('id').execute()).map((c) => c.id));
    const bad = ids.filter((c) => !known.has(c));
    if (bad.length) throw badRequest('unknown_category', `工单分类不存在：${bad.join(', ')}`, [{ path, message: `分类不存在：${bad.join(', ')}` }]);
  }

  // ---- categories -------------------------------------------------------------------------------

  async categories() {
    const [rows, used] = await Promise.all([
      this.db.selectFrom('ticket_categories').selectAll().orderBy('sort').execute(),
      this.db.selectFrom('tickets').select(['category_id']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('category_id').execute(),
    ]);
    return rows.map((r) => ({
      id: r.id, name: r.name, sort: Number(r.sort), context_kind: r.context_kind, default_department_id: r.default_department_id,
      fields: parse<unknown[]>(r.fields_json, []), tickets: Number(used.find((u) => u.category_id === r.id)?.n ?? 0),
    }));
  }

  async createCategory(b: CategoryBody) {
    const id = b.id ?? newId('cat');
    if (await this.db.selectFrom('ticket_categories').select('id').where('id', '=', id).executeTakeFirst()) {
      throw badRequest('duplicate_id', `分类标识 ${id} 已存在`, [{ path: '/id', message: '标识已存在' }]);
    }
    await this.checkDepartment(b.default_department_id, '/default_department_id');
    await this.db.insertInto('ticket_categories').values({ id, ...this.categoryRow(b) }).execute();
    return this.category(id);
  }

  async updateCategory(id: string, b: CategoryBody) {
    await this.category(id);
    await this.checkDepartment(b.default_department_id, '/default_department_id');
    await this.db.updateTable('ticket_categories').set(this.categoryRow(b)).where('id', '=', id).execute();
    return this.category(id);
  }

  async deleteCategory(id: string) {
    const c = await this.category(id);
    if (c.tickets > 0) throw inUse(`分类「${c.name}」`, [`${c.tickets} 个工单`]);
    await this.db.deleteFrom('ticket_categories').where('id', '=', id).execute();
  }

  private categoryRow(b: CategoryBody) {
    return { name: b.name, sort: b.sort, context_kind: b.context_kind, default_department_id: b.default_department_id, fields_json: JSON.stringify(b.fields) };
  }

  private async category(id: string) {
    const c = (await this.categories()).find((x) => x.id === id);
    if (!c) throw notFound('category');
    return c;
  }

  // ---- departments ------------------------------------------------------------------------------

  async departments() {
    const [rows, tickets, cats] = await Promise.all([
      this.db.selectFrom('departments').selectAll().orderBy('name').execute(),
      this.db.selectFrom('tickets').select(['department_id']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy('department_id').execute(),
      this.db.selectFrom('ticket_categories').select(['name', 'default_department_id']).execute(),
    ]);
    return rows.map((r) => ({
      id: r.id, name: r.name, head_user_id: r.head_user_id, next_manager_user_id: r.next_manager_user_id, contacts: parse<Record<string, unknown>>(r.contacts_json, {}),
      tickets: Number(tickets.find((t) => t.department_id === r.id)?.n ?? 0), categories: cats.filter((c) => c.default_department_id === r.id).map((c) => c.name),
    }));
  }

  async createDepartment(b: DepartmentBody) {
    const id = b.id ?? newId('dept');
    await this.checkDepartmentRow(b, id);
    if (await this.db.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst()) throw badRequest('duplicate_id', `部门标识 ${id} 已存在`, [{ path: '/id', message: '标识已存在' }]);
    await this.db.insertInto('departments').values({ id, ...this.departmentRow(b), created_at: this.clock.now().toISOString() }).execute();
    return this.department(id);
  }

  async updateDepartment(id: string, b: DepartmentBody) {
    await this.department(id);
    await this.checkDepartmentRow(b, id);
    await this.db.updateTable('departments').set(this.departmentRow(b)).where('id', '=', id).execute();
    return this.department(id);
  }

  async deleteDepartment(id: string) {
    const d = await this.department(id);
    const by = [...(d.tickets ? [`${d.tickets} 个工单`] : []), ...d.categories.map((c) => `分类「${c}」`)];
    if (by.length) throw inUse(`部门「${d.name}」`, by);
    await this.db.deleteFrom('departments').where('id', '=', id).execute();
  }

  private departmentRow(b: DepartmentBody) {
    return { name: b.name, head_user_id: b.head_user_id, next_manager_user_id: b.next_manager_user_id, contacts_json: JSON.stringify(b.contacts) };
  }

  private async checkDepartmentRow(b: DepartmentBody, id: string) {
    const same = await this.db.selectFrom('departments').select('id').where('name', '=', b.name).where('id', '!=', id).executeTakeFirst();
    if (same) throw badRequest('duplicate_name', `部门「${b.name}」已存在`, [{ path: '/name', message: '部门名称已存在' }]);
    const ids = [b.head_user_id, b.next_manager_user_id].filter((x): x is string => !!x);
    const known = new Set((await this.users()).map((u) => u.id));
    if (b.head_user_id && !known.has(b.head_user_id)) throw badRequest('unknown_user', '负责人不存在', [{ path: '/head_user_id', message: '用户不存在' }]);
    if (b.next_manager_user_id && !known.has(b.next_manager_user_id)) throw badRequest('unknown_user', '上级负责人不存在', [{ path: '/next_manager_user_id', message: '用户不存在' }]);
    if (ids.length === 2 && ids[0] === ids[1]) throw badRequest('invalid_chain', '上级负责人不能与负责人相同', [{ path: '/next_manager_user_id', message: '上级负责人不能与负责人相同' }]);
  }

  private async checkDepartment(id: string | null, path: string) {
    if (id && !(await this.db.selectFrom('departments').select('id').where('id', '=', id).executeTakeFirst())) throw badRequest('unknown_department', `部门 ${id} 不存在`, [{ path, message: '部门不存在' }]);
  }

  private async department(id: string) {
    const d = (await this.departments()).find((x) => x.id === id);
    if (!d) throw notFound('department');
    return d;
  }
}

