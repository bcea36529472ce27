/**
 * Business-time arithmetic: pure functions of (calendar, instants). Internally everything is
 * integer epoch milliseconds; a local day becomes a list of [start, end) instants, so DST
 * and zones are handled once, in `intervals()`.
 *
 * Conventions (the same as Zammad's calendar):
 * - working intervals are half-open: 18:00 itself is not working time;
 * - adding minutes that end exactly at the close of an interval returns that close (18:00),
 *   not the next opening;
 * - adding 0 minutes returns the start unchanged, even outside working hours.
 */
import { addDays, localDate, zonedInstant, type CivilDate } from './civil-date.js';
import { CalendarError, type BusinessCalendar } from './definition.js';

type Interval = readonly [number, number];

/** A run of this many consecutive days without working time means the calendar is unusable. */
const MAX_IDLE_DAYS = 400;
const CACHE_LIMIT = 5000;
const MINUTE = 60_000;

// Memo per calendar value (results are pure; the cache only saves luxon calls on hot paths
// such as the SLA scheduler recomputing many tickets).
const memo = new WeakMap<BusinessCalendar, Map<CivilDate, Interval[]>>();

/** Working intervals of one local day, as instants (ms), ascending. */
export function intervals(cal: BusinessCalendar, date: CivilDate): readonly Interval[] {
  let m = memo.get(cal);
  if (!m) memo.set(cal, (m = new Map()));
  let out = m.get(date);
  if (!out) {
    out = cal.plan(date).minutes.map(([s, e]) => [zonedInstant(date, s, cal.zone), zonedInstant(date, e, cal.zone)] as const);
    if (m.size >= CACHE_LIMIT) m.clear();
    m.set(date, out);
  }
  return out;
}

function toMs(d: Date, what: string): number {
  const t = d instanceof Date ? d.getTime() : NaN;
  if (!Number.isFinite(t)) throw new RangeError(`${what} must be a valid Date`);
  return t;
}

/** Calls `visit` with each working interval that ends after `from`, in order, until it returns true. */
function scanForward(cal: BusinessCalendar, from: number, visit: (s: number, e: number) => boolean): void {
  let date = localDate(from, cal.zone);
  let idle = 0;
  for (;;) {
    let any = false;
    for (const [s, e] of intervals(cal, date)) {
      if (e <= from) continue;
      any = true;
      if (visit(s, e)) return;
    }
    idle = any ? 0 : idle + 1;
    if (idle > MAX_IDLE_DAYS) {
      const name = cal.definition.id ? `calendar ${cal.definition.id}` : 'calendar';
      throw new CalendarError(`${name} has no working time in the ${MAX_IDLE_DAYS} days before ${date}`);
    }
    date = addDays(date, 1);
  }
}

export function isWorkingTime(cal: BusinessCalendar, instant: Date): boolean {
  if (cal.always) return true;
  const t = toMs(instant, 'instant');
  return intervals(cal, localDate(t, cal.zone)).some(([s, e]) => s <= t && t < e);
}

/** `instant` itself when it is working time, else the next opening. */
export function nextWorkingTime(cal: BusinessCalendar, instant: Date): Date {
  const t = toMs(instant, 'instant');
  if (cal.always) return new Date(t);
  let out = t;
  scanForward(cal, t, (s) => {
    out = Math.max(s, t);
    return true;
  });
  return new Date(out);
}

/** The instant after `minutes` of working time counted from `start` (fractions allowed). */
export function addBusinessMinutes(cal: BusinessCalendar, start: Date, minutes: number): Date {
  const t = toMs(start, 'start');
  if (!Number.isFinite(minutes) || minutes < 0) throw new RangeError('minutes must be a finite number ≥ 0');
  let remaining = Math.round(minutes * MINUTE);
  if (remaining === 0 || cal.always) return new Date(t + remaining);
  let out = t;
  scanForward(cal, t, (s, e) => {
    const from = Math.max(s, t);
    if (remaining <= e - from) {
      out = from + remaining;
      return true;
    }
    remaining -= e - from;
    return false;
  });
  return new Date(out);
}

/** Working milliseconds in [a, b); negative when b < a. */
export function businessMsBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  const ta = toMs(a, 'a');
  const tb = toMs(b, 'b');
  if (tb < ta) return -businessMsBetween(cal, b, a);
  if (cal.always) return tb - ta;
  let total = 0;
  const last = localDate(tb, cal.zone);
  for (let date = localDate(ta, cal.zone); date <= last; date = addDays(date, 1)) {
    for (const [s, e] of intervals(cal, date)) {
      const lo = Math.max(s, ta);
      const hi = Math.min(e, tb);
      if (hi > lo) total += hi - lo;
    }
  }
  return total;
}

/** Working minutes in [a, b) (fractional; negative when b < a). */
export function businessMinutesBetween(cal: BusinessCalendar, a: Date, b: Date): number {
  return businessMsBetween(cal, a, b) / MINUTE;
}
