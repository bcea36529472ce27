import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type Db } from '../src/db/connect.js';
import { api, eventually, startStack, type Json } from './harness.js';

// kefu is SIGKILLed in the middle of a multi-page sync_msg pull and restarted: the pull resumes
// from the stored cursor and every message is stored exactly once.
type Stack = Awaited<ReturnType<typeof startStack>>;
let s: Stack;
let conn: Db;
const TOTAL = 60;

beforeAll(async () => {
  s = await startStack({ simEnv: { SIM_SYNC_PAGE_SIZE: '4', SIM_SYNC_DELAY_MS: '150' } });
  conn = (await openDb(s.db.url)).db;
});
afterAll(async () => {
  await conn?.destroy();
  await s?.stop();
});

const storedTexts = async () =>
  (await conn.selectFrom('messages').select(['content_json']).where('msgtype', '=', 'text').where('direction', '=', 'in').execute()).map((r) => JSON.parse(r.content_json).text as string);

describe('crash in the middle of a multi-page sync', () => {
  it('stores every message exactly once after SIGKILL and restart', async () => {
    const sim = (path: string, body: Json) => api(s.sim.url, 'POST', path, body);
    const token = (await api(s.sim.url, 'GET', '/cgi-bin/gettoken?corpid=ww5823bf96d3bd56c7&corpsecret=kefu-demo-kf-secret')).body.access_token;
    const openKfid = (await api(s.sim.url, 'POST', `/cgi-bin/kf/account/list?access_token=${token}`, {})).body.account_list[0].open_kfid;
    const customers: string[] = [];
    for (let i = 0; i < 3; i++) customers.push((await sim('/sim/customers', { nickname: `崩溃测试${i}` })).body.external_userid);

    // kefu is down while the customers write (WeCom's callbacks to it fail); the last message,
    // written once kefu is back, brings the callback that starts one long multi-page pull
    const say = async (i: number) => {
      const r = await sim('/sim/kf/messages', { open_kfid: openKfid, external_userid: customers[i % 3], msgtype: 'text', text: { content: `消息${i}` } });
      expect(r.status).toBe(200);
    };
    await s.kefu.stop('SIGKILL');
    for (let i = 0; i < TOTAL - 1; i++) await say(i);
    await s.restartKefu();
    await say(TOTAL - 1);
    // kill it once it has stored some pages but not all
    const partial = await eventually(async () => {
      const n = (await storedTexts()).length;
      return n >= 8 && n < TOTAL && n;
    }, 'a partial sync', 30_000);
    await s.kefu.stop('SIGKILL');
    expect(partial).toBeLessThan(TOTAL);

    await s.restartKefu();
    // the pending token survived the crash, so the pull resumes without a new callback
    const all = await eventually(async () => {
      const t = await storedTexts();
      return t.length >= TOTAL && t;
    }, 'all messages stored', 45_000);
    await new Promise((r) => setTimeout(r, 1000));
    const final = await storedTexts();
    expect(final.length).toBe(TOTAL);
    expect(new Set(final).size).toBe(TOTAL);
    expect(all.length).toBe(TOTAL);
    const conversations = await conn.selectFrom('conversations').select('id').execute();
    expect(conversations).toHaveLength(3);
  });
});
