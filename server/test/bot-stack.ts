import { expect } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import { OffsetClock } from '../src/core/clock.js';
import { createLogger } from '../src/core/logger.js';
import { loadConfig } from '../src/config.js';
import { startKefu, type Kefu } from '../src/app.js';
import { api, createTestDb, DEMO, eventually, freePort, login, startSimulator, type Json, type Proc, type TestDb } from './harness.js';

/** kefu in-process (so a test can move its clock and wait for the bot) on a fresh database, wired to a simulator */
export async function startKefuInProcess(o: { simUrl: string; port?: number; env?: Record<string, string>; clock?: OffsetClock }): Promise<{ kefu: Kefu; db: TestDb }> {
  const db = await createTestDb();
  const config = loadConfig({
    KEFU_PORT: String(o.port ?? (await freePort())), KEFU_HOST: '127.0.0.1', KEFU_DATABASE_URL: db.url, KEFU_DATA_DIR: db.dataDir, KEFU_LOG_LEVEL: 'warn',
    WECOM_API_BASE: o.simUrl, WECOM_CORP_ID: DEMO.corpId, WECOM_TOKEN: DEMO.token, WECOM_ENCODING_AES_KEY: DEMO.aesKey, WECOM_KF_SECRET: DEMO.secret,
    ...o.env,
  });
  const kefu = await startKefu(config, { clock: o.clock, logger: createLogger('warn'), soothingTickMs: 0 });
  return { kefu, db };
}

/** a widget visitor connected over Socket.IO; `got` collects what kefu sends to it */
export async function widgetVisitor(kefuUrl: string): Promise<{ socket: Socket; got: Json[]; send(text: string, clientMsgId: string): Promise<void> }> {
  const v = (await api(kefuUrl, 'POST', '/api/widget/visitors', {})).body;
  const socket = connect(`${kefuUrl}/widget`, { auth: v, transports: ['websocket'] });
  const got: Json[] = [];
  socket.on('message', (p: Json) => got.push(p.message));
  await new Promise<void>((r) => socket.on('connect', () => r()));
  return { socket, got, send: (text, client_msg_id) => new Promise((r) => socket.emit('send', { text, client_msg_id }, () => r())) };
}

/**
 * The bot's test stage: the WeCom simulator as a real process, kefu in-process with the demo
 * knowledge published, humans on duty around the clock (office hours are tested on their own),
 * and the customer-side verbs the bot tests speak in. Call `start(env)` in beforeAll.
 */
export function botStack() {
  const clock = new OffsetClock();
  let sim: Proc;
  let kefu: Kefu;
  let db: TestDb;
  let token: string;
  let presales: string;
  const sockets: Socket[] = [];
  const nicknames = new Map<string, string>();

  const simApi = (method: string, path: string, body?: unknown) => api(sim.url, method, path, body);
  const kefuApi = (method: string, path: string, body?: unknown) => api(kefu.url, method, path, body, token);
  const messagesOf = async (conversationId: string): Promise<Json[]> => (await kefuApi('GET', `/api/conversations/${conversationId}/messages`)).body.items;
  const conversations = async (nickname: string): Promise<Json[]> =>
    ((await kefuApi('GET', '/api/conversations?status=all')).body.items as Json[]).filter((x) => x.customer.display_name === nickname);

  return {
    clock,
    get kefu() { return kefu; },
    get sim() { return sim; },
    get presales() { return presales; },
    simApi,
    kefuApi,
    messagesOf,
    async start(env: Record<string, string> = {}): Promise<void> {
      const port = await freePort();
      sim = await startSimulator({ callbackUrl: `http://127.0.0.1:${port}/api/wecom/callback` });
      ({ kefu, db } = await startKefuInProcess({ simUrl: sim.url, port, env, clock }));
      await this.relogin();
      const settings = (await kefuApi('GET', '/api/bot/settings')).body;
      expect((await kefuApi('PUT', '/api/bot/settings', { ...settings, human_hours: { ...settings.human_hours, mode: '24x7' } })).status).toBe(200);
      const accounts: Json[] = (await simApi('GET', '/sim/kf/accounts')).body.accounts;
      presales = accounts.find((a) => a.name === '售前咨询')!.open_kfid;
    },
    /** a fresh admin token (an old one may expire when a test moves the clock far) */
    async relogin(): Promise<void> {
      token = await login(kefu.url, 'admin');
    },
    async close(): Promise<void> {
      for (const s of sockets) s.close();
      await kefu?.close();
      await sim?.stop();
      await db?.drop();
    },
    /** a new WeChat customer in the simulator */
    async customer(nickname: string): Promise<string> {
      const ext = (await simApi('POST', '/sim/customers', { nickname })).body.external_userid;
      nicknames.set(ext, nickname);
      return ext;
    },
    /** the customer writes; returns once kefu stored it and the bot finished its turn */
    async say(ext: string, content: string, menu_id?: string): Promise<void> {
      const r = await simApi('POST', '/sim/kf/messages', { open_kfid: presales, external_userid: ext, msgtype: 'text', text: { content, ...(menu_id ? { menu_id } : {}) } });
      expect(r.status).toBe(200);
      await eventually(async () => {
        for (const c of await conversations(nicknames.get(ext)!)) {
          if ((await messagesOf(c.id)).some((m) => m.direction === 'in' && m.content.text === content)) return true;
        }
        return false;
      }, `stored: ${content}`);
      await kefu.bot.service.idle();
    },
    /** what the customer received from kefu (bot and agents), in order */
    async received(ext: string): Promise<Json[]> {
      return (await simApi('GET', `/sim/kf/inbox?external_userid=${ext}`)).body.messages.filter((m: Json) => m.via === 'send_msg');
    },
    /** the customer's open conversation in kefu */
    async conversationOf(nickname: string): Promise<Json> {
      const c = (await conversations(nickname)).find((x) => x.status !== 'closed');
      if (!c) throw new Error(`no conversation for ${nickname}`);
      return c;
    },
    async visitor() {
      const v = await widgetVisitor(kefu.url);
      sockets.push(v.socket);
      return v;
    },
  };
}
