import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';

/** Handle time assumed until enough conversations were served to measure it. */
export const DEFAULT_HANDLE_S = 300;
const MIN_SAMPLES = 5;
const SAMPLE_WINDOW_MS = 24 * 3600 * 1000;

/**
 * The estimated wait of the customer at `position` (1 = next), in whole minutes (at least 1):
 * the online slots serve the queue at one conversation per average handle time each, so the
 * queue moves `slots / handle` customers per second. Null without any slot (nobody online):
 * an honest "we cannot say" beats a made-up number.
 */
export function estimateWaitMinutes(position: number, slots: number, avgHandleS: number): number | null {
  if (slots <= 0) return null;
  return Math.max(1, Math.ceil((position * avgHandleS) / slots / 60));
}

/** The mean handle time (assignment → close) of the last 24 h, the default below 5 samples. */
export function averageHandleS(samples: { assigned_at: string; closed_at: string }[]): number {
  const durations = samples.map((s) => (Date.parse(s.closed_at) - Date.parse(s.assigned_at)) / 1000).filter((d) => Number.isFinite(d) && d >= 0);
  if (durations.length < MIN_SAMPLES) return DEFAULT_HANDLE_S;
  return Math.round(durations.reduce((a, b) => a + b, 0) / durations.length);
}

type WaitDb = Kysely<{
  agent_profiles: { status: string; capacity: number };
  conversations: { id: string; closed_at: string | null; status: string };
  routing_decisions: { conversation_id: string; outcome: string; created_at: string };
}>;

/** Reads what the estimate needs: online slots (uncached) and the recent handle time (cached 60 s). */
export class WaitStats {
  private handle: { at: number; value: number } | undefined;

  constructor(private readonly db: Kysely<any>, private readonly clock: Clock) {}

  async current(): Promise<{ slots: number; avgHandleS: number }> {
    const db = this.db as WaitDb;
    const row = await db.selectFrom('agent_profiles').select((eb) => eb.fn.sum<number>('capacity').as('slots')).where('status', '=', 'online').executeTakeFirst();
    return { slots: Number(row?.slots ?? 0), avgHandleS: await this.avgHandle() };
  }

  private async avgHandle(): Promise<number> {
    if (this.handle && Date.now() - this.handle.at < 60_000) return this.handle.value;
    const since = new Date(this.clock.now().getTime() - SAMPLE_WINDOW_MS).toISOString();
    const rows = await (this.db as WaitDb).selectFrom('conversations')
      .innerJoin('routing_decisions', 'routing_decisions.conversation_id', 'conversations.id')
      .select(['conversations.closed_at', (eb) => eb.fn.min<string>('routing_decisions.created_at').as('assigned_at')])
      .where('conversations.status', '=', 'closed').where('conversations.closed_at', '>', since)
      .where('routing_decisions.outcome', 'in', ['assigned', 'transferred', 'taken_over'])
      .groupBy(['conversations.id', 'conversations.closed_at'])
      .orderBy('conversations.closed_at', 'desc').limit(500).execute();
    const value = averageHandleS(rows.map((r) => ({ assigned_at: r.assigned_at, closed_at: r.closed_at! })));
    this.handle = { at: Date.now(), value };
    return value;
  }
}
