import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OffsetClock } from '../src/core/clock.js';
import { openDb, type Db } from '../src/db/connect.js';
import { KfEndCodes } from '../src/channels/wecom/kf-end-codes.js';
import { api, createTestDb, login, startKefuProcess, type Json, type Proc, type TestDb } from './harness.js';

// Two kefu processes on one database (SQLite file or PostgreSQL), both with their scheduler
// polling: every timer fires once, whichever instance claims it; state one instance needs from
// another (WeCom's session-end code) is in the database.
let db: TestDb;
let a: Proc;
let b: Proc;
let hook: Server;
const hits: { url: string; run: string }[] = [];
const conns: Db[] = [];

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      hits.push({ url: req.url ?? '', run: (JSON.parse(body) as Json).run_id });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  db = await createTestDb();
  const env = { KEFU_SCHEDULER_POLL_MS: '100' };
  a = await startKefuProcess({ db, apiBase: 'http://127.0.0.1:9', env });
  b = await startKefuProcess({ db, apiBase: 'http://127.0.0.1:9', env });
}, 60_000);
afterAll(async () => {
  await a?.stop();
  await b?.stop();
  for (const c of conns) await c.destroy();
  await db?.drop();
  hook?.close();
});

describe('several kefu instances on one database', () => {
  it('each timer fires exactly once: 20 every-second cron rules, their runs and webhook actions, for 4 s', async () => {
    const token = await login(a.url, 'admin');
    const base = `http://127.0.0.1:${(hook.address() as AddressInfo).port}`;
    const ids: string[] = [];
    const lived: { from: number; to: number }[] = [];
    for (let i = 0; i < 20; i++) {
      lived.push({ from: Date.now(), to: 0 });
      const r = await api(i % 2 ? a.url : b.url, 'POST', '/api/automation/rules', {
        name: `每秒同步${i}`, trigger: { type: 'cron', cron: '* * * * * *' }, actions: [{ type: 'webhook', url: `${base}/r${i}` }],
      }, token);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    await new Promise((r) => setTimeout(r, 4000));
    for (const [i, id] of ids.entries()) {
      expect((await api(a.url, 'DELETE', `/api/automation/rules/${id}`, undefined, token)).status).toBe(204);
      lived[i]!.to = Date.now();
    }
    await new Promise((r) => setTimeout(r, 1500)); // actions claimed before the delete finish

    const runs: Json[] = (await api(b.url, 'GET', '/api/automation/runs?limit=500', undefined, token)).body.items;
    const fired = runs.filter((r) => /^每秒同步/.test(r.rule_name) && r.outcome !== 'skipped');
    // every run's webhook called once: no job ran on both instances
    expect(hits.length).toBe(fired.length);
    expect(new Set(hits.map((h) => h.run)).size).toBe(hits.length);
    expect(fired.every((r) => r.outcome === 'succeeded' && r.actions[0].attempts === 1)).toBe(true);
    // and no second was lost: one run per second the rule existed (± the seconds it was created and deleted in)
    for (let i = 0; i < 20; i++) {
      const n = hits.filter((h) => h.url === `/r${i}`).length;
      const seconds = (lived[i]!.to - lived[i]!.from) / 1000;
      expect(n, `rule ${i}`).toBeGreaterThanOrEqual(Math.floor(seconds) - 1);
      expect(n, `rule ${i}`).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    }
  });

  it('a WeCom session-end code stored by the closing instance is taken once by another instance, until it expires', async () => {
    const clock = new OffsetClock();
    const [one, two] = await Promise.all([openDb(db.url), openDb(db.url)]);
    conns.push(one.db, two.db);
    const closing = new KfEndCodes(one.db, clock);
    const surveying = new KfEndCodes(two.db, clock);
    await closing.put('conv-1', 'MSG_CODE_1');
    await closing.put('conv-2', 'MSG_CODE_2');
    expect(await surveying.take('conv-1')).toBe('MSG_CODE_1');
    expect(await closing.take('conv-1')).toBeUndefined(); // used once
    clock.advance(21_000); // WeCom allows 20 s
    expect(await surveying.take('conv-2')).toBeUndefined();
  });
});
