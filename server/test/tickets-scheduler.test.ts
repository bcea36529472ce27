import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { OffsetClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { migrate, openDb, type Db } from '../src/db/connect.js';
import { DbScheduler } from '../src/scheduler/index.js';
import { createTestDb, type TestDb } from './harness.js';

// The durable scheduler on the database under test (SQLite file or PostgreSQL), several
// instances on one database, time moved by the clock.
let testDb: TestDb;
const dbs: Db[] = [];
const clock = new OffsetClock();
const logLines: string[] = [];
const logger = createLogger('debug', new Writable({ write: (c, _e, cb) => (logLines.push(String(c)), cb()) }));

async function open(): Promise<Db> {
  const { db } = await openDb(testDb.url);
  dbs.push(db);
  return db;
}
const scheduler = (db: Db, name: string) => new DbScheduler({ db, clock, logger, instanceId: name, pollMs: 0 });

beforeAll(async () => {
  testDb = await createTestDb();
  await migrate(await open());
});
afterAll(async () => {
  for (const db of dbs) await db.destroy().catch(() => undefined);
  await testDb?.drop();
});

describe('durable scheduler', () => {
  it('runs each due job exactly once across two instances racing on the same database', async () => {
    // two connections (two "processes"), two schedulers
    const a = scheduler(await open(), 'A');
    const b = scheduler(await open(), 'B');
    const ran: { key: string; by: string }[] = [];
    a.register('race', async (job) => void ran.push({ key: job.key, by: 'A' }));
    b.register('race', async (job) => void ran.push({ key: job.key, by: 'B' }));
    const at = new Date(clock.now().getTime() + 60_000);
    for (let i = 0; i < 60; i++) await (i % 2 ? a : b).schedule('race', `race:${i}`, at, { i });
    expect(await a.tick()).toBe(0); // not due yet
    clock.advance(61_000);
    const [na, nb] = await Promise.all([a.tick(), b.tick()]);
    expect(na + nb).toBe(60);
    expect(ran).toHaveLength(60);
    expect(new Set(ran.map((r) => r.key)).size).toBe(60);
    // on PostgreSQL both really took a share (SQLite serialises the two connections' writes)
    expect(ran.some((r) => r.by === 'A') || ran.some((r) => r.by === 'B')).toBe(true);
    expect((await a.get('race:7'))!.status).toBe('done');
  });

  it('rescheduling moves run_at (upsert by key) and cancel removes a pending job', async () => {
    const s = scheduler(dbs[0]!, 'C');
    const ran: string[] = [];
    s.register('move', async (job) => void ran.push(job.key));
    await s.schedule('move', 'move:1', new Date(clock.now().getTime() + 10_000));
    await s.schedule('move', 'move:1', new Date(clock.now().getTime() + 3_600_000)); // moved later
    await s.schedule('move', 'move:2', new Date(clock.now().getTime() + 10_000));
    expect(await s.cancel('move:2')).toBe(true);
    clock.advance(20_000);
    expect(await s.tick()).toBe(0);
    clock.advance(3_600_000);
    expect(await s.tick()).toBe(1);
    expect(ran).toEqual(['move:1']);
  });

  it('survives a restart: scheduled, scheduler closed, a new scheduler on a new connection runs it', async () => {
    const db1 = await open();
    const first = scheduler(db1, 'before-restart');
    first.register('durable', async () => {
      throw new Error('the first instance must not run it');
    });
    await first.schedule('durable', 'durable:1', new Date(clock.now().getTime() + 5 * 60_000), { hello: '你好' });
    await first.stop();
    await db1.destroy();
    dbs.splice(dbs.indexOf(db1), 1);

    const second = scheduler(await open(), 'after-restart');
    const got: unknown[] = [];
    second.register('durable', async (job) => void got.push(job.payload));
    clock.advance(5 * 60_000 + 1000);
    expect(await second.tick()).toBe(1);
    expect(got).toEqual([{ hello: '你好' }]);
  });

  it('takes over a job whose instance died while running it (lease passed)', async () => {
    const db = dbs[0]!;
    const dead = scheduler(db, 'dead');
    dead.register('lease', async () => new Promise<void>(() => undefined)); // hangs forever: the "crash"
    await dead.schedule('lease', 'lease:1', clock.now());
    void dead.tick();
    await new Promise((r) => setTimeout(r, 200));
    expect((await dead.get('lease:1'))!.status).toBe('running');
    const alive = scheduler(db, 'alive');
    const ran: string[] = [];
    alive.register('lease', async (job) => void ran.push(job.key));
    expect(await alive.tick()).toBe(0); // still leased
    clock.advance(5 * 60_000 + 1000);
    expect(await alive.tick()).toBe(1);
    expect(ran).toEqual(['lease:1']);
    expect((await alive.get('lease:1'))!.status).toBe('done');
  });

  it('retries a failing handler with backoff, then marks it failed with the error logged', async () => {
    const s = new DbScheduler({ db: dbs[0]!, clock, logger, instanceId: 'flaky', pollMs: 0 });
    let calls = 0;
    s.register('flaky', async () => {
      calls++;
      throw new Error(`SMTP 暂时不可用 #${calls}`);
    }, { maxAttempts: 3, backoffMs: 1000 });
    await s.schedule('flaky', 'flaky:1', clock.now());
    expect(await s.tick()).toBe(1);
    let job = (await s.get('flaky:1'))!;
    expect(job).toMatchObject({ status: 'pending', attempts: 1, lastError: 'SMTP 暂时不可用 #1' });
    expect(job.runAt.getTime() - clock.now().getTime()).toBeGreaterThan(500); // backoff 1 s
    expect(await s.tick()).toBe(0);
    clock.advance(1100);
    await s.tick();
    job = (await s.get('flaky:1'))!;
    expect(job).toMatchObject({ status: 'pending', attempts: 2 });
    clock.advance(2100); // 2 s after the second failure
    await s.tick();
    job = (await s.get('flaky:1'))!;
    expect(job).toMatchObject({ status: 'failed', attempts: 3, lastError: 'SMTP 暂时不可用 #3' });
    expect(calls).toBe(3);
    clock.advance(3_600_000);
    expect(await s.tick()).toBe(0); // failed is final: kept, not run again
    const logged = logLines.map((l) => JSON.parse(l)).filter((l) => l.job === 'flaky:1');
    expect(logged.filter((l) => l.msg === 'job failed, will retry')).toHaveLength(2);
    expect(logged.find((l) => l.msg === 'job failed for good')).toMatchObject({ level: 50, attempts: 3, err: 'SMTP 暂时不可用 #3' });
  });

  it('runs one group\'s jobs in order and other groups side by side', async () => {
    const s = scheduler(dbs[0]!, 'groups');
    const log: string[] = [];
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    s.register<{ t: string; n: number }>('grp', async (job) => {
      log.push(`start ${job.payload.t}${job.payload.n}`);
      if (job.payload.t === 'a' && job.payload.n === 1) await slow;
      log.push(`end ${job.payload.t}${job.payload.n}`);
    }, { group: (p) => p.t });
    const at = clock.now();
    await s.schedule('grp', 'grp:a1', at, { t: 'a', n: 1 });
    await s.schedule('grp', 'grp:a2', new Date(at.getTime() + 1), { t: 'a', n: 2 });
    await s.schedule('grp', 'grp:b1', new Date(at.getTime() + 2), { t: 'b', n: 1 });
    clock.advance(10);
    const ran = s.tick();
    await vi.waitFor(() => expect(log).toContain('end b1')); // b does not wait for a's slow job
    expect(log).not.toContain('start a2'); // a2 waits for a1
    release();
    expect(await ran).toBe(3);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
  });

  it('wakes at a job\'s due time instead of the next poll', async () => {
    const s = new DbScheduler({ db: dbs[0]!, clock, logger, instanceId: 'punctual', pollMs: 10_000 });
    let ranAt = 0;
    const done = new Promise<void>((r) => s.register('punctual', async () => {
      ranAt = clock.now().getTime();
      r();
    }));
    s.start();
    await new Promise((r) => setTimeout(r, 100)); // the first (empty) poll is behind us; the next one is 10 s away
    const due = clock.now().getTime() + 300;
    await s.schedule('punctual', 'punctual:1', new Date(due));
    await done;
    await s.stop();
    expect(ranAt - due).toBeGreaterThanOrEqual(0);
    expect(ranAt - due).toBeLessThan(200);
  });

  it('deletes done and failed jobs past the retention, keeps pending and recent ones', async () => {
    const db = dbs[0]!;
    const s = new DbScheduler({ db, clock, logger, instanceId: 'purge', pollMs: 0, retentionMs: 7 * 86_400_000 });
    s.register('keep', async () => undefined);
    await s.schedule('keep', 'purge:done-old', clock.now());
    await s.schedule('keep', 'purge:pending', new Date(clock.now().getTime() + 30 * 86_400_000));
    await s.tick();
    expect((await s.get('purge:done-old'))!.status).toBe('done');
    clock.advance(6 * 86_400_000);
    await s.schedule('keep', 'purge:done-recent', clock.now());
    await s.tick();
    clock.advance(2 * 86_400_000); // done-old is 8 days old, done-recent 2
    const fresh = new DbScheduler({ db, clock, logger, instanceId: 'purge-2', pollMs: 0, retentionMs: 7 * 86_400_000 });
    fresh.register('keep', async () => undefined);
    await fresh.tick();
    expect(await fresh.get('purge:done-old')).toBeUndefined();
    expect((await fresh.get('purge:done-recent'))!.status).toBe('done');
    expect((await fresh.get('purge:pending'))!.status).toBe('pending');
    expect(await fresh.get('flaky:1')).toBeUndefined(); // the failed job of the test above, days old by now
  });
});
