/**
 * Durable timers: jobs in a database table, run by whichever kefu instance claims them first.
 *
 * Why not pg-boss (or BullMQ, Agenda …): kefu runs on SQLite *and* PostgreSQL, and SLA timers
 * must behave the same on both. pg-boss is PostgreSQL only (SKIP LOCKED, its own schema), and
 * a Redis queue would add a server the SQLite demo does not have. The contract needed here is
 * small — upsert by key, claim when due, retry with backoff, take over a dead instance's
 * work — and one portable implementation of it is easier to reason about than two.
 *
 * Exactly once across instances: due jobs are claimed in batches by one UPDATE that sets them
 * `running` under this instance's claim and returns them (see claimBatch); only the instance
 * whose UPDATE changed a row runs it. A running job whose lease lapsed (its instance died) is
 * made pending again and claimed anew.
 * Completion is also conditional (`locked_by = <our claim>`): a job rescheduled while it ran
 * is pending again under a new run_at, and our "done" does not overwrite that.
 * Failures are retried with exponential backoff up to `maxAttempts`, then the job is `failed`
 * with its last error kept in the row and logged — never silently dropped.
 */
import { PostgresAdapter, type Kysely } from 'kysely';
import { systemClock, type Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { JobsTable, SchedulerTables } from './schema.js';

export type { JobsTable, SchedulerTables } from './schema.js';

export type JobStatus = 'pending' | 'running' | 'done' | 'failed';

export type Job<P = unknown> = {
  id: string;
  kind: string;
  key: string;
  runAt: Date;
  payload: P;
  status: JobStatus;
  /** attempts made, including the current one while a handler runs */
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
};

export type JobHandler<P = any> = (job: Job<P>) => Promise<void>;

export type HandlerOptions<P = any> = {
  /** total attempts before the job is marked failed; default 5 */
  maxAttempts?: number;
  /** first retry delay; doubled per attempt (capped at 1 h); default 5 s */
  backoffMs?: number;
  /**
   * Jobs of one group (across kinds) run one after the other on an instance (e.g. the timers of
   * one ticket); different groups run side by side. Default: every job is its own group.
   */
  group?: (payload: P) => string;
  /**
   * Jobs of a lane have their own `concurrency` slots. Deliveries that wait on outside services
   * (WeCom, SMTP, webhooks) go in 'delivery', so that a slow provider cannot hold every slot
   * while SLA timers fall due. Default 'timers'.
   */
  lane?: 'timers' | 'delivery';
};

export interface Scheduler {
  /** Handlers are per kind; an instance only claims kinds it has a handler for. */
  register<P>(kind: string, handler: JobHandler<P>, options?: HandlerOptions<P>): void;
  /**
   * Creates or moves the job `key` (a done/failed job becomes pending again, attempts reset).
   * `executor`: a transaction of the caller, so the job commits (or not) with its other writes.
   */
  schedule(kind: string, key: string, runAt: Date, payload?: unknown, opts?: { executor?: Kysely<any> }): Promise<void>;
  /** Removes a pending job; true when one was removed. */
  cancel(key: string): Promise<boolean>;
  get(key: string): Promise<Job | undefined>;
  /** Runs every due job (claimed by this instance) until none is left; returns how many ran. */
  tick(): Promise<number>;
  /** Starts the poller (no-op when the interval is 0). */
  start(): void;
  /** Stops polling and waits for running handlers. */
  stop(): Promise<void>;
}

export type DbSchedulerOptions = {
  db: Kysely<any>;
  clock?: Clock;
  logger: Logger;
  /** this instance's name, part of `locked_by` */
  instanceId?: string;
  /**
   * the longest the poller sleeps, in ms; 0 = no poller (tests call tick()). It wakes earlier
   * at the next due time it knows of, so this only bounds how late it sees jobs that another
   * instance scheduled (or a lapsed lease). Default 500.
   */
  pollMs?: number;
  /** how long a claim holds before another instance may take the job over; default 5 min */
  leaseMs?: number;
  /** jobs claimed per query; default 100 */
  batch?: number;
  /** jobs run at the same time on this instance per lane (groups stay in order); default 32, as handlers mostly wait (database, WeCom, SMTP) */
  concurrency?: number;
  /** done and failed jobs older than this are deleted (checked hourly); default 7 days, 0 = keep */
  retentionMs?: number;
};

type Registered = { handler: JobHandler; maxAttempts: number; backoffMs: number; lane: string; group?: (payload: any) => string };

const MAX_BACKOFF_MS = 3_600_000;
const PURGE_EVERY_MS = 3_600_000;
const RECLAIM_EVERY_MS = 10_000;
/**
 * While jobs run, claims are at least this far apart (real time): at a peak every finished job
 * would otherwise claim its own successor, one query each, instead of a batch.
 */
const CLAIM_GAP_MS = 5;
/** a timer set for the next due job fires this much after it, so the job is surely due then */
const WAKE_SLACK_MS = 2;

export class DbScheduler implements Scheduler {
  private readonly db: Kysely<SchedulerTables>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly instanceId: string;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly concurrency: number;
  private readonly retentionMs: number;
  /** PostgreSQL claims with SKIP LOCKED, so instances take different jobs instead of queueing on the same rows */
  private readonly skipLocked: boolean;
  private readonly handlers = new Map<string, Registered>();
  private timer: NodeJS.Timeout | undefined;
  /** when the armed timer fires (epoch ms of the clock) */
  private wakeAt = Infinity;
  private running: Promise<number> | undefined;
  /** set by stop(): a drain claims nothing more */
  private stopped = false;
  /** between start() and stop() */
  private polling = false;
  private lastPurge = 0;
  private lastReclaim = -Infinity;
  /** counts schedule()s of due-now jobs and timer wake-ups: a job that saw one while it ran makes the drain claim again */
  private kicks = 0;
  /** lanes in which something may be due that the running drain has not claimed yet */
  private readonly dirty = new Set<string>();
  /** resolves the running drain's wait */
  private wakeDrain: (() => void) | undefined;

  constructor(o: DbSchedulerOptions) {
    this.db = o.db as Kysely<SchedulerTables>;
    this.clock = o.clock ?? systemClock;
    this.log = o.logger.child({ mod: 'scheduler' });
    this.instanceId = o.instanceId ?? newId('sch');
    this.pollMs = o.pollMs ?? 500;
    this.leaseMs = o.leaseMs ?? 300_000;
    this.batch = o.batch ?? 100;
    this.concurrency = o.concurrency ?? 32;
    this.retentionMs = o.retentionMs ?? 7 * 86_400_000;
    this.skipLocked = o.db.getExecutor().adapter instanceof PostgresAdapter;
  }

  register<P>(kind: string, handler: JobHandler<P>, options: HandlerOptions<P> = {}): void {
    this.handlers.set(kind, {
      handler: handler as JobHandler, maxAttempts: options.maxAttempts ?? 5, backoffMs: options.backoffMs ?? 5000, lane: options.lane ?? 'timers', ...(options.group ? { group: options.group } : {}),
    });
  }

  async schedule(kind: string, key: string, runAt: Date, payload: unknown = {}, opts: { executor?: Kysely<any> } = {}): Promise<void> {
    if (!Number.isFinite(runAt.getTime())) throw new RangeError(`job ${key}: runAt must be a valid date`);
    const now = this.clock.now().toISOString();
    const maxAttempts = this.handlers.get(kind)?.maxAttempts ?? 5;
    const row = {
      id: newId('job'), kind, key, run_at: runAt.toISOString(), payload_json: JSON.stringify(payload ?? {}), status: 'pending',
      attempts: 0, max_attempts: maxAttempts, locked_by: null, locked_until: null, last_error: null, created_at: now, updated_at: now,
    } satisfies JobsTable;
    await ((opts.executor as Kysely<SchedulerTables> | undefined) ?? this.db)
      .insertInto('jobs')
      .values(row)
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          kind, run_at: row.run_at, payload_json: row.payload_json, status: 'pending', attempts: 0, max_attempts: maxAttempts,
          locked_by: null, locked_until: null, last_error: null, updated_at: now,
        }),
      )
      .execute();
    if (!this.handlers.has(kind)) return; // another instance's kind
    // due now: the running drain (or a new one) claims it; later but before the poller's next
    // wake-up: wake for it. (A caller's transaction may still roll back: that costs one query.)
    const delay = runAt.getTime() - this.clock.now().getTime();
    if (delay <= 0) this.kick();
    else if (runAt.getTime() + WAKE_SLACK_MS < this.wakeAt) this.arm(delay);
  }

  async cancel(key: string): Promise<boolean> {
    const r = await this.db.deleteFrom('jobs').where('key', '=', key).where('status', '=', 'pending').executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async get(key: string): Promise<Job | undefined> {
    const r = await this.db.selectFrom('jobs').selectAll().where('key', '=', key).executeTakeFirst();
    return r ? toJob(r) : undefined;
  }

  start(): void {
    this.stopped = false;
    this.polling = true;
    this.arm(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.polling = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.wakeAt = Infinity;
    this.wakeDrain?.();
    await this.running?.catch(() => 0);
  }

  /**
   * (Re)arms the poller to wake in `delayMs`, never later than pollMs. Polling alone would make
   * every timer up to pollMs late; waking at the next known due time makes them punctual.
   */
  private arm(delayMs: number): void {
    if (!this.polling || this.pollMs <= 0) return;
    const delay = Math.max(0, Math.min(this.pollMs, delayMs + WAKE_SLACK_MS));
    clearTimeout(this.timer);
    this.wakeAt = this.clock.now().getTime() + delay;
    this.timer = setTimeout(() => void this.poll(), delay);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    this.wakeAt = Infinity;
    if (this.running) {
      this.kick(); // the running drain claims what became due; it re-arms when it catches up
      this.arm(this.pollMs);
      return;
    }
    try {
      await this.tick();
      if (!this.polling || this.timer) return; // stopping, or schedule() armed a timer meanwhile
      this.arm((await this.nextDue()) - this.clock.now().getTime());
    } catch (err) {
      this.log.error({ err }, 'scheduler poll failed');
      if (!this.timer) this.arm(this.pollMs);
    }
  }

  /** Something may be due now: the running drain looks again; with the poller on and no drain, one starts. */
  private kick(): void {
    this.kicks++;
    this.markDirty();
    this.wakeDrain?.();
    if (!this.running) this.arm(0);
  }

  /** The earliest run_at among pending jobs this instance runs (Infinity when none). */
  private async nextDue(): Promise<number> {
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return Infinity;
    const r = await this.db.selectFrom('jobs').select((eb) => eb.fn.min('run_at').as('next')).where('status', '=', 'pending').where('kind', 'in', kinds).executeTakeFirst();
    return r?.next ? Date.parse(r.next) : Infinity;
  }

  tick(): Promise<number> {
    // one drain at a time per instance; a tick while one runs waits for it and drains again
    const prev = this.running ?? Promise.resolve(0);
    const next: Promise<number> = prev.catch(() => 0).then(() => this.drain());
    this.running = next;
    void next.finally(() => {
      if (this.running === next) this.running = undefined;
    }).catch(() => undefined);
    return next;
  }

  /**
   * Claims due jobs in batches and runs up to `concurrency` at once per lane, jobs of one group
   * in claim (run_at) order; returns when nothing is due and nothing runs any more.
   * It claims again only when something may be due: the last claim was full, a job was
   * scheduled due now (kick), the poller's timer fired (kick), or a job finished that scheduled
   * work while it ran (its transaction has committed by then) — not after every finished job,
   * which at a peak would be one more query per job.
   */
  private async drain(): Promise<number> {
    let ran = 0;
    const inflight = new Map<string, number>();
    let total = 0;
    const tails = new Map<string, Promise<void>>();
    let lastClaim = 0;
    this.markDirty();
    for (;;) {
      await this.housekeeping(); // a drain at a steady load may not end for hours
      const lanes = this.stopped ? [] : [...this.lanes()].filter(([lane]) => this.dirty.has(lane) && (inflight.get(lane) ?? 0) < this.concurrency);
      if (lanes.length > 0) {
        const since = performance.now() - lastClaim;
        if (total > 0 && since < CLAIM_GAP_MS) {
          await new Promise((r) => setTimeout(r, CLAIM_GAP_MS - since)); // let kicks and finished jobs gather
          continue;
        }
        lastClaim = performance.now();
        for (const [lane, kinds] of lanes) {
          const want = Math.min(this.batch, this.concurrency - (inflight.get(lane) ?? 0));
          this.dirty.delete(lane);
          const claimed = await this.claimBatch(kinds, want);
          if (claimed.length === want) this.dirty.add(lane); // more may be due
          for (const row of claimed) {
            const reg = this.handlers.get(row.kind)!;
            const group = reg.group ? safeGroup(reg.group, row.payload_json) : row.id;
            inflight.set(lane, (inflight.get(lane) ?? 0) + 1);
            total++;
            const tail = (tails.get(group) ?? Promise.resolve()).then(async () => {
              const kicksBefore = this.kicks;
              await this.run(row);
              if (this.kicks !== kicksBefore) this.markDirty();
            }).finally(() => {
              inflight.set(lane, inflight.get(lane)! - 1);
              total--;
              ran++;
              if (tails.get(group) === tail) tails.delete(group);
              this.wakeDrain?.();
            });
            tails.set(group, tail);
          }
        }
        // caught up: wake at the next due time
        if (this.dirty.size === 0 && this.polling) this.arm((await this.nextDue()) - this.clock.now().getTime());
        continue;
      }
      if (total === 0 && (this.dirty.size === 0 || this.stopped)) break;
      await new Promise<void>((r) => (this.wakeDrain = r)); // a job finished, or a kick
      this.wakeDrain = undefined;
    }
    return ran;
  }

  /** The kinds this instance runs, by lane. */
  private lanes(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const [kind, reg] of this.handlers) out.set(reg.lane, [...(out.get(reg.lane) ?? []), kind]);
    return out;
  }

  private markDirty(): void {
    for (const lane of this.lanes().keys()) this.dirty.add(lane);
  }

  /** Reclaims lapsed leases (at most every 10 s) and purges old jobs (hourly). */
  private async housekeeping(): Promise<void> {
    const now = this.clock.now().getTime();
    if (now - this.lastReclaim >= RECLAIM_EVERY_MS) {
      this.lastReclaim = now;
      await this.reclaimLapsed();
    }
    await this.purge();
  }

  /** Running jobs whose lease passed (their instance died) become pending again, to be claimed anew. */
  private async reclaimLapsed(): Promise<void> {
    const now = this.clock.now().toISOString();
    const r = await this.db.updateTable('jobs').set({ status: 'pending', locked_by: null, locked_until: null, updated_at: now })
      .where('status', '=', 'running').where('locked_until', '<', now).executeTakeFirst();
    if (Number(r.numUpdatedRows) > 0) this.log.warn({ jobs: Number(r.numUpdatedRows) }, 'took over jobs whose instance stopped answering');
  }

  /**
   * One statement claims up to `limit` due jobs: UPDATE … WHERE id IN (the earliest due ids)
   * RETURNING. No instance takes a row another one claimed: SQLite runs the whole statement
   * under its single write lock; on PostgreSQL the ids are selected FOR UPDATE SKIP LOCKED,
   * which skips rows being claimed and re-checks `status = 'pending'` on a row whose claim
   * committed meanwhile. (Repeating the conditions outside the subquery would make SQLite scan
   * every overdue job per claim: 4 ms each with a backlog of a few thousand.)
   */
  private async claimBatch(kinds: string[], limit: number): Promise<JobsTable[]> {
    const now = this.clock.now();
    const iso = now.toISOString();
    const claim = `${this.instanceId}:${newId()}`;
    const due = this.db.selectFrom('jobs').select('id')
      .where('status', '=', 'pending').where('run_at', '<=', iso).where('kind', 'in', kinds)
      .orderBy('run_at').limit(limit)
      .$if(this.skipLocked, (q) => q.forUpdate().skipLocked());
    return this.db.updateTable('jobs')
      .set((eb) => ({ status: 'running', locked_by: claim, locked_until: new Date(now.getTime() + this.leaseMs).toISOString(), attempts: eb('attempts', '+', 1), updated_at: iso }))
      .where('id', 'in', due)
      .returningAll()
      .execute()
      // RETURNING's order is unspecified: run in due order
      .then((rows) => rows.sort((a, b) => (a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : 0)));
  }

  /** Deletes done and failed jobs older than the retention, at most hourly per instance. */
  private async purge(): Promise<void> {
    const now = this.clock.now().getTime();
    if (this.retentionMs <= 0 || now - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now;
    const before = new Date(now - this.retentionMs).toISOString();
    const r = await this.db.deleteFrom('jobs').where('status', 'in', ['done', 'failed']).where('updated_at', '<', before).executeTakeFirst();
    if (Number(r.numDeletedRows) > 0) this.log.info({ jobs: Number(r.numDeletedRows), before }, 'purged finished jobs past their retention');
  }

  private async run(row: JobsTable): Promise<void> {
    const reg = this.handlers.get(row.kind)!;
    const job = toJob(row);
    const claim = row.locked_by!;
    const t0 = Date.now();
    try {
      await reg.handler(job);
      await this.db
        .updateTable('jobs')
        .set({ status: 'done', locked_by: null, locked_until: null, last_error: null, updated_at: this.clock.now().toISOString() })
        .where('id', '=', row.id)
        .where('locked_by', '=', claim)
        .execute();
      this.log.debug({ job: row.key, kind: row.kind, ms: Date.now() - t0 }, 'job done');
    } catch (e) {
      const error = (e instanceof Error ? e.message : String(e)).slice(0, 1000);
      const final = job.attempts >= job.maxAttempts;
      const now = this.clock.now();
      const delay = Math.min(MAX_BACKOFF_MS, reg.backoffMs * 2 ** (job.attempts - 1));
      await this.db
        .updateTable('jobs')
        .set({
          status: final ? 'failed' : 'pending',
          run_at: final ? row.run_at : new Date(now.getTime() + delay).toISOString(),
          locked_by: null, locked_until: null, last_error: error, updated_at: now.toISOString(),
        })
        .where('id', '=', row.id)
        .where('locked_by', '=', claim)
        .execute();
      if (final) this.log.error({ job: row.key, kind: row.kind, attempts: job.attempts, err: error }, 'job failed for good');
      else this.log.warn({ job: row.key, kind: row.kind, attempt: job.attempts, retryInMs: delay, err: error }, 'job failed, will retry');
    }
  }
}

/** A group function that throws (bad payload) must not stop the drain: the job runs alone. */
function safeGroup(group: (payload: any) => string, payloadJson: string): string {
  try {
    return group(JSON.parse(payloadJson));
  } catch {
    return payloadJson;
  }
}

function toJob(r: JobsTable): Job {
  return {
    id: r.id,
    kind: r.kind,
    key: r.key,
    runAt: new Date(r.run_at),
    payload: JSON.parse(r.payload_json),
    status: r.status as JobStatus,
    attempts: Number(r.attempts),
    maxAttempts: Number(r.max_attempts),
    lastError: r.last_error,
  };
}

/** The jobs table (part of migration 005). */
export async function createJobsTable(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('run_at', 'text', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'text')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_due').on('jobs').columns(['status', 'run_at']).execute();
}
