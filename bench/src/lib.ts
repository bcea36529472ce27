/** Bench plumbing: child processes, a keep-alive HTTP client, percentiles, per-process CPU. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

import { ROOT } from '../../server/test/harness.js';
export { ROOT };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** An integer setting from the environment (BENCH_*), its default when unset; a bad value stops the run. */
export function envInt(name: string, def: number, min = 1): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${v})`);
  return n;
}

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Progress lines on stderr, `[bench <part> <seconds since start>]`, so stdout stays the report. */
export function stageLog(part: string): (s: string) => void {
  const t0 = performance.now();
  const tag = part ? `bench ${part}` : 'bench';
  return (s) => void process.stderr.write(`[${tag} ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${s}\n`);
}

export { freePort } from '../../server/test/harness.js';

// ---------------------------------------------------------------------------------------------
// Child processes
// ---------------------------------------------------------------------------------------------

export type Proc = { name: string; child: ChildProcess; url: string; port: number; output: () => string; stop(): Promise<void> };

/** Every child this bench started, so that an abort (timeout, Ctrl-C, crash) can stop them. */
export const children = new Set<Proc>();

export function killAllChildren(): void {
  for (const p of children) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
}

/** `node --import tsx <script>` in the repo root, ready when GET url+readyPath answers 2xx. */
export async function launch(name: string, script: string, env: Record<string, string>, port: number, readyPath: string, nodeArgs: string[] = [], timeoutMs = 30_000): Promise<Proc> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-50_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const proc: Proc = {
    name,
    child,
    url,
    port,
    output: () => out,
    stop: () =>
      new Promise<void>((res) => {
        children.delete(proc);
        if (child.exitCode !== null || child.signalCode !== null) return res();
        const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(force);
          res();
        });
        child.kill('SIGTERM');
      }),
  };
  children.add(proc);
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}) before it was ready:\n${out}`);
    try {
      const r = await fetch(url + readyPath);
      await r.arrayBuffer();
      if (r.ok) return proc;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) {
      await proc.stop();
      throw new Error(`${name} not ready after ${timeoutMs} ms:\n${out}`);
    }
    await sleep(100);
  }
}

// ---------------------------------------------------------------------------------------------
// Databases: a fresh SQLite file or PostgreSQL database per run, dropped afterwards
// ---------------------------------------------------------------------------------------------

export type DbKind = 'sqlite' | 'postgres';
export type BenchDb = { url: string; dataDir: string; drop(): Promise<void> };

export async function createDb(kind: DbKind, pgAdminUrl: string): Promise<BenchDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kefu-bench-'));
  if (kind === 'sqlite') return { url: `sqlite:${join(dataDir, 'kefu.db')}`, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  const name = `kefu_bench_${Date.now().toString(36)}_${process.pid}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  return {
    url: pgAdminUrl.replace(/\/[^/]*$/, `/${name}`),
    dataDir,
    drop: async () => {
      const c = new pg.Client({ connectionString: pgAdminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP client: node:http with keep-alive (cheaper per request than fetch, so the load generator
// costs the shared CPU as little as possible)
// ---------------------------------------------------------------------------------------------

export class Http {
  readonly agent: Agent;
  constructor(maxSockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  json<T = any>(method: string, url: string, body?: unknown, token?: string): Promise<{ status: number; body: T }> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((res, rej) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any;
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              parsed = { text };
            }
            res({ status: r.statusCode ?? 0, body: parsed });
          });
          r.on('error', rej);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
      req.on('error', rej);
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Runs `total` jobs with at most `concurrency` in flight. */
export async function pool(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < total) await job(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
}

// ---------------------------------------------------------------------------------------------
// Statistics
// ---------------------------------------------------------------------------------------------

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export type LatencySummary = { n: number; p50: number; p90: number; p99: number; max: number };

export function summarize(samples: number[]): LatencySummary {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s.length ? s[s.length - 1] : NaN };
}

export function median(xs: number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

// ---------------------------------------------------------------------------------------------
// CPU per process (Linux /proc; zeros elsewhere), to see which process is the bottleneck
// ---------------------------------------------------------------------------------------------

const TICKS_PER_S = 100; // USER_HZ on Linux

function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]); // utime + stime (fields 14, 15)
  } catch {
    return 0;
  }
}

/** CPU ticks of every `postgres` process (server + backends) by pid, readable in /proc. */
function postgresTicks(): Map<number, number> {
  const out = new Map<number, number>();
  let dirs: string[] = [];
  try {
    dirs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const d of dirs) {
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') out.set(Number(d), cpuTicks(Number(d)));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** Ticks used between two snapshots by the processes alive at the end (exited ones are not counted). */
function ticksBetween(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  for (const [pid, t] of after) sum += Math.max(0, t - (before.get(pid) ?? 0));
  return sum;
}

/** CPU used per process over an interval: `pct` in % of one core, `ms` in CPU milliseconds. */
export type CpuUse = { pct: Record<string, number>; ms: Record<string, number> };
export type CpuProbe = { stop(): CpuUse };

/** Starts measuring the given processes (+ this one as `bench`, + all postgres processes). */
export function cpuProbe(pids: Record<string, number>, withPostgres: boolean): CpuProbe {
  const t0 = performance.now();
  const start = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuTicks(pid)]));
  const pg0 = withPostgres ? postgresTicks() : new Map<number, number>();
  const self0 = process.cpuUsage();
  return {
    stop() {
      const wallMs = performance.now() - t0;
      const ms: Record<string, number> = {};
      for (const [k, pid] of Object.entries(pids)) ms[k] = ((cpuTicks(pid) - start[k]) / TICKS_PER_S) * 1000;
      const self = process.cpuUsage(self0);
      ms.bench = (self.user + self.system) / 1000;
      if (withPostgres) ms.postgres = (ticksBetween(pg0, postgresTicks()) / TICKS_PER_S) * 1000;
      const pct = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, Math.round((v / wallMs) * 100)]));
      return { pct, ms };
    },
  };
}
