import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

export type RealtimeTables = {
  realtime_streams: { stream: string; seq: number };
  realtime_events: { stream: string; seq: number; type: string; payload_json: string; created_at: string };
};

export type StreamEvent = { seq: number; type: string; payload: unknown; created_at: string };
export type NewEvent = { stream: string; type: string; payload: unknown };

/**
 * The agents' event log: numbered events per stream, in the database so that every instance
 * numbers and serves the same streams (nothing that matters lives in one process's memory).
 *
 * Numbers come from a counter row bumped in the transaction that inserts the events. The row
 * lock is held until commit, so a stream's committed numbers are always a contiguous prefix:
 * once a client has seen number n (live or from a heartbeat), every number below n can be
 * fetched. Redis INCR would be faster but numbers allocated there become visible before their
 * rows are written (a gap-fill could skip one), and it would lose the streams on a Redis restart.
 */
export class EventLog {
  private readonly db: Kysely<RealtimeTables>;
  constructor(db: Kysely<Database>) {
    this.db = db.withTables<RealtimeTables>() as unknown as Kysely<RealtimeTables>;
  }

  /**
   * Appends events (of any streams) in one transaction; returns each one's number, in order.
   * Counter rows are locked in stream-name order, so two instances appending to the same
   * streams cannot deadlock.
   */
  async append(events: NewEvent[], at: string): Promise<number[]> {
    const count = new Map<string, number>();
    for (const e of events) count.set(e.stream, (count.get(e.stream) ?? 0) + 1);
    const streams = [...count.keys()].sort();
    return this.db.transaction().execute(async (tx) => {
      const next = new Map<string, number>();
      for (const stream of streams) {
        const n = count.get(stream)!;
        const bump = () =>
          tx.updateTable('realtime_streams').set((eb) => ({ seq: eb('seq', '+', n) })).where('stream', '=', stream).returning('seq').executeTakeFirst();
        let row = await bump();
        if (!row) {
          await tx.insertInto('realtime_streams').values({ stream, seq: 0 }).onConflict((oc) => oc.column('stream').doNothing()).execute();
          row = await bump();
        }
        next.set(stream, Number(row!.seq) - n + 1);
      }
      const seqs = events.map((e) => {
        const seq = next.get(e.stream)!;
        next.set(e.stream, seq + 1);
        return seq;
      });
      await tx
        .insertInto('realtime_events')
        .values(events.map((e, i) => ({ stream: e.stream, seq: seqs[i], type: e.type, payload_json: JSON.stringify(e.payload), created_at: at })))
        .execute();
      return seqs;
    });
  }

  /** Events of a stream after `after`, oldest first. */
  async read(stream: string, after: number, limit: number): Promise<StreamEvent[]> {
    const rows = await this.db
      .selectFrom('realtime_events')
      .select(['seq', 'type', 'payload_json', 'created_at'])
      .where('stream', '=', stream)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), type: r.type, payload: JSON.parse(r.payload_json), created_at: r.created_at }));
  }

  /** The last number of each stream (0 for a stream that never had an event). */
  async heads(streams: string[]): Promise<Record<string, number>> {
    const out: Record<string, number> = Object.fromEntries(streams.map((s) => [s, 0]));
    if (!streams.length) return out;
    const rows = await this.db.selectFrom('realtime_streams').select(['stream', 'seq']).where('stream', 'in', streams).execute();
    for (const r of rows) out[r.stream] = Number(r.seq);
    return out;
  }

  /** Forgets events older than `before` and all but the last `keep` of each stream. */
  async prune(before: string, keep: number): Promise<void> {
    await this.db.deleteFrom('realtime_events').where('created_at', '<', before).execute();
    await sql`delete from realtime_events where seq <= (select s.seq from realtime_streams s where s.stream = realtime_events.stream) - ${keep}`.execute(this.db);
  }
}
