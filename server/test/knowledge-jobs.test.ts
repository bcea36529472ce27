import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetClock } from '../src/core/clock.js';
import { openDb, migrate, type Db } from '../src/db/connect.js';
import { kbDb } from '../src/knowledge/repo.js';
import { INTERRUPTED_MESSAGE, Jobs } from '../src/knowledge/jobs.js';
import { createTestDb, type TestDb } from './harness.js';

// Import and mining jobs run in the process that accepted the upload: when that process dies
// the job must not show "running" for ever.
describe('knowledge jobs survive the death of their process', () => {
  let tdb: TestDb;
  let db: Db;
  const clock = new OffsetClock();

  beforeAll(async () => {
    tdb = await createTestDb();
    db = (await openDb(tdb.url)).db;
    await migrate(db);
  });
  afterAll(async () => {
    await db.destroy();
    await tdb.drop();
  });

  it('a job whose process stopped writing is reported as interrupted; a live one stays running', async () => {
    const jobs = new Jobs(kbDb(db), clock);
    const dead = await jobs.create('import_faqs', { filename: 'faqs.csv', total: 100, by: null });
    const live = await jobs.create('import_faqs', { filename: 'more.csv', total: 100, by: null });
    live.processed = 40;

    clock.advance(30_000);
    await live.flush(true); // a heartbeat or progress write of the live job
    expect((await jobs.get(dead.id)).status).toBe('running');

    clock.advance(45_000);
    const d = await jobs.get(dead.id);
    expect(d).toMatchObject({ status: 'failed', message: INTERRUPTED_MESSAGE });
    expect((await jobs.get(live.id))).toMatchObject({ status: 'running', processed: 40 });

    await live.finish('done');
    await dead.finish('failed', 'x'); // clears the heartbeat of the object this test still holds
    expect((await jobs.get(live.id)).status).toBe('done');
  });
});
