import { useSyncExternalStore } from 'react';
import { Tag, Tooltip } from 'antd';
import { CheckCircleOutlined, ClockCircleOutlined, ExclamationCircleOutlined, FlagFilled, PauseCircleOutlined } from '@ant-design/icons';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { SlaClock, SlaPolicyMeta, SlaState, Ticket } from './types';

/* ---- one shared clock for every countdown on the page ---------------------------------------- */

const TICK_MS = 15_000;
let now = Date.now();
const subscribers = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(fn: () => void): () => void {
  subscribers.add(fn);
  if (!timer) {
    timer = setInterval(() => {
      now = Date.now();
      subscribers.forEach((s) => s());
    }, TICK_MS);
  }
  return () => {
    subscribers.delete(fn);
    if (subscribers.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
  };
}

/** the current time, re-rendering every 15 s */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}

/* ---- live business minutes ------------------------------------------------------------------- */

/** when the client received a ticket: the server's business-minute figures are as of that moment */
const received = new WeakMap<object, number>();
export function stamp<T extends object>(t: T): T {
  received.set(t, Date.now());
  return t;
}

const RUNNING: SlaState[] = ['ok', 'warning', 'breached'];

/**
 * The clock as of `at`. The server counts business minutes (office hours, holidays, pauses).
 * When the clock runs without a gap until its due time (due − remaining = the moment we got
 * it), it is in business time now and counts down with the wall clock; otherwise the figure
 * stays as the server gave it until the next refresh (the list refreshes every minute).
 */
export function liveClock(c: SlaClock, ticket: object, at: number, warnBefore: number): SlaClock {
  if (!RUNNING.includes(c.state) || !c.due_at) return c;
  const got = received.get(ticket) ?? at;
  const serverNow = Date.parse(c.due_at) - c.remainingMinutes * 60_000;
  if (!Number.isFinite(serverNow) || Math.abs(serverNow - got) > 90_000) return c;
  const remaining = c.remainingMinutes - Math.max(0, at - got) / 60_000;
  const state: SlaState = remaining <= 0 ? 'breached' : remaining <= warnBefore ? 'warning' : 'ok';
  return { ...c, state, remainingMinutes: remaining, elapsedMinutes: c.elapsedMinutes + (c.remainingMinutes - remaining) };
}

const RANK: SlaState[] = ['met', 'missed', 'paused', 'ok', 'warning', 'breached'];

/** both clocks as of now and the one the badge shows (the worst, as the server ranks them) */
export function liveSla(t: Ticket, at: number, policies: SlaPolicyMeta[]) {
  const warn = policies.find((p) => p.id === t.sla.policy?.id)?.warn_before_minutes ?? 0;
  const fr = t.sla.first_response ? liveClock(t.sla.first_response, t, at, warn) : null;
  const rs = t.sla.resolution ? liveClock(t.sla.resolution, t, at, warn) : null;
  let shown: { target: 'first_response' | 'resolution'; clock: SlaClock } | null = null;
  for (const [target, clock] of [['first_response', fr], ['resolution', rs]] as const) {
    if (clock && (!shown || RANK.indexOf(clock.state) > RANK.indexOf(shown.clock.state))) shown = { target, clock };
  }
  return { firstResponse: fr, resolution: rs, shown };
}

/* ---- text ------------------------------------------------------------------------------------ */

type T = ReturnType<typeof useTranslation>['t'];

/** business minutes as 1小时20分 / 1h 20m */
export function formatMinutes(t: T, minutes: number): string {
  const m = Math.max(0, Math.round(minutes));
  if (m === 0) return t('tickets.dur.zero');
  const h = Math.floor(m / 60);
  const r = m % 60;
  const parts = [h ? t('tickets.dur.h', { n: h }) : '', r ? t('tickets.dur.m', { n: r }) : ''].filter(Boolean);
  return parts.join(t('tickets.dur.sep'));
}

export function clockText(t: T, c: SlaClock): string {
  switch (c.state) {
    case 'ok':
    case 'warning':
      return t('tickets.sla.remaining', { time: formatMinutes(t, Math.ceil(c.remainingMinutes)) });
    case 'breached':
      return t('tickets.sla.overdue', { time: formatMinutes(t, Math.floor(-c.remainingMinutes)) });
    default:
      return t(`tickets.sla.${c.state}`);
  }
}

export const SLA_COLOR: Record<SlaState | 'none', string> = {
  ok: 'blue',
  warning: 'orange',
  breached: 'red',
  paused: 'default',
  met: 'green',
  missed: 'volcano',
  none: 'default',
};

export function SlaIcon({ state }: { state: SlaState | 'none' }) {
  if (state === 'paused') return <PauseCircleOutlined />;
  if (state === 'met') return <CheckCircleOutlined />;
  if (state === 'breached' || state === 'missed') return <ExclamationCircleOutlined />;
  return <ClockCircleOutlined />;
}

export function formatDue(iso: string | null): string {
  if (!iso) return '';
  const d = dayjs(iso);
  return d.isSame(dayjs(), 'year') ? d.format('MM-DD HH:mm') : d.format('YYYY-MM-DD HH:mm');
}

/* ---- the badge ------------------------------------------------------------------------------- */

/** The list's SLA badge: remaining business time, orange when close, red when breached or flagged. */
export function SlaBadge({ ticket, policies }: { ticket: Ticket; policies: SlaPolicyMeta[] }) {
  const { t } = useTranslation();
  const at = useNow();
  const live = liveSla(ticket, at, policies);
  const shown = live.shown;
  const state: SlaState | 'none' = shown ? shown.clock.state : 'none';
  const flagged = ticket.flagged_red;
  const color = flagged && state !== 'met' ? 'red' : SLA_COLOR[state];
  const text = shown ? clockText(t, shown.clock) : t('tickets.sla.none');
  const line = (target: 'first_response' | 'resolution', c: SlaClock | null) =>
    c ? (
      <div key={target}>
        {t(target === 'first_response' ? 'tickets.sla.firstResponse' : 'tickets.sla.resolution')}：{clockText(t, c)}
        {c.due_at && RUNNING.includes(c.state) ? ` · ${t('tickets.sla.due', { time: formatDue(c.due_at) })}` : ''}
      </div>
    ) : null;
  const tip = ticket.sla.policy ? (
    <div>
      <div style={{ fontWeight: 600 }}>{ticket.sla.policy.name}</div>
      {line('first_response', live.firstResponse)}
      {line('resolution', live.resolution)}
      {flagged ? <div>{t('tickets.sla.flagged')}</div> : null}
    </div>
  ) : null;
  return (
    <Tooltip title={tip}>
      <Tag
        color={color}
        icon={flagged ? <FlagFilled /> : <SlaIcon state={state} />}
        className="tag-compact tk-sla"
        data-testid="sla-badge"
        data-state={state}
        data-flagged={flagged ? '1' : '0'}
        data-target={shown?.target ?? ''}
      >
        {text}
      </Tag>
    </Tooltip>
  );
}
