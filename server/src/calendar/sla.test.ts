// A UTC machine evaluating a Shanghai calendar (the usual container setup).
process.env.TZ = 'UTC';

import { describe, expect, it } from 'vitest';
import { CALENDAR_PRESETS, createCalendar, slaDue, slaElapsed, slaStatus, type SlaHistory } from './index.js';

const bj = (s: string) => new Date(`${s.replace(' ', 'T')}:00+08:00`);
const iso = (d: Date | null | undefined) => (d ? d.toISOString() : d);
const cal = createCalendar({}); // Mon–Fri 09:00–18:00, Chinese holidays
const always = createCalendar(CALENDAR_PRESETS.always);

/** ['status', 'from', 'to'?] rows in Beijing time → history */
const h = (...rows: [string, string, string?][]): SlaHistory =>
  rows.map(([status, from, to]) => ({ status, from: bj(from), to: to ? bj(to) : null }));

// created Mon 09:00; waiting for the customer from 11:00 until Tuesday 14:00
const paused = h(['new', '2025-03-03 09:00', '2025-03-03 10:00'], ['in_progress', '2025-03-03 10:00', '2025-03-03 11:00'], ['pending_customer', '2025-03-03 11:00']);
const resumed = h(
  ['new', '2025-03-03 09:00', '2025-03-03 10:00'],
  ['in_progress', '2025-03-03 10:00', '2025-03-03 11:00'],
  ['pending_customer', '2025-03-03 11:00', '2025-03-04 14:00'],
  ['in_progress', '2025-03-04 14:00'],
);

describe('SLA clocks', () => {
  it('pauses while pending the customer and resumes on reply', () => {
    const policy = { resolutionMinutes: 240 };
    expect(slaElapsed(cal, paused, bj('2025-03-04 12:00'))).toBe(120);
    expect(slaElapsed(cal, paused, bj('2025-03-10 12:00'))).toBe(120); // a week later: still 120
    expect(slaDue(cal, policy, paused).resolution).toEqual({
      targetMinutes: 240, dueAt: null, state: 'paused', completedAt: null, remainingMinutes: 120,
    });

    expect(slaElapsed(cal, resumed, bj('2025-03-04 15:00'))).toBe(180);
    const due = slaDue(cal, policy, resumed).resolution!;
    expect(due.state).toBe('running');
    expect(iso(due.dueAt)).toBe(iso(bj('2025-03-04 16:00')));
  });

  it('badges: ok → warning → breached, counted in business time', () => {
    const policy = { resolutionMinutes: 240 };
    const at = (t: string) => slaStatus(cal, policy, resumed, bj(t), { warnBeforeMinutes: 30 }).resolution!;
    expect(at('2025-03-04 15:00')).toMatchObject({ state: 'ok', remainingMinutes: 60, elapsedMinutes: 180 });
    expect(at('2025-03-04 15:45')).toMatchObject({ state: 'warning', remainingMinutes: 15 });
    expect(at('2025-03-04 16:30')).toMatchObject({ state: 'breached', remainingMinutes: -30 });
    expect(at('2025-03-05 09:30')).toMatchObject({ state: 'breached', remainingMinutes: -150 }); // night not counted
  });

  it('a breach before the pause stays a breach', () => {
    const hist = h(['in_progress', '2025-03-03 09:00', '2025-03-03 12:00'], ['pending_customer', '2025-03-03 12:00']);
    const due = slaDue(cal, { resolutionMinutes: 120 }, hist).resolution!;
    expect(due).toMatchObject({ state: 'paused', remainingMinutes: -60 });
    expect(iso(due.dueAt)).toBe(iso(bj('2025-03-03 11:00')));
    expect(slaStatus(cal, { resolutionMinutes: 120 }, hist, bj('2025-03-05 10:00')).resolution!.state).toBe('breached');
  });

  it('first response: due across the 2025 Spring Festival, met or missed', () => {
    const hist = h(['new', '2025-01-24 17:00']);
    const policy = { firstResponseMinutes: 120, resolutionMinutes: 1200 };
    const due = slaDue(cal, policy, hist);
    expect(iso(due.firstResponse!.dueAt)).toBe(iso(bj('2025-01-26 10:00'))); // Sunday make-up day
    expect(iso(due.resolution!.dueAt)).toBe(iso(bj('2025-02-05 10:00'))); // 1 h + 9 h + 9 h, then after 01-28..02-04
    const met = slaDue(cal, policy, hist, { firstResponseAt: bj('2025-01-26 09:30') }).firstResponse!;
    expect(met).toMatchObject({ state: 'met', dueAt: null, remainingMinutes: 30 });
    expect(iso(met.completedAt)).toBe(iso(bj('2025-01-26 09:30')));
    const missed = slaDue(cal, policy, hist, { firstResponseAt: bj('2025-01-27 09:00') }).firstResponse!;
    expect(missed).toMatchObject({ state: 'missed', remainingMinutes: -480 });
    expect(iso(missed.dueAt)).toBe(iso(bj('2025-01-26 10:00')));
    // the badge after a response no longer counts down
    const badge = slaStatus(cal, policy, hist, bj('2025-02-10 10:00'), { firstResponseAt: bj('2025-01-26 09:30') }).firstResponse!;
    expect(badge).toMatchObject({ state: 'met', elapsedMinutes: 90 });
  });

  it('pending the customer over the 2025 Spring Festival', () => {
    const hist = h(['in_progress', '2025-01-27 17:00', '2025-01-27 17:30'], ['pending_customer', '2025-01-27 17:30', '2025-02-06 10:00'], ['in_progress', '2025-02-06 10:00']);
    expect(iso(slaDue(cal, { resolutionMinutes: 240 }, hist).resolution!.dueAt)).toBe(iso(bj('2025-02-06 13:30')));
  });

  it('resolved stops the clock; reopening resumes it', () => {
    const resolved = [...resumed.slice(0, 3), { status: 'in_progress', from: bj('2025-03-04 14:00'), to: bj('2025-03-04 15:00') }, { status: 'resolved', from: bj('2025-03-04 15:00') }];
    const r = slaDue(cal, { resolutionMinutes: 240 }, resolved).resolution!;
    expect(r).toMatchObject({ state: 'met', remainingMinutes: 60, dueAt: null });
    expect(iso(r.completedAt)).toBe(iso(bj('2025-03-04 15:00')));
    const reopened = [...resolved.slice(0, 4), { status: 'resolved', from: bj('2025-03-04 15:00'), to: bj('2025-03-05 09:00') }, { status: 'in_progress', from: bj('2025-03-05 09:00') }];
    const again = slaDue(cal, { resolutionMinutes: 240 }, reopened).resolution!;
    expect(again.state).toBe('running');
    expect(iso(again.dueAt)).toBe(iso(bj('2025-03-05 10:00')));
  });

  it('24x7: wall time, pauses still honoured', () => {
    const hist = h(['new', '2025-01-28 22:00', '2025-01-28 23:00'], ['pending_customer', '2025-01-28 23:00', '2025-01-29 08:00'], ['in_progress', '2025-01-29 08:00']);
    expect(iso(slaDue(always, { resolutionMinutes: 240 }, hist).resolution!.dueAt)).toBe(iso(bj('2025-01-29 11:00')));
    expect(slaElapsed(always, hist, bj('2025-01-29 09:00'))).toBe(120);
  });

  it('no target → no clock; bad history is rejected', () => {
    expect(slaDue(cal, {}, resumed)).toEqual({ firstResponse: null, resolution: null });
    const bad = h(['new', '2025-03-03 10:00', '2025-03-03 09:00']);
    expect(() => slaElapsed(cal, bad, bj('2025-03-04 09:00'))).toThrow(/ordered intervals/);
  });
});
