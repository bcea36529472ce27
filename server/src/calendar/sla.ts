/**
 * SLA clocks as pure functions of (calendar, policy, history, now) — Zammad's lesson: the
 * ticket stores facts (its status timeline, when it was first answered); whether a target is
 * running, paused, met or breached is derived, never stored, so a restart or a changed
 * calendar can always recompute it.
 *
 * - The clock runs in business time while the status is neither a pause status
 *   ('pending_customer' by default: waiting for the customer) nor a stop status
 *   ('resolved', 'closed'). Reopening resumes it.
 * - First response additionally stops at `firstResponseAt`.
 */
import { addBusinessMinutes, businessMsBetween } from './business-time.js';
import type { BusinessCalendar } from './definition.js';

/** One stretch of the ticket's status timeline; `to` absent/null = still in that status. */
export type StatusInterval = { status: string; from: Date; to?: Date | null };
/** The status timeline from creation on, in order (gaps are not counted). */
export type SlaHistory = readonly StatusInterval[];

export type SlaPolicy = {
  /** business minutes until the first agent response; null/undefined = no target */
  firstResponseMinutes?: number | null;
  /** business minutes until resolved; null/undefined = no target */
  resolutionMinutes?: number | null;
  pauseStatuses?: readonly string[];
  stopStatuses?: readonly string[];
};

export const DEFAULT_PAUSE_STATUSES: readonly string[] = ['pending_customer'];
export const DEFAULT_STOP_STATUSES: readonly string[] = ['resolved', 'closed'];

export type SlaClockOptions = Pick<SlaPolicy, 'pauseStatuses' | 'stopStatuses'> & {
  /** count only until this instant (e.g. the first response) */
  stopAt?: Date | null;
};

type Segment = { from: number; to: number }; // to may be Infinity (still running)

/** Wall-clock stretches during which the clock runs, clipped to `end`. */
function runningSegments(history: SlaHistory, o: SlaClockOptions, end: number): Segment[] {
  const pause = new Set(o.pauseStatuses ?? DEFAULT_PAUSE_STATUSES);
  const stop = new Set(o.stopStatuses ?? DEFAULT_STOP_STATUSES);
  const limit = Math.min(end, o.stopAt ? o.stopAt.getTime() : Infinity);
  const out: Segment[] = [];
  let prev = -Infinity;
  for (const h of history) {
    const from = h.from.getTime();
    const to = h.to ? h.to.getTime() : Infinity;
    if (!Number.isFinite(from) || Number.isNaN(to) || to < from || from < prev) {
      throw new RangeError('SLA history must be ordered intervals with from ≤ to');
    }
    prev = from;
    if (pause.has(h.status) || stop.has(h.status)) continue;
    const hi = Math.min(to, limit);
    if (hi > from) out.push({ from, to: hi });
  }
  return out;
}

/** Business minutes the clock has consumed up to `now` (pauses and stops excluded). */
export function slaElapsed(cal: BusinessCalendar, history: SlaHistory, now: Date, options: SlaClockOptions = {}): number {
  let ms = 0;
  for (const s of runningSegments(history, options, now.getTime())) ms += businessMsBetween(cal, new Date(s.from), new Date(s.to));
  return ms / 60_000;
}

export type SlaClockState = 'running' | 'paused' | 'met' | 'missed';

export type SlaClock = {
  targetMinutes: number;
  /**
   * When the target is (or was) reached if the history goes on as it ends. null while paused
   * with budget left, and for a clock completed in time.
   */
  dueAt: Date | null;
  /** from the history alone; see `slaStatus` for breached/warning at a given now */
  state: SlaClockState;
  /** when the clock stopped for good (first response / resolution), else null */
  completedAt: Date | null;
  /** budget left when the clock paused or completed (negative if late); null while running */
  remainingMinutes: number | null;
};

export type SlaDue = { firstResponse: SlaClock | null; resolution: SlaClock | null };

function clock(cal: BusinessCalendar, history: SlaHistory, targetMinutes: number, o: SlaClockOptions): SlaClock {
  if (!Number.isFinite(targetMinutes) || targetMinutes < 0) throw new RangeError('SLA target minutes must be ≥ 0');
  const stop = new Set(o.stopStatuses ?? DEFAULT_STOP_STATUSES);
  const pause = new Set(o.pauseStatuses ?? DEFAULT_PAUSE_STATUSES);
  const last = history.at(-1);
  const open = last && !last.to ? last : undefined;
  // completed: explicitly (first response), or the timeline now sits in a stop status
  const completedAt = o.stopAt ?? (open && stop.has(open.status) ? open.from : null);
  const paused = !completedAt && (!open || pause.has(open.status));

  let remaining = Math.round(targetMinutes * 60_000);
  let dueAt: Date | null = null;
  for (const s of runningSegments(history, o, Infinity)) {
    const span = s.to === Infinity ? Infinity : businessMsBetween(cal, new Date(s.from), new Date(s.to));
    if (remaining <= span) {
      dueAt = addBusinessMinutes(cal, new Date(s.from), remaining / 60_000);
      break;
    }
    remaining -= span;
  }
  const late = dueAt !== null && completedAt !== null && completedAt.getTime() > dueAt.getTime();
  const consumed = completedAt || paused ? slaElapsed(cal, history, completedAt ?? new Date(8.64e15), o) : null;
  return {
    targetMinutes,
    dueAt: completedAt && !late ? null : dueAt,
    state: completedAt ? (late ? 'missed' : 'met') : paused ? 'paused' : 'running',
    completedAt,
    remainingMinutes: consumed === null ? null : targetMinutes - consumed,
  };
}

/**
 * Due instants for the policy's targets, from the history alone (no `now`): what the ticket
 * list sorts by and what the escalation scheduler arms its timers with.
 */
export function slaDue(
  cal: BusinessCalendar,
  policy: SlaPolicy,
  history: SlaHistory,
  facts: { firstResponseAt?: Date | null } = {},
): SlaDue {
  const o = { pauseStatuses: policy.pauseStatuses, stopStatuses: policy.stopStatuses };
  return {
    firstResponse:
      policy.firstResponseMinutes == null ? null : clock(cal, history, policy.firstResponseMinutes, { ...o, stopAt: facts.firstResponseAt ?? null }),
    resolution: policy.resolutionMinutes == null ? null : clock(cal, history, policy.resolutionMinutes, o),
  };
}

export type SlaBadgeState = 'ok' | 'warning' | 'breached' | 'paused' | 'met' | 'missed';
export type SlaBadge = {
  state: SlaBadgeState;
  dueAt: Date | null;
  elapsedMinutes: number;
  /** business minutes left at `now` (negative = overdue by that much) */
  remainingMinutes: number;
};

/** The countdown badge at `now` (red = breached, amber = within `warnBeforeMinutes`). */
export function slaStatus(
  cal: BusinessCalendar,
  policy: SlaPolicy,
  history: SlaHistory,
  now: Date,
  facts: { firstResponseAt?: Date | null; warnBeforeMinutes?: number } = {},
): { firstResponse: SlaBadge | null; resolution: SlaBadge | null } {
  const due = slaDue(cal, policy, history, facts);
  const o = { pauseStatuses: policy.pauseStatuses, stopStatuses: policy.stopStatuses };
  const badge = (c: SlaClock | null, stopAt: Date | null): SlaBadge | null => {
    if (!c) return null;
    const elapsed = slaElapsed(cal, history, now, { ...o, stopAt });
    const remaining = c.targetMinutes - elapsed;
    let state: SlaBadgeState;
    if (c.state === 'met' || c.state === 'missed') state = c.state;
    else if (remaining <= 0) state = 'breached';
    else if (c.state === 'paused') state = 'paused';
    else state = remaining <= (facts.warnBeforeMinutes ?? 0) ? 'warning' : 'ok';
    return { state, dueAt: c.dueAt, elapsedMinutes: elapsed, remainingMinutes: remaining };
  };
  return {
    firstResponse: badge(due.firstResponse, facts.firstResponseAt ?? null),
    resolution: badge(due.resolution, null),
  };
}
