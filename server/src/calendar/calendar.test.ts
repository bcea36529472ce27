// Run the whole file on a machine clock that is NOT China's: every result below must come
// from the calendar's own zone, never from the process's.
process.env.TZ = 'America/Los_Angeles';

import { describe, expect, it } from 'vitest';
import { getDayDetail } from 'chinese-days';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  CALENDAR_PRESETS,
  CalendarError,
  cnYears,
  createCalendar,
  holidayCoverage,
  isWorkingTime,
  nextWorkingTime,
} from './index.js';

/** Beijing wall time → instant */
const bj = (s: string) => new Date(`${s.replace(' ', 'T')}:00+08:00`);
const iso = (d: Date) => d.toISOString();

// 09:00–18:00 Mon–Fri (the brief's office hours), Chinese holidays and 调休
const nineToSix = createCalendar({ id: 'nine-to-six' });
// 09:00–12:00, 13:00–18:00 Mon–Fri
const office = createCalendar(CALENDAR_PRESETS.office);
const always = createCalendar(CALENDAR_PRESETS.always);

function range(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`); d = new Date(d.getTime() + 86_400_000)) {
    out.push(d.toISOString().slice(0, 10));
  }
  return out;
}

describe('Chinese holiday data (chinese-days)', () => {
  const kinds = (dates: string[]) => dates.map((d) => nineToSix.plan(d).kind);

  it('covers 2025 and 2026; 2027 must be entered by hand', () => {
    expect(cnYears()).toEqual(expect.arrayContaining([2025, 2026]));
    expect(cnYears()).not.toContain(2027);
    expect(holidayCoverage(nineToSix, 2026)).toBe('package');
    expect(holidayCoverage(nineToSix, 2027)).toBe('missing');
    expect(holidayCoverage(always, 2027)).toBe('not_applicable');
  });

  it('2025 Spring Festival: 01-28..02-04 off, make-up Sun 01-26 and Sat 02-08', () => {
    expect(kinds(range('2025-01-28', '2025-02-04'))).toEqual(Array(8).fill('holiday'));
    expect(nineToSix.plan('2025-01-29').name).toBe('春节');
    expect(nineToSix.plan('2025-01-26')).toMatchObject({ kind: 'makeup', name: '春节' });
    expect(nineToSix.plan('2025-02-08')).toMatchObject({ kind: 'makeup' });
    expect(kinds(['2025-01-25', '2025-01-27', '2025-02-05', '2025-02-09'])).toEqual(['rest', 'workday', 'workday', 'rest']);
  });

  it('2025 National Day: 10-01..10-08 off (incl. 中秋 10-06), make-up Sun 09-28 and Sat 10-11', () => {
    expect(kinds(range('2025-10-01', '2025-10-08'))).toEqual(Array(8).fill('holiday'));
    expect(nineToSix.plan('2025-10-06').name).toBe('中秋');
    expect(kinds(['2025-09-28', '2025-10-11', '2025-10-09', '2025-10-12'])).toEqual(['makeup', 'makeup', 'workday', 'rest']);
  });

  it('2026 Spring Festival: 02-15..02-23 off, make-up Sat 02-14 and Sat 02-28', () => {
    expect(kinds(range('2026-02-15', '2026-02-23'))).toEqual(Array(9).fill('holiday'));
    expect(kinds(['2026-02-14', '2026-02-28', '2026-02-13', '2026-02-24'])).toEqual(['makeup', 'makeup', 'workday', 'workday']);
  });

  it('2026 National Day: 10-01..10-07 off, make-up Sun 09-20 and Sat 10-10', () => {
    expect(kinds(range('2026-10-01', '2026-10-07'))).toEqual(Array(7).fill('holiday'));
    expect(kinds(['2026-09-20', '2026-10-10', '2026-10-08', '2026-10-11'])).toEqual(['makeup', 'makeup', 'workday', 'rest']);
    // 中秋 2026 is its own block, 09-25..09-27
    expect(kinds(['2026-09-25', '2026-09-26', '2026-09-27'])).toEqual(['holiday', 'holiday', 'holiday']);
  });

  it('agrees with the package’s own API day by day through 2025 and 2026', () => {
    for (const d of range('2025-01-01', '2026-12-31')) {
      const ours = nineToSix.plan(d).minutes.length > 0;
      // local noon: getDayDetail('2025-01-01') parses as UTC and formats in the machine's zone,
      // so west of UTC it answers for 2024-12-31 — the reason we read the data file instead
      const [y, m, day] = d.split('-').map(Number);
      expect(ours, d).toBe(getDayDetail(new Date(y, m - 1, day, 12)).work);
    }
  });
});

describe('business-time arithmetic', () => {
  it('brief example: Friday before the 2025 Spring Festival, 17:00 + 2 h → Sunday 01-26 (make-up) 10:00', () => {
    expect(iso(addBusinessMinutes(nineToSix, bj('2025-01-24 17:00'), 120))).toBe(iso(bj('2025-01-26 10:00')));
  });

  it('ends at the close of an interval, then skips the whole holiday block', () => {
    const fri = bj('2025-01-24 17:00');
    expect(iso(addBusinessMinutes(nineToSix, fri, 600))).toBe(iso(bj('2025-01-26 18:00'))); // 1 h + 9 h
    expect(iso(addBusinessMinutes(nineToSix, fri, 601))).toBe(iso(bj('2025-01-27 09:01')));
    expect(iso(addBusinessMinutes(nineToSix, fri, 1141))).toBe(iso(bj('2025-02-05 09:01'))); // after 01-28..02-04
    expect(iso(addBusinessMinutes(nineToSix, fri, 0))).toBe(iso(fri));
  });

  it('lunch break and the 2025 National Day block (office preset)', () => {
    expect(iso(addBusinessMinutes(office, bj('2025-09-30 11:30'), 60))).toBe(iso(bj('2025-09-30 13:30')));
    expect(iso(addBusinessMinutes(office, bj('2025-09-30 17:00'), 120))).toBe(iso(bj('2025-10-09 10:00')));
    expect(iso(addBusinessMinutes(office, bj('2025-09-26 17:30'), 60))).toBe(iso(bj('2025-09-28 09:30'))); // Sun 09-28 make-up
    // start outside hours (Saturday) counts from the next opening
    expect(iso(addBusinessMinutes(office, bj('2025-10-04 15:00'), 30))).toBe(iso(bj('2025-10-09 09:30')));
  });

  it('2026 Spring Festival and National Day', () => {
    expect(iso(addBusinessMinutes(nineToSix, bj('2026-02-13 17:00'), 120))).toBe(iso(bj('2026-02-14 10:00'))); // Sat make-up
    expect(iso(addBusinessMinutes(nineToSix, bj('2026-02-14 17:00'), 120))).toBe(iso(bj('2026-02-24 10:00')));
    expect(iso(addBusinessMinutes(nineToSix, bj('2026-09-18 17:00'), 120))).toBe(iso(bj('2026-09-20 10:00'))); // Sun make-up
    expect(iso(addBusinessMinutes(nineToSix, bj('2026-09-30 17:00'), 120))).toBe(iso(bj('2026-10-08 10:00')));
    expect(iso(addBusinessMinutes(nineToSix, bj('2026-10-09 17:00'), 120))).toBe(iso(bj('2026-10-10 10:00'))); // Sat make-up
  });

  it('minutes between, across holidays and 调休 days', () => {
    expect(businessMinutesBetween(office, bj('2025-09-30 09:00'), bj('2025-10-09 09:00'))).toBe(480);
    expect(businessMinutesBetween(office, bj('2025-10-10 18:00'), bj('2025-10-13 09:00'))).toBe(480); // Sat 10-11 make-up
    expect(businessMinutesBetween(nineToSix, bj('2025-01-24 17:00'), bj('2025-02-05 09:30'))).toBe(60 + 540 + 540 + 30);
    expect(businessMinutesBetween(nineToSix, bj('2025-02-05 09:30'), bj('2025-01-24 17:00'))).toBe(-1170);
    expect(businessMinutesBetween(office, bj('2025-10-02 10:00'), bj('2025-10-03 10:00'))).toBe(0);
    // add and between are inverses
    const start = bj('2026-02-12 10:17');
    for (const m of [1, 59, 480, 1000, 5000]) {
      expect(businessMinutesBetween(office, start, addBusinessMinutes(office, start, m))).toBe(m);
    }
  });

  it('isWorkingTime / nextWorkingTime', () => {
    expect(isWorkingTime(nineToSix, bj('2025-01-26 10:00'))).toBe(true); // Sunday, make-up
    expect(isWorkingTime(nineToSix, bj('2025-01-29 10:00'))).toBe(false); // 春节
    expect(isWorkingTime(nineToSix, bj('2025-02-05 09:00'))).toBe(true);
    expect(isWorkingTime(nineToSix, bj('2025-02-05 08:59'))).toBe(false);
    expect(isWorkingTime(nineToSix, bj('2025-02-05 18:00'))).toBe(false); // half-open
    expect(isWorkingTime(office, bj('2025-02-05 12:30'))).toBe(false);
    expect(iso(nextWorkingTime(nineToSix, bj('2025-01-27 18:30')))).toBe(iso(bj('2025-02-05 09:00')));
    expect(iso(nextWorkingTime(office, bj('2025-02-05 12:30')))).toBe(iso(bj('2025-02-05 13:00')));
    expect(iso(nextWorkingTime(office, bj('2025-02-05 14:00')))).toBe(iso(bj('2025-02-05 14:00')));
  });

  it('24x7 counts wall time, holidays included', () => {
    expect(isWorkingTime(always, bj('2025-01-29 03:00'))).toBe(true);
    expect(iso(addBusinessMinutes(always, bj('2025-01-28 23:00'), 120))).toBe(iso(bj('2025-01-29 01:00')));
    expect(businessMinutesBetween(always, bj('2025-10-01 00:00'), bj('2025-10-08 00:00'))).toBe(7 * 1440);
  });

  it('an admin-entered 2027 (not in the package yet)', () => {
    const base = {};
    const without = createCalendar(base);
    const cal = createCalendar({
      ...base,
      customYears: {
        // an example arrangement: 春节 02-05..02-13 off, make-up Sun 01-31 and Sat 02-20
        '2027': { holidays: range('2027-02-05', '2027-02-13'), workdays: ['2027-01-31', '2027-02-20'] },
      },
    });
    expect(holidayCoverage(cal, 2027)).toBe('custom');
    expect(holidayCoverage(cal, 2026)).toBe('package'); // other years keep the package data
    expect(isWorkingTime(cal, bj('2027-01-31 10:00'))).toBe(true);
    expect(isWorkingTime(without, bj('2027-01-31 10:00'))).toBe(false);
    expect(iso(addBusinessMinutes(cal, bj('2027-02-04 17:00'), 120))).toBe(iso(bj('2027-02-15 10:00')));
    expect(iso(addBusinessMinutes(without, bj('2027-02-04 17:00'), 120))).toBe(iso(bj('2027-02-05 10:00')));
    expect(isWorkingTime(cal, bj('2027-02-20 10:00'))).toBe(true);
  });

  it('an entered year replaces the package for that year; company days off win', () => {
    const cal = createCalendar({ customYears: { '2025': { holidays: ['2025-01-01'] } }, companyDaysOff: ['2025-03-07'] });
    expect(cal.plan('2025-01-29').kind).toBe('workday'); // the admin's 2025 has no 春节
    expect(cal.plan('2025-01-26').kind).toBe('rest');
    expect(cal.plan('2025-03-07').kind).toBe('company_off');
    expect(iso(addBusinessMinutes(cal, bj('2025-03-06 17:00'), 120))).toBe(iso(bj('2025-03-10 10:00')));
  });

  it('time zones: Shanghai office hours on a machine in another zone, and DST elsewhere', () => {
    // 2025-01-23T23:30Z is Thursday in UTC and in Los Angeles, but Friday 07:30 in Beijing
    expect(isWorkingTime(nineToSix, new Date('2025-01-23T23:30:00Z'))).toBe(false);
    expect(isWorkingTime(nineToSix, new Date('2025-01-24T01:00:00Z'))).toBe(true); // Fri 09:00 Beijing
    expect(iso(nextWorkingTime(nineToSix, new Date('2025-01-23T23:30:00Z')))).toBe('2025-01-24T01:00:00.000Z');
    // Berlin switches to summer time on Sunday 2025-03-30: Friday 17:00 CET + 2 h = Monday 10:00 CEST
    const berlin = createCalendar({ timeZone: 'Europe/Berlin', publicHolidays: 'none' });
    expect(iso(addBusinessMinutes(berlin, new Date('2025-03-28T16:00:00Z'), 120))).toBe('2025-03-31T08:00:00.000Z');
    expect(businessMinutesBetween(berlin, new Date('2025-03-28T08:00:00Z'), new Date('2025-03-31T07:00:00Z'))).toBe(540);
  });

  it('rejects bad definitions with clear messages', () => {
    const bad = (input: unknown) => {
      try {
        createCalendar(input as never);
      } catch (e) {
        expect(e).toBeInstanceOf(CalendarError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ timeZone: 'China/Beijing' })).toMatch(/timeZone: must be an IANA time zone/);
    expect(bad({ weekly: { mon: [{ start: '09:00', end: '12:00' }, { start: '11:00', end: '18:00' }] } })).toMatch(/weekly.mon: .*overlap/);
    expect(bad({ weekly: { mon: [{ start: '18:00', end: '09:00' }] } })).toMatch(/cannot cross midnight/);
    expect(bad({ weekly: { mon: [{ start: '9:00', end: '12:00' }] } })).toMatch(/HH:MM/);
    expect(bad({ weekly: {} })).toMatch(/at least one weekday/);
    expect(bad({ customYears: { '2027': { holidays: ['2026-10-01'] } } })).toMatch(/2026-10-01 is not in 2027/);
    expect(bad({ customYears: { '2027': { holidays: ['2027-02-30'] } } })).toMatch(/YYYY-MM-DD/);
    expect(bad({ companyDaysOff: ['2027-02-03'], customYears: { '2027': { holidays: ['2027-01-02'], workdays: ['2027-01-02'] } } })).toMatch(
      /both a holiday and a make-up workday/,
    );
  });

  it('a calendar whose every day is off fails loudly instead of looping', () => {
    const cal = createCalendar({
      weekly: { sun: [{ start: '09:00', end: '10:00' }] },
      publicHolidays: 'none',
      companyDaysOff: range('2025-01-01', '2027-12-31').filter((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 0),
    });
    expect(() => addBusinessMinutes(cal, bj('2025-01-01 00:00'), 10)).toThrow(CalendarError);
  });
});
