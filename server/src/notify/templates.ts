/**
 * Notification templates: `{{name}}` substitution, nothing more (no logic in templates, so
 * an admin can edit them safely). A missing variable is an error, never a literal "{{x}}"
 * in a manager's SMS.
 */
import { DateTime } from 'luxon';
import { AppError } from '../core/errors.js';

export type Template = {
  /** e-mail subject (other channels ignore it) */
  subject: string;
  body: string;
  /** urgent templates ignore quiet hours (they still honour channel opt-outs) */
  urgent?: boolean;
  /** shorter body for SMS (70 characters per SMS segment in Chinese); default: body */
  sms?: string;
};

export type TemplateVars = Record<string, string | number | boolean | Date | null | undefined>;

/** Chinese defaults; an admin's copies override them by name. */
export const DEFAULT_TEMPLATES: Readonly<Record<string, Template>> = {
  sla_warning: {
    subject: '【SLA预警】工单 {{ticketNo}} 即将超时',
    body: '工单 {{ticketNo}}「{{title}}」的{{target}}将于 {{dueAt}} 到期（剩余 {{remaining}}），请尽快处理。\n查看工单：{{link}}',
    sms: '【客服系统】工单{{ticketNo}}的{{target}}将于{{dueAt}}到期，请尽快处理。',
  },
  sla_breach_escalation: {
    subject: '【SLA超时升级】工单 {{ticketNo}} 已超时，已升级给您',
    body:
      '工单 {{ticketNo}}「{{title}}」的{{target}}已于 {{dueAt}} 超时，现升级给您（第 {{level}} 级）。\n' +
      '当前处理人：{{assignee}}，所属部门：{{department}}。\n请及时跟进：{{link}}',
    urgent: true,
    sms: '【客服系统】工单{{ticketNo}}{{target}}已超时，已升级给您，请及时处理。',
  },
  escalation_sms: {
    subject: '工单 {{ticketNo}} 超时升级',
    body: '【客服系统】工单{{ticketNo}}已超时{{overdue}}，已升级至您，请尽快处理。',
    urgent: true,
  },
  supervisor_alert: {
    subject: '【主管提醒】{{summary}}',
    body: '{{summary}}\n{{detail}}\n发生时间：{{at}}',
    sms: '【客服系统】{{summary}}',
  },
  /**
   * A journey's message to a customer by SMS when WeChat's window is closed: customer-facing
   * (the brand's signature and the opt-out that marketing SMS must carry), never the internal
   * 【客服系统】 alert wording. Real providers register it as their own template.
   */
  customer_sms: {
    subject: '{{text}}',
    body: '{{text}}',
    sms: '【悦肤美妆】{{text}} 拒收请回复R',
  },
  report: {
    subject: '【{{period}}报表】{{title}}',
    body: '{{title}}（{{period}}）\n{{summary}}\n查看完整报表：{{link}}',
  },
};

export class TemplateError extends AppError {
  constructor(code: string, message: string, details?: unknown) {
    super(400, code, message, details);
    this.name = 'TemplateError';
  }
}

const VAR_RE = /\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

/** Dates are shown as wall time of the reader's zone (2025-01-26 10:00), not ISO UTC. */
function show(v: NonNullable<TemplateVars[string]>, zone: string): string {
  if (v instanceof Date) return DateTime.fromJSDate(v, { zone }).toFormat('yyyy-MM-dd HH:mm');
  return String(v);
}

/** Replaces every `{{name}}`; throws TemplateError listing all missing names. */
export function render(text: string, vars: TemplateVars, zone = 'Asia/Shanghai'): string {
  const missing = new Set<string>();
  const out = text.replace(VAR_RE, (_, name: string) => {
    const v = vars[name];
    if (v === undefined || v === null) {
      missing.add(name);
      return '';
    }
    return show(v, zone);
  });
  if (missing.size > 0) {
    throw new TemplateError('template_vars_missing', `missing template variables: ${[...missing].join(', ')}`, [...missing]);
  }
  return out;
}

/** The variables a template uses (for the admin UI and for validating edits). */
export function templateVariables(t: Template): string[] {
  const names = new Set<string>();
  for (const s of [t.subject, t.body, t.sms ?? '']) for (const m of s.matchAll(VAR_RE)) names.add(m[1]);
  return [...names];
}

/** The variables as strings (for providers that fill their own registered templates). */
export function stringifyVars(vars: TemplateVars, zone = 'Asia/Shanghai'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars)) if (v !== undefined && v !== null) out[k] = show(v, zone);
  return out;
}

export type Rendered = { subject: string; body: string; sms: string; urgent: boolean };

export function renderTemplate(t: Template, vars: TemplateVars, zone = 'Asia/Shanghai'): Rendered {
  return {
    subject: render(t.subject, vars, zone),
    body: render(t.body, vars, zone),
    sms: render(t.sms ?? t.body, vars, zone),
    urgent: t.urgent === true,
  };
}
