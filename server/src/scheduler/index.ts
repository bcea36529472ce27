/**
 * Durable timers: jobs in a database table, run by whichever kefu instance claims them first.
 *
 * Why not pg-boss (or BullMQ, Agenda …): kefu runs on SQLite *and* PostgreSQL, and SLA timers
 * must behave the same on both. pg-boss is PostgreSQL only (SKIP LOCKED, its own schema), and
 * a Redis queue would add a server the SQLite demo does not have. The contract needed here is
 * small — upsert by key, claim when due, retry with backoff, take over a dead instance's
 * work — and one portable implementation of it is easier to reason about than two.
 *
 * Exactly once across instances: a job is claimed with one conditional UPDATE
 * (`status = 'pending' AND run_at <= now`, or `running` with a lapsed lease), and only the
 * instance whose UPDATE changed the row runs it. Both databases serialise writes to a row, so
 * two instances racing for the same job cannot both see "1 row updated".
 * Completion is also conditional (`locked_by = <our claim>`): a job rescheduled while it ran
 * is pending again under a new run_at, and our "done" does not overwrite that.
 * Failures are retried with exponential backoff up to `maxAttempts`, then the job is `failed`
 * with its last error kept in the row and logged — never silently dropped.
 */
import type { Kysely } from 'kysely';
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

export type HandlerOptions = {
  /** total attempts before the job is marked failed; default 5 */
  maxAttempts?: number;
  /** first retry delay; doubled per attempt (capped at 1 h); default 5 s */
  backoffMs?: number;
};

export interface Scheduler {
  /** Handlers are per kind; an instance only claims kinds it has a handler for. */
  register<P>(kind: string, handler: JobHandler<P>, options?: HandlerOptions): void;
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
  /** poll interval in ms; 0 = no poller (tests call tick()); default 500 */
  pollMs?: number;
  /** how long a claim holds before another instance may take the job over; default 5 min */
  leaseMs?: number;
  /** jobs claimed per query; default 50 */
  batch?: number;
};

type Registered = { handler: JobHandler; maxAttempts: number; backoffMs: number };

const MAX_BACKOFF_MS = 3_600_000;

export class DbScheduler implements Scheduler {
  private readonly db: Kysely<SchedulerTables>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly instanceId: string;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly batch: number;
  private readonly handlers = new Map<string, Registered>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(o: DbSchedulerOptions) {
    this.db = o.db as Kysely<SchedulerTables>;
    this.clock = o.clock ?? systemClock;
    this.log = o.logger.child({ mod: 'scheduler' });
    this.instanceId = o.instanceId ?? newId('sch');
    this.pollMs = o.pollMs ?? 500;
    this.leaseMs = o.leaseMs ?? 300_000;
    this.batch = o.batch ?? 50;
  }

  register<P>(kind: string, handler: JobHandler<P>, options: HandlerOptions = {}): void {
    this.handlers.set(kind, { handler: handler as JobHandler, maxAttempts: options.maxAttempts ?? 5, backoffMs: options.backoffMs ?? 5000 });
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
    if (this.pollMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return; // the previous poll is still working through due jobs
      void this.tick().catch((err) => this.log.error({ err }, 'scheduler poll failed'));
    }, this.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => 0);
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

  private async drain(): Promise<number> {
    let ran = 0;
    for (;;) {
      if (this.stopped) break; // closing: leave the rest to the next start / another instance
      const claimed = await this.claimBatch();
      if (claimed.length === 0) break;
      for (const job of claimed) {
        await this.run(job);
        ran++;
      }
    }
    return ran;
  }

  private async claimBatch(): Promise<JobsTable[]> {
    const kinds = [...this.handlers.keys()];
    if (kinds.length === 0) return [];
    const now = this.clock.now().toISOString();
    const candidates = await this.db
      .selectFrom('jobs')
      .select('id')
      .where('kind', 'in', kinds)
      .where((eb) => eb.or([
        eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
        eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
      ]))
      .orderBy('run_at')
      .limit(this.batch)
      .execute();
    const out: JobsTable[] = [];
    for (const { id } of candidates) {
      const claim = `${this.instanceId}:${newId()}`;
      const lockedUntil = new Date(this.clock.now().getTime() + this.leaseMs).toISOString();
      const r = await this.db
        .updateTable('jobs')
        .set((eb) => ({ status: 'running', locked_by: claim, locked_until: lockedUntil, attempts: eb('attempts', '+', 1), updated_at: now }))
        .where('id', '=', id)
        .where((eb) => eb.or([
          eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', now)]),
          eb.and([eb('status', '=', 'running'), eb('locked_until', '<', now)]),
        ]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) continue; // another instance was faster
      const row = await this.db.selectFrom('jobs').selectAll().where('id', '=', id).where('locked_by', '=', claim).executeTakeFirst();
      if (row) out.push(row);
    }
    return out;
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
