import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, migrate, type Db } from '../src/db/connect.js';
import { EventBus, type DomainEvents } from '../src/core/events.js';
import { createLogger } from '../src/core/logger.js';
import type { Clock } from '../src/core/clock.js';
import type { Conversation, Message } from '../src/core/message.js';
import { createKnowledge, seedDemoKnowledge, type Knowledge } from '../src/knowledge/index.js';
import { createTestDb, type TestDb } from './harness.js';

/** Hot-word surge, in process on the database under test; the clock is moved, never slept on. */
class ManualClock implements Clock {
  constructor(public t: number) {}
  now(): Date {
    return new Date(this.t);
  }
}

const MIN = 60_000;
const HOUR = 60 * MIN;
// the current 10-minute bucket starts at 12:00, so the last hour is 11:10 … 12:05
const T0 = Date.parse('2026-03-02T12:05:00.000Z');
const HOUR_START = Date.parse('2026-03-02T11:10:00.000Z');

let tdb: TestDb;
let db: Db;
let k: Knowledge;
const clock = new ManualClock(T0 - 30 * HOUR);
const bus = new EventBus((err) => {
  throw err;
});
const emitted: DomainEvents['knowledge.alert'][] = [];
bus.on('knowledge.alert', (e) => {
  emitted.push(e);
});

let refund: string[];
let logistics: string[];

beforeAll(async () => {
  tdb = await createTestDb();
  db = (await openDb(tdb.url)).db;
  await migrate(db);
  k = createKnowledge(db, bus, clock, createLogger('silent'));
  expect(await seedDemoKnowledge(k)).toBe(true);
  // phrasings the published bot confidently files under each intent
  const draft = await k.service.draft();
  const confident = async (id: string, name: string) => {
    const out: string[] = [];
    for (const e of draft.intents.find((i) => i.id === id)!.examples) if ((await k.surge.topicOf(e)) === name) out.push(e);
    return out;
  };
  refund = await confident('refund_process', '退款流程');
  logistics = await confident('logistics_query', '物流查询');
  expect(refund.length).toBeGreaterThan(5);
  expect(logistics.length).toBeGreaterThan(5);
});
afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

/** counts one message and writes it at once, as if the monitor flushed right after it */
async function see(text: string) {
  await k.surge.observe(text);
  await k.surge.flush();
}

/** `n` messages spread over the hour starting at `start` */
async function hourOf(start: number, n: number, texts: string[], offset = 0) {
  for (let i = 0; i < n; i++) {
    clock.t = start + MIN + Math.floor((i * 54 * MIN) / n);
    await see(texts[(i + offset) % texts.length]);
  }
}

describe('hot-word surge', () => {
  it('a topic tripling within an hour against its baseline raises one alert with examples; a flat topic raises none', async () => {
    // the previous 24 hours: 退款流程 4 per hour, 物流查询 10 per hour
    for (let h = 24; h >= 1; h--) {
      await hourOf(HOUR_START - h * HOUR, 4, refund, h);
      await hourOf(HOUR_START - h * HOUR + 30 * 1000, 10, logistics, h);
    }
    expect(await k.surge.list()).toEqual([]);

    // the last hour: 退款流程 15 (3.75× its baseline), 物流查询 10 (flat)
    for (let i = 0; i < 15; i++) {
      clock.t = HOUR_START + MIN + i * 3 * MIN;
      await see(refund[i % refund.length]);
      if (i < 10) await see(logistics[i % logistics.length]);
    }
    expect(clock.t).toBeLessThanOrEqual(T0);

    const alerts = await k.surge.list();
    expect(alerts).toHaveLength(1);
    const [a] = alerts;
    expect(a).toMatchObject({ kind: 'surge', topic: '退款流程', acked_at: null });
    expect(a.baseline).toBeGreaterThan(3.5); // 4 per hour; the window slides with the clock
    expect(a.baseline).toBeLessThanOrEqual(4);
    expect(a.count).toBeGreaterThanOrEqual(12);
    expect(a.ratio).toBeGreaterThanOrEqual(3);
    expect(a.examples.length).toBeGreaterThan(0);
    expect(a.examples.length).toBeLessThanOrEqual(5);
    for (const e of a.examples) expect(refund).toContain(e);
    expect(emitted.map((e) => e.alert.topic)).toEqual(['退款流程']);
    expect(emitted[0].alert.id).toBe(a.id);

    // more of the same within the hour: still one alert
    for (let i = 0; i < 5; i++) {
      clock.t = T0 + i * MIN;
      await see(refund[i % refund.length]);
    }
    expect(await k.surge.list()).toHaveLength(1);

    const acked = await k.surge.ack(a.id, 'trainer');
    expect(acked.acked_by).toBe('trainer');
    expect(await k.surge.list({ status: 'open' })).toEqual([]);
  });

  it('counts inbound customer text from the bus, ignores agent messages, and writes what it counted on stop', async () => {
    const stop = k.surge.start();
    const conversation = { id: 'c1' } as Conversation;
    const message = (direction: Message['direction'], text: string): Message => ({
      id: `m-${Math.random()}`, conversation_id: 'c1', direction, sender_type: direction === 'in' ? 'customer' : 'agent', sender_id: null,
      content: { type: 'text', text }, status: 'received', fail_code: null, fail_reason: null, client_msg_id: null, created_at: clock.now().toISOString(),
    });
    clock.t = T0 + 10 * HOUR;
    const bucket = new Date(Math.floor(clock.t / (10 * MIN)) * 10 * MIN).toISOString();
    bus.emit('message.created', { message: message('in', refund[0]), conversation });
    bus.emit('message.created', { message: message('out', refund[1]), conversation });
    bus.emit('message.created', { message: message('in', refund[2]), conversation });
    await stop();
    const row = await k.service.db.selectFrom('kb_topic_buckets').select(['count', 'examples_json']).where('topic', '=', '退款流程').where('bucket', '=', bucket).executeTakeFirst();
    expect(Number(row?.count)).toBe(2);
    expect(JSON.parse(row!.examples_json)).toEqual([refund[0], refund[2]]);
  });

  it('two instances add their counts up in one bucket, each written as one increment per flush', async () => {
    const other = createKnowledge(db, bus, clock, createLogger('silent'));
    clock.t = T0 + 20 * HOUR;
    const bucket = new Date(Math.floor(clock.t / (10 * MIN)) * 10 * MIN).toISOString();
    for (let i = 0; i < 3; i++) await k.surge.observe(logistics[i]);
    for (let i = 0; i < 4; i++) await other.surge.observe(logistics[i]);
    await Promise.all([k.surge.flush(), other.surge.flush()]);
    await k.surge.flush(); // nothing left: no count is written twice
    const row = await k.service.db.selectFrom('kb_topic_buckets').select('count').where('topic', '=', '物流查询').where('bucket', '=', bucket).executeTakeFirst();
    expect(Number(row?.count)).toBe(7);
  });
});
