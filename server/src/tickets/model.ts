/**
 * Ticket vocabulary: statuses and the workflow, priorities, categories with custom fields,
 * SLA policies with escalation ladders — as data with zod schemas (external input: the API,
 * the admin UI, stored JSON).
 */
import { z } from 'zod';
import { AppError, badRequest } from '../core/errors.js';
import { CALENDAR_PRESETS, type CalendarInput } from '../calendar/index.js';

export const STATUSES = ['new', 'in_progress', 'pending_customer', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];
export const STATUS_LABEL: Record<TicketStatus, string> = {
  new: '新建', in_progress: '处理中', pending_customer: '待客户回复', resolved: '已解决', closed: '已关闭',
};

/** The workflow: new → in_progress ⇄ pending_customer; in_progress → resolved → closed; reopen. */
export const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['in_progress'],
  in_progress: ['pending_customer', 'resolved'],
  pending_customer: ['in_progress'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};

export function assertTransition(from: TicketStatus, to: TicketStatus): void {
  if (TRANSITIONS[from].includes(to)) return;
  const allowed = TRANSITIONS[from].map((s) => `${STATUS_LABEL[s]}(${s})`).join('、') || '无';
  throw new AppError(409, 'invalid_transition', `工单状态不能从「${STATUS_LABEL[from]}」(${from}) 变为「${STATUS_LABEL[to]}」(${to})；允许：${allowed}`, {
    from, to, allowed: TRANSITIONS[from],
  });
}

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof PRIORITIES)[number];

// ---- categories and custom fields -----------------------------------------------------------

export const fieldDefinitionSchema = z.strictObject({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'field keys are lower-case letters, digits and _'),
  label: z.string().min(1).max(40),
  type: z.enum(['text', 'number', 'select', 'date']),
  required: z.boolean().optional(),
  options: z.array(z.string().min(1).max(40)).max(50).optional(),
});
export type FieldDefinition = z.infer<typeof fieldDefinitionSchema>;
export type ContextKind = 'purchases' | 'contract' | 'device' | 'none';

export type CategorySeed = { id: string; name: string; context_kind: ContextKind; department: string; fields: FieldDefinition[] };

export const DEFAULT_CATEGORIES: CategorySeed[] = [
  {
    id: 'after_sales', name: '售后维修', context_kind: 'purchases', department: 'dept_after_sales',
    fields: [
      { key: 'order_no', label: '订单号', type: 'text' },
      { key: 'issue', label: '问题类型', type: 'select', options: ['质量问题', '包装破损', '过敏反应', '漏发少发', '其他'] },
      { key: 'expected', label: '期望处理', type: 'select', options: ['退货退款', '换货', '维修', '补发'] },
    ],
  },
  {
    id: 'finance', name: '财务/发票', context_kind: 'contract', department: 'dept_finance',
    fields: [
      { key: 'invoice_title', label: '发票抬头', type: 'text' },
      { key: 'tax_no', label: '税号', type: 'text' },
      { key: 'amount', label: '金额（元）', type: 'number' },
    ],
  },
  {
    id: 'technical', name: '技术支持', context_kind: 'device', department: 'dept_tech',
    fields: [
      { key: 'device_sn', label: '设备序列号', type: 'text' },
      { key: 'symptom', label: '故障现象', type: 'text' },
    ],
  },
  {
    id: 'complaint', name: '投诉', context_kind: 'purchases', department: 'dept_service',
    fields: [
      { key: 'severity', label: '严重程度', type: 'select', options: ['一般', '严重', '重大'] },
      { key: 'target', label: '投诉对象', type: 'select', options: ['产品', '物流', '客服', '其他'] },
    ],
  },
];

/** Checks custom field values against the category's definitions; returns the clean values. */
export function validateCustomFields(defs: FieldDefinition[], values: Record<string, unknown>, { partial = false } = {}): Record<string, string | number> {
  const problems: string[] = [];
  const out: Record<string, string | number> = {};
  const byKey = new Map(defs.map((d) => [d.key, d]));
  for (const k of Object.keys(values)) if (!byKey.has(k)) problems.push(`${k}: 该分类没有此字段（可用：${defs.map((d) => d.key).join(', ') || '无'}）`);
  for (const d of defs) {
    const v = values[d.key];
    if (v === undefined || v === null || v === '') {
      if (d.required && !partial) problems.push(`${d.key}: ${d.label}为必填项`);
      continue;
    }
    if (d.type === 'number') {
      if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${d.key}: ${d.label}必须是数字`);
      else out[d.key] = v;
    } else if (typeof v !== 'string' || v.length > 500) {
      problems.push(`${d.key}: ${d.label}必须是不超过 500 字的文本`);
    } else if (d.type === 'select' && d.options && !d.options.includes(v)) {
      problems.push(`${d.key}: ${d.label}只能是 ${d.options.join(' / ')}`);
    } else if (d.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(v)) {
      problems.push(`${d.key}: ${d.label}必须是日期 YYYY-MM-DD`);
    } else out[d.key] = v;
  }
  if (problems.length) throw badRequest('invalid_custom_fields', `自定义字段不正确：${problems.join('；')}`, problems);
  return out;
}

// ---- SLA policies ---------------------------------------------------------------------------

export const ESCALATION_ACTIONS = ['flag_red', 'notify_department_head', 'escalate_next_manager', 'sms', 'notify_assignee'] as const;
export type EscalationAction = (typeof ESCALATION_ACTIONS)[number];

export const escalationLevelSchema = z.strictObject({
  /** business minutes on the target's clock (pauses excluded) */
  after_minutes: z.number().int().min(1).max(525_600),
  /** which clock: no first response yet (default), or not resolved yet */
  target: z.enum(['first_response', 'resolution']).default('first_response'),
  actions: z.array(z.enum(ESCALATION_ACTIONS)).min(1),
});
export type EscalationLevel = z.infer<typeof escalationLevelSchema>;

export const slaMatchSchema = z.strictObject({
  priorities: z.array(z.enum(PRIORITIES)).optional(),
  categories: z.array(z.string()).optional(),
  tiers: z.array(z.string()).optional(),
});

export type PolicySeed = {
  id: string; name: string; sort: number; match: z.infer<typeof slaMatchSchema>; calendar: CalendarInput;
  first_response_minutes: number | null; resolution_minutes: number | null; warn_before_minutes: number; escalation: EscalationLevel[];
};

/** 09:00–18:00 Monday to Friday, Chinese public holidays and 调休 make-up days. */
export const OFFICE_CALENDAR: CalendarInput = { id: 'office-9-18', name: '工作日 9:00-18:00', mode: 'weekly', timeZone: 'Asia/Shanghai', publicHolidays: 'cn' };

export const DEFAULT_POLICIES: PolicySeed[] = [
  {
    id: 'sla_urgent', name: '紧急工单 7×24', sort: 10, match: { priorities: ['urgent'] }, calendar: CALENDAR_PRESETS.always,
    first_response_minutes: 30, resolution_minutes: 480, warn_before_minutes: 10,
    escalation: [
      { after_minutes: 30, target: 'first_response', actions: ['flag_red', 'notify_department_head'] },
      { after_minutes: 120, target: 'first_response', actions: ['escalate_next_manager', 'sms'] },
    ],
  },
  {
    id: 'sla_vip', name: 'VIP 客户', sort: 20, match: { tiers: ['VIP'] }, calendar: OFFICE_CALENDAR,
    first_response_minutes: 60, resolution_minutes: 960, warn_before_minutes: 15,
    escalation: [
      { after_minutes: 60, target: 'first_response', actions: ['flag_red', 'notify_department_head'] },
      { after_minutes: 240, target: 'first_response', actions: ['escalate_next_manager', 'sms'] },
    ],
  },
  {
    id: 'sla_standard', name: '标准（工作日 9-18）', sort: 100, match: {}, calendar: OFFICE_CALENDAR,
    first_response_minutes: 120, resolution_minutes: 1620, warn_before_minutes: 30,
    escalation: [
      { after_minutes: 120, target: 'first_response', actions: ['flag_red', 'notify_department_head'] },
      { after_minutes: 480, target: 'first_response', actions: ['escalate_next_manager', 'sms'] },
    ],
  },
];

// ---- API input ------------------------------------------------------------------------------

const mediaId = z.string().regex(/^f[0-9a-z]{21}$/, 'not a media id');

export const createTicketSchema = z.strictObject({
  title: z.string().trim().min(1, '标题不能为空').max(120),
  description: z.string().max(10_000).default(''),
  category_id: z.string().max(40).nullable().optional(),
  custom_fields: z.record(z.string(), z.unknown()).default({}),
  priority: z.enum(PRIORITIES).default('normal'),
  department_id: z.string().max(40).nullable().optional(),
  assignee_id: z.string().max(64).nullable().optional(),
  customer_id: z.string().max(64).nullable().optional(),
  conversation_id: z.string().max(64).nullable().optional(),
});
export type CreateTicketInput = z.input<typeof createTicketSchema>;

/** Everything optional: what is not given is prefilled from the conversation. */
export const fromConversationSchema = z.strictObject({
  title: z.string().trim().min(1, '标题不能为空').max(120).optional(),
  description: z.string().max(10_000).optional(),
  category_id: z.string().max(40).nullable().optional(),
  custom_fields: z.record(z.string(), z.unknown()).optional(),
  priority: z.enum(PRIORITIES).optional(),
  department_id: z.string().max(40).nullable().optional(),
  assignee_id: z.string().max(64).nullable().optional(),
});

export const updateTicketSchema = z.strictObject({
  title: z.string().trim().min(1).max(120).optional(),
  description: z.string().max(10_000).optional(),
  priority: z.enum(PRIORITIES).optional(),
  assignee_id: z.string().max(64).nullable().optional(),
  custom_fields: z.record(z.string(), z.unknown()).optional(),
});

export const transitionSchema = z.strictObject({ to: z.enum(STATUSES), note: z.string().max(2000).optional() });
export const handoverSchema = z.strictObject({
  department_id: z.string().min(1).max(40),
  note: z.string().trim().min(1, '转交必须填写说明').max(2000),
  assignee_id: z.string().max(64).nullable().optional(),
});
export const commentSchema = z.strictObject({
  visibility: z.enum(['public', 'internal']),
  body: z.string().trim().min(1, '内容不能为空').max(2000),
  attachments: z.array(mediaId).max(9).default([]),
});
export const listQuerySchema = z.strictObject({
  status: z.union([z.enum([...STATUSES, 'open', 'all']), z.string().regex(/^[a-z_]+(,[a-z_]+)*$/)]).default('open'),
  priority: z.enum(PRIORITIES).optional(),
  category_id: z.string().max(40).optional(),
  department_id: z.string().max(40).optional(),
  assignee_id: z.string().max(64).optional(),
  customer_id: z.string().max(64).optional(),
  conversation_id: z.string().max(64).optional(),
  flagged: z.enum(['true', 'false']).optional(),
  sla: z.enum(['ok', 'warning', 'breached', 'paused', 'met', 'missed', 'none']).optional(),
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export const leaveMessageSchema = z.strictObject({
  text: z.string().trim().min(1, '留言内容不能为空').max(2000),
  contact: z.string().trim().max(100).optional(),
});

export type Actor = { type: 'user' | 'customer' | 'system'; id: string | null };
