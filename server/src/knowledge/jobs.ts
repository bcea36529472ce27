import type { Clock } from '../core/clock.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { KbDb } from './repo.js';

export type JobStatus = 'running' | 'done' | 'failed';
export type RowError = { row: number; message: string };
export type Job = {
  id: string;
  kind: string;
  status: JobStatus;
  filename: string | null;
  total: number;
  processed: number;
  created: number;
  updated: number;
  errors: RowError[];
  message: string | null;
  created_at: string;
  updated_at: string;
};

/** at most this many row errors are kept per job (the count goes on) */
const MAX_ERRORS = 1000;
/** a running job touches its row this often, even in a long step without row progress */
const HEARTBEAT_MS = 10_000;
/** a running job not touched for this long lost its process (crash, kill -9, OOM) */
const STALE_MS = 60_000;
export const INTERRUPTED_MESSAGE = '任务中断：处理它的服务进程已停止，请重新上传文件';

/**
 * Import and mining jobs, persisted so any instance shows their progress. A job runs in the
 * process that accepted the upload; progress is written every few rows and a heartbeat keeps
 * `updated_at` fresh, so a job whose process died is reported as interrupted instead of
 * staying "running" for ever.
 */
export class Jobs {
  constructor(private readonly db: KbDb, private readonly clock: Clock) {}

  async create(kind: string, o: { filename?: string | null; total: number; by: string | null }): Promise<JobProgress> {
    const now = this.clock.now().toISOString();
    const id = newId('j');
    await this.db.insertInto('kb_jobs').values({
      id, kind, status: 'running', filename: o.filename ?? null, total: o.total, processed: 0, created: 0, updated: 0,
      errors_json: '[]', message: null, created_by: o.by, created_at: now, updated_at: now,
    }).execute();
    return new JobProgress(this.db, this.clock, id, o.total);
  }

  async get(id: string): Promise<Job> {
    let r = await this.db.selectFrom('kb_jobs').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('job');
    if (r.status === 'running' && this.clock.now().getTime() - Date.parse(r.updated_at) > STALE_MS) {
      // conditional on the stale timestamp: a late heartbeat of a live job wins the race
      const now = this.clock.now().toISOString();
      await this.db.updateTable('kb_jobs').set({ status: 'failed', message: INTERRUPTED_MESSAGE, updated_at: now })
        .where('id', '=', id).where('status', '=', 'running').where('updated_at', '=', r.updated_at).execute();
      r = await this.db.selectFrom('kb_jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    }
    return {
      id: r.id,
      kind: r.kind,
      status: r.status as JobStatus,
      filename: r.filename,
      total: Number(r.total),
      processed: Number(r.processed),
      created: Number(r.created),
      updated: Number(r.updated),
      errors: JSON.parse(r.errors_json) as RowError[],
      message: r.message,
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }
}

export class JobProgress {
  processed = 0;
  created = 0;
  updated = 0;
  readonly errors: RowError[] = [];
  private lastFlush = 0;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly db: KbDb, private readonly clock: Clock, readonly id: string, public total: number) {
    this.heartbeat = setInterval(() => void this.flush(true).catch(() => undefined), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  error(row: number, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push({ row, message });
  }

  /** writes progress at most every 250 ms (and always when forced) */
  async flush(force = false): Promise<void> {
    const t = Date.now();
    if (!force && t - this.lastFlush < 250) return;
    this.lastFlush = t;
    await this.db.updateTable('kb_jobs').set({
      total: this.total, processed: this.processed, created: this.created, updated: this.updated,
      errors_json: JSON.stringify(this.errors), updated_at: this.clock.now().toISOString(),
    }).where('id', '=', this.id).execute();
  }

  async finish(status: 'done' | 'failed', message: string | null = null): Promise<void> {
    clearInterval(this.heartbeat);
    await this.flush(true);
    await this.db.updateTable('kb_jobs').set({ status, message, updated_at: this.clock.now().toISOString() }).where('id', '=', this.id).execute();
  }
}
