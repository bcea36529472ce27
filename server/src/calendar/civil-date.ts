/**
 * Civil dates ('YYYY-MM-DD', a day on a wall calendar, no zone) and the two conversions
 * between wall time in an IANA zone and instants.
 *
 * Why luxon: the only zone-dependent steps are "which local day is this instant in" and
 * "which instant is 09:00 on that local day". Intl answers the first (used directly, it is the
 * hot path) but not the second: it has no local → UTC conversion, and hand-rolled offset
 * guessing gets DST gaps/overlaps wrong. luxon does that with the runtime's own tz database,
 * has no dependencies, is maintained by the moment team, and is already in the tree (antd's
 * date picker uses it).
 * Plain day arithmetic (next day, weekday) never needs a zone, so it is done on UTC dates.
 */
import { DateTime, IANAZone } from 'luxon';

export type CivilDate = string;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export function isCivilDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.toISOString().slice(0, 10) === s;
}

function utcMidnight(date: CivilDate): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3]);
}

export function addDays(date: CivilDate, days: number): CivilDate {
  return new Date(utcMidnight(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday: 1 = Monday … 7 = Sunday */
export function isoWeekday(date: CivilDate): number {
  return new Date(utcMidnight(date)).getUTCDay() || 7;
}

export function yearOf(date: CivilDate): number {
  return Number(date.slice(0, 4));
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

// This is the hot path of every scan. Every zone's offset today is a multiple of 15 minutes,
// so a whole 15-minute slot of UTC lies on one local date: memoise per slot (Intl's
// formatToParts costs microseconds; luxon would also build a DateTime per call).
const SLOT_MS = 15 * 60_000;
const SLOT_CACHE_LIMIT = 50_000;
const dayFormatters = new Map<string, { f: Intl.DateTimeFormat; slots: Map<number, CivilDate> }>();

/** The local day (in `zone`) that contains the instant. */
export function localDate(instantMs: number, zone: string): CivilDate {
  let z = dayFormatters.get(zone);
  if (!z) {
    // parts rather than a locale's pattern, so no particular ICU locale data is assumed
    z = { f: new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }), slots: new Map() };
    dayFormatters.set(zone, z);
  }
  const slot = Math.floor(instantMs / SLOT_MS);
  const hit = z.slots.get(slot);
  if (hit) return hit;
  let y = '';
  let m = '';
  let d = '';
  for (const p of z.f.formatToParts(slot * SLOT_MS)) {
    if (p.type === 'year') y = p.value;
    else if (p.type === 'month') m = p.value;
    else if (p.type === 'day') d = p.value;
  }
  const date = `${y.padStart(4, '0')}-${m}-${d}`;
  if (z.slots.size >= SLOT_CACHE_LIMIT) z.slots.clear();
  z.slots.set(slot, date);
  return date;
}

/**
 * The instant of wall time `minuteOfDay` (0–1440) on `date` in `zone`. 1440 is the next
 * day's midnight. A wall time inside a DST gap moves forward (luxon's rule), which is what
 * an office clock does too.
 */
export function zonedInstant(date: CivilDate, minuteOfDay: number, zone: string): number {
  const day = minuteOfDay >= 1440 ? addDays(date, 1) : date;
  const min = minuteOfDay >= 1440 ? 0 : minuteOfDay;
  const m = DATE_RE.exec(day)!;
  return DateTime.fromObject(
    { year: +m[1], month: +m[2], day: +m[3], hour: Math.floor(min / 60), minute: min % 60 },
    { zone },
  ).toMillis();
}
