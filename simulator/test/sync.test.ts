import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSim, type Client, type Json } from './helpers.js';
import type { Simulator } from '../src/server.js';

let sim: Simulator;
let client: Client;
let kfid: string;
let kfid2: string;
beforeAll(async () => ({ sim, client, kfid, kfid2 } = await startSim({ syncPageSize: 3 })));
afterAll(async () => sim.close());
beforeEach(async () => {
  await client.post('/sim/reset', {});
  client.token = '';
});

/** Pull until has_more = 0, like a correct client (never stopping on an empty page). */
async function drain(body: Json = {}): Promise<{ pages: Json[]; items: Json[]; cursor: string }> {
  const pages: Json[] = [];
  let cursor: string | undefined = body.cursor;
  for (let i = 0; i < 50; i++) {
    const p = await client.cgi('/cgi-bin/kf/sync_msg', { ...body, cursor });
    expect(p.errcode).toBe(0);
    pages.push(p);
    cursor = p.next_cursor;
    if (!p.has_more) break;
  }
  return { pages, items: pages.flatMap((p) => p.msg_list), cursor: cursor! };
}

describe('sync_msg', () => {
  it('pages by SIM_SYNC_PAGE_SIZE and the cursor resumes; send_msg replies are not returned', async () => {
    const u = await client.customer('翻页客');
    for (let i = 1; i <= 7; i++) await client.say(kfid, u, `m${i}`);
    expect((await client.reply(kfid, u, 'reply')).errcode).toBe(0);
    const { pages, items, cursor } = await drain();
    expect(pages.map((p) => p.msg_list.length)).toEqual([3, 3, 1]);
    expect(items.map((m) => m.text.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    expect(pages.at(-1)!.has_more).toBe(0);
    await client.say(kfid, u, 'm8');
    const more = await drain({ cursor });
    expect(more.items.map((m) => m.text.content)).toEqual(['m8']);
    // limit smaller than the page size
    const small = await client.cgi('/cgi-bin/kf/sync_msg', { limit: 2 });
    expect(small.msg_list).toHaveLength(2);
    expect(small.has_more).toBe(1);
    expect((await client.cgi('/cgi-bin/kf/sync_msg', { limit: 1001 })).errcode).toBe(40058);
    expect((await client.cgi('/cgi-bin/kf/sync_msg', { cursor: 'garbage' })).errcode).toBe(40058);
  });

  it('empty pages with has_more=1 do not lose messages', async () => {
    const u = await client.customer('空页客');
    for (let i = 1; i <= 4; i++) await client.say(kfid, u, `e${i}`);
    await client.post('/sim/sync/empty-pages', { count: 2 });
    const { pages, items } = await drain();
    expect(pages.slice(0, 2).map((p) => [p.msg_list.length, p.has_more])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    expect(items.map((m) => m.text.content)).toEqual(['e1', 'e2', 'e3', 'e4']);
  });

  it('duplicate-next-page delivers a page twice', async () => {
    const u = await client.customer('重页客');
    for (let i = 1; i <= 5; i++) await client.say(kfid, u, `d${i}`);
    await client.post('/sim/sync/duplicate-next-page', {});
    const { pages, items } = await drain();
    expect(pages[0].msg_list).toEqual(pages[1].msg_list);
    expect(items.map((m) => m.text.content)).toEqual(['d1', 'd2', 'd3', 'd1', 'd2', 'd3', 'd4', 'd5']);
    expect(new Set(items.map((m) => m.msgid)).size).toBe(5);
  });

  it('open_kfid filter, token bound to its open_kfid and valid 10 min (95007)', async () => {
    const u = await client.customer('过滤客');
    await client.say(kfid, u, 'to A');
    await client.say(kfid2, u, 'to B');
    const onlyB = await drain({ open_kfid: kfid2 });
    expect(onlyB.items.map((m) => m.text.content)).toEqual(['to B']);
    expect((await client.cgi('/cgi-bin/kf/sync_msg', { open_kfid: 'wkNope' })).errcode).toBe(95004);
    // tokens come from callbacks; take them from state (no callback URL configured here)
    const t = await startSimTokenFor(kfid);
    expect((await client.cgi('/cgi-bin/kf/sync_msg', { token: t, open_kfid: kfid })).errcode).toBe(0);
    expect((await client.cgi('/cgi-bin/kf/sync_msg', { token: t, open_kfid: kfid2 })).errcode).toBe(95007);
    expect((await client.cgi('/cgi-bin/kf/sync_msg', { token: 'ENCnope' })).errcode).toBe(95007);
    await client.post('/sim/clock', { advance_seconds: 601 });
    expect((await client.cgi('/cgi-bin/kf/sync_msg', { token: t, open_kfid: kfid })).errcode).toBe(95007);
  });
});

async function startSimTokenFor(open_kfid: string): Promise<string> {
  const token = `ENCtest${Date.now()}`;
  sim.state.syncTokens.set(token, { token, open_kfid, expires_at: sim.clock.now() + 600 });
  return token;
}
