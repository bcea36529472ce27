import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, migrate, type Db } from '../src/db/connect.js';
import { EventBus, type DomainEvents } from '../src/core/events.js';
import { createLogger } from '../src/core/logger.js';
import { systemClock } from '../src/core/clock.js';
import { HubService, IngestCache, type InboundInput } from '../src/hub/index.js';
import { createTestDb, type TestDb } from './harness.js';

/** The hub's ingest on the database under test, in process: dedupe and the look-up cache. */
let tdb: TestDb;
let db: Db;
let hub: HubService;
const created: DomainEvents['message.created'][] = [];

beforeAll(async () => {
  tdb = await createTestDb();
  db = (await openDb(tdb.url)).db;
  await migrate(db);
  const bus = new EventBus((err) => {
    throw err;
  });
  bus.on('message.created', (e) => void created.push(e));
  hub = new HubService(db, bus, systemClock, createLogger('silent'));
});
afterAll(async () => {
  await db?.destroy();
  await tdb?.drop();
});

const inbound = (external_id: string, key: string, text: string): InboundInput => ({
  channel: 'web', channel_account: 'site', external_id, dedupe_key: `web:${external_id}:${key}`, content: { type: 'text', text },
});
const openOf = (customerId: string) => db.selectFrom('conversations').select('id').where('customer_id', '=', customerId).where('status', '<>', 'closed').execute();

describe('hub ingest', () => {
  it('a second delivery after the conversation was closed returns the first message and opens nothing', async () => {
    const first = await hub.ingest(inbound('v-dup', 'c1', '你好'));
    expect(first).toMatchObject({ created: true, newConversation: true });
    await hub.close(first.conversation.id);
    const again = await hub.ingest(inbound('v-dup', 'c1', '你好'));
    expect(again.created).toBe(false);
    expect(again.message.id).toBe(first.message.id);
    expect(again.conversation.id).toBe(first.conversation.id);
    expect(await openOf(first.conversation.customer_id)).toEqual([]);
  });

  it('a cached conversation closed between two transactions: the next message opens a new one, the closed one is left alone', async () => {
    const cache = new IngestCache();
    const a = await hub.transaction((uow) => hub.ingestIn(uow, inbound('v-cache', 'c1', '第一条')), cache);
    const b = await hub.transaction((uow) => hub.ingestIn(uow, inbound('v-cache', 'c2', '第二条')), cache);
    expect(b.conversation.id).toBe(a.conversation.id);
    expect(b.conversation).toMatchObject({ unread_count: 2, last_message_preview: '第二条', customer: { id: a.conversation.customer_id } });
    const closed = await hub.close(a.conversation.id);
    const c = await hub.transaction((uow) => hub.ingestIn(uow, inbound('v-cache', 'c3', '第三条')), cache);
    expect(c).toMatchObject({ created: true, newConversation: true });
    expect(c.conversation.id).not.toBe(a.conversation.id);
    expect(c.message.conversation_id).toBe(c.conversation.id);
    const stored = await db.selectFrom('messages').select('conversation_id').where('id', '=', c.message.id).executeTakeFirstOrThrow();
    expect(stored.conversation_id).toBe(c.conversation.id);
    expect(await hub.getConversation(a.conversation.id)).toMatchObject({ status: 'closed', last_message_at: closed.last_message_at, unread_count: 2 });
    expect(created.at(-1)?.conversation.id).toBe(c.conversation.id);
  });

  it('a transaction that fails empties the cache it was given', async () => {
    const cache = new IngestCache();
    await expect(hub.transaction(async (uow) => {
      await hub.ingestIn(uow, inbound('v-rollback', 'c1', '会回滚'));
      throw new Error('boom');
    }, cache)).rejects.toThrow('boom');
    expect(cache.customers.size + cache.open.size).toBe(0);
    const r = await hub.transaction((uow) => hub.ingestIn(uow, inbound('v-rollback', 'c1', '会回滚')), cache);
    expect(r).toMatchObject({ created: true, newConversation: true });
  });
});
