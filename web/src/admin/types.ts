/* Shapes of the admin API (server/src/tickets/admin.ts, server/src/notify/routes.ts). */
import type { FieldDefinition } from '../tickets/types';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type TimeRange = { start: string; end: string };
export type YearEntry = { holidays: string[]; workdays: string[] };
export type CalendarDefinition = {
  id?: string;
  name?: string;
  mode: 'weekly' | '24x7';
  timeZone: string;
  weekly: Record<Weekday, TimeRange[]>;
  makeupDayHours?: TimeRange[];
  publicHolidays: 'cn' | 'none';
  customYears: Record<string, YearEntry>;
  companyDaysOff: string[];
};
export type BusinessCalendar = { id: string; name: string; sort: number; definition: CalendarDefinition; used_by: string[]; updated_at: string };
export type DayKind = 'workday' | 'rest' | 'holiday' | 'makeup' | 'company_off' | 'always';
export type PreviewDay = { date: string; kind: DayKind; name?: string; hours: string };
export type CalendarPreview = { year: number; coverage: 'custom' | 'package' | 'missing' | 'not_applicable'; days: PreviewDay[]; due: string | null };

export const ESCALATION_ACTIONS = ['flag_red', 'notify_department_head', 'escalate_next_manager', 'sms', 'notify_assignee'] as const;
export type EscalationLevel = { after_minutes: number; target: 'first_response' | 'resolution'; actions: (typeof ESCALATION_ACTIONS)[number][] };
export type SlaPolicy = {
  id: string;
  name: string;
  sort: number;
  match: { priorities?: string[]; categories?: string[]; tiers?: string[] };
  calendar_id: string | null;
  calendar_name: string | null;
  first_response_minutes: number | null;
  resolution_minutes: number | null;
  warn_before_minutes: number;
  escalation: EscalationLevel[];
  tickets: number;
};

export const CONTEXT_KINDS = ['purchases', 'contract', 'device', 'none'] as const;
export type AdminCategory = { id: string; name: string; sort: number; context_kind: (typeof CONTEXT_KINDS)[number]; default_department_id: string | null; fields: FieldDefinition[]; tickets: number };

export type Contact = { name?: string; wecom_userid?: string; email?: string; phone?: string };
export type AdminDepartment = { id: string; name: string; head_user_id: string | null; next_manager_user_id: string | null; contacts: Record<string, Contact>; tickets: number; categories: string[] };

export type Template = { subject: string; body: string; sms?: string | null; urgent?: boolean };
export type TemplateItem = { name: string; variables: string[]; default: Template; override: Template | null; updated_at: string | null; updated_by: string | null };

export const CHANNELS = ['wecom', 'email', 'sms'] as const;
export type Channel = (typeof CHANNELS)[number];
export type Preferences = { channels?: Channel[]; muted?: boolean; quietHours?: { start: string; end: string; timeZone?: string } | null };
export type LogEntry = {
  id: string;
  notification_id: string;
  delivery_id: string;
  channel: Channel;
  template: string;
  recipient_user_id: string | null;
  address_masked: string | null;
  attempt: number;
  outcome: 'sent' | 'retry' | 'failed' | 'skipped';
  subject: string | null;
  body: string | null;
  error: string | null;
  provider_ref: string | null;
  created_at: string;
};

export const TIERS = ['普通', '银卡', '金卡', 'VIP'];
export const ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'UTC'];
