/**
 * A business calendar as data (what an admin edits and the database stores as JSON) and its
 * compiled, validated form. Everything after `createCalendar` is a pure function of the
 * compiled value: no clock, no I/O.
 */
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { isCivilDate, isValidZone, isoWeekday, yearOf, type CivilDate } from './civil-date.js';
import { cnArrangement } from './holidays-cn.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const HHMM_RE = /^(?:([01]\d|2[0-3]):([0-5]\d)|24:00)$/;
const toMinute = (s: string) => (s === '24:00' ? 1440 : Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5)));

const hhmm = z.string().regex(HHMM_RE, 'must be HH:MM between 00:00 and 24:00');
const timeRange = z
  .object({ start: hhmm, end: hhmm })
  .refine((r) => toMinute(r.end) > toMinute(r.start), { message: 'end must be after start (a range cannot cross midnight; split it)' });
const dayHours = z
  .array(timeRange)
  .max(12)
  .refine(
    (rs) => rs.every((r, i) => i === 0 || toMinute(r.start) >= toMinute(rs[i - 1].end)),
    { message: 'ranges must be in order and must not overlap' },
  );
const civil = z.string().refine(isCivilDate, { message: 'must be a date YYYY-MM-DD' });

const yearEntry = z.object({
  /** days off (list the weekend days inside a holiday block too, as the State Council does) */
  holidays: z.array(civil).default([]),
  /** make-up workdays (调休上班) */
  workdays: z.array(civil).default([]),
});

const OFFICE_9_TO_6 = [{ start: '09:00', end: '18:00' }];

export const calendarDefinitionSchema = z
  .object({
    id: z.string().max(100).optional(),
    name: z.string().max(100).optional(),
    /** 'weekly' = working hours per weekday; '24x7' = always working (holidays ignored) */
    mode: z.enum(['weekly', '24x7']).default('weekly'),
    timeZone: z.string().default('Asia/Shanghai').refine(isValidZone, { message: 'must be an IANA time zone such as Asia/Shanghai' }),
    weekly: z
      .object(Object.fromEntries(WEEKDAYS.map((d) => [d, dayHours.default([])])) as Record<Weekday, z.ZodDefault<typeof dayHours>>)
      .default({ mon: OFFICE_9_TO_6, tue: OFFICE_9_TO_6, wed: OFFICE_9_TO_6, thu: OFFICE_9_TO_6, fri: OFFICE_9_TO_6, sat: [], sun: [] }),
    /** hours on a make-up workday; default: Monday's hours (or the first weekday that has any) */
    makeupDayHours: dayHours.optional(),
    /** maintained data source for public holidays and 调休: 'cn' (chinese-days) or none */
    publicHolidays: z.enum(['cn', 'none']).default('cn'),
    /** admin-entered years ("2027": {...}); an entered year replaces the package's data for it */
    customYears: z.record(z.string().regex(/^\d{4}$/, 'year keys are 4 digits'), yearEntry).default({}),
    /** company-specific days off (annual outing, stocktaking …); win over everything */
    companyDaysOff: z.array(civil).default([]),
  })
  .superRefine((c, ctx) => {
    if (c.mode === 'weekly' && WEEKDAYS.every((d) => c.weekly[d].length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['weekly'], message: 'a weekly calendar needs working hours on at least one weekday' });
    }
    for (const [year, e] of Object.entries(c.customYears)) {
      for (const [list, dates] of [['holidays', e.holidays], ['workdays', e.workdays]] as const) {
        dates.forEach((d, i) => {
          if (d.slice(0, 4) !== year) ctx.addIssue({ code: 'custom', path: ['customYears', year, list, i], message: `${d} is not in ${year}` });
        });
      }
      const off = new Set(e.holidays);
      e.workdays.forEach((d, i) => {
        if (off.has(d)) ctx.addIssue({ code: 'custom', path: ['customYears', year, 'workdays', i], message: `${d} is both a holiday and a make-up workday` });
      });
    }
  });

/** What an admin submits (defaults filled in by createCalendar). */
export type CalendarInput = z.input<typeof calendarDefinitionSchema>;
/** The normalised definition (all defaults present). */
export type CalendarDefinition = z.output<typeof calendarDefinitionSchema>;
export type TimeRange = { start: string; end: string };

export type DayKind = 'workday' | 'rest' | 'holiday' | 'makeup' | 'company_off' | 'always';
export type DayPlan = {
  date: CivilDate;
  kind: DayKind;
  /** holiday name (春节, 国庆节 …) when known */
  name?: string;
  /** working ranges in local minutes of the day, [start, end) */
  minutes: ReadonlyArray<readonly [number, number]>;
};

/** A validated calendar. Treat as an immutable value; share one per definition. */
export type BusinessCalendar = {
  readonly definition: CalendarDefinition;
  readonly zone: string;
  readonly always: boolean;
  /** the plan for one local day (pure; memoised by the business-time functions) */
  readonly plan: (date: CivilDate) => DayPlan;
};

export class CalendarError extends AppError {
  constructor(message: string, details?: unknown) {
    super(400, 'invalid_calendar', message, details);
    this.name = 'CalendarError';
  }
}

/** Validates (external input: admin UI / API / stored JSON) and compiles a calendar. */
export function createCalendar(input: CalendarInput = {}): BusinessCalendar {
  const r = calendarDefinitionSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CalendarError(`invalid calendar: ${problems.join('; ')}`, problems);
  }
  const def = r.data;
  const ranges = (rs: readonly TimeRange[]) => Object.freeze(rs.map((x) => Object.freeze([toMinute(x.start), toMinute(x.end)] as const)));
  const weekly = WEEKDAYS.map((d) => ranges(def.weekly[d]));
  const makeup = def.makeupDayHours ? ranges(def.makeupDayHours) : (weekly.find((w) => w.length > 0) ?? []);
  const custom = new Map(
    Object.entries(def.customYears).map(([y, e]) => [
      Number(y),
      { holidays: new Map(e.holidays.map((d) => [d, '节假日'])), workdays: new Map(e.workdays.map((d) => [d, '调休上班'])) },
    ]),
  );
  const daysOff = new Set(def.companyDaysOff);
  const WHOLE_DAY = Object.freeze([Object.freeze([0, 1440] as const)]);

  const plan = (date: CivilDate): DayPlan => {
    if (def.mode === '24x7') return { date, kind: 'always', minutes: WHOLE_DAY };
    if (daysOff.has(date)) return { date, kind: 'company_off', minutes: [] };
    const y = yearOf(date);
    const arr = custom.get(y) ?? (def.publicHolidays === 'cn' ? cnArrangement(y) : undefined);
    const mk = arr?.workdays.get(date);
    if (mk !== undefined) return { date, kind: 'makeup', name: mk, minutes: makeup };
    const hol = arr?.holidays.get(date);
    if (hol !== undefined) return { date, kind: 'holiday', name: hol, minutes: [] };
    const w = weekly[isoWeekday(date) - 1];
    return { date, kind: w.length > 0 ? 'workday' : 'rest', minutes: w };
  };

  return Object.freeze({ definition: def, zone: def.timeZone, always: def.mode === '24x7', plan });
}

/**
 * Where a year's holiday data comes from: 'custom' (admin-entered), 'package' (chinese-days),
 * or 'missing' (weekends only — the admin UI should warn that the year must be entered).
 */
export function holidayCoverage(cal: BusinessCalendar, year: number): 'custom' | 'package' | 'missing' | 'not_applicable' {
  if (cal.always) return 'not_applicable';
  if (cal.definition.customYears[String(year)]) return 'custom';
  if (cal.definition.publicHolidays === 'none') return 'not_applicable';
  return cnArrangement(year) ? 'package' : 'missing';
}

/** Presets for the admin UI and the demo. */
export const CALENDAR_PRESETS = {
  /** 周一至周五 09:00–12:00, 13:00–18:00, Chinese holidays and 调休 */
  office: {
    id: 'office',
    name: '工作日 9:00-18:00（午休 12:00-13:00）',
    mode: 'weekly',
    timeZone: 'Asia/Shanghai',
    weekly: Object.fromEntries(
      WEEKDAYS.map((d) => [d, d === 'sat' || d === 'sun' ? [] : [{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:00' }]]),
    ) as Record<Weekday, TimeRange[]>,
  },
  always: { id: '24x7', name: '7×24 小时', mode: '24x7', timeZone: 'Asia/Shanghai' },
} satisfies Record<string, CalendarInput>;
