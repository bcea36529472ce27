/**
 * Unit-level tests of WecomApiClient against a tiny Fastify imitation of WeCom (port 0) whose
 * answers can be scripted per path. The real simulator is exercised end to end elsewhere.
 */
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OffsetClock } from '../../core/clock.js';
import { createLogger } from '../../core/logger.js';
import {
  MemoryTokenCache,
  tokenCacheKey,
  WecomApiClient,
  WecomApiError,
  filenameFromDisposition,
  type WecomApiClientOptions,
} from './api-client.js';

const CORP_ID = 'wwTESTCORP';
const SECRET = 'super-secret-kf-secret-value';
const SECRET_CONTENT = '这是一条机密的客户消息内容';

type Scripted = { errcode?: number; errmsg?: string; body?: Record<string, unknown>; delayMs?: number; status?: number };

const srv = {
  gettokenCalls: 0,
  tokenSeq: 0,
  expiresIn: 7200,
  gettokenDelayMs: 0,
  gettokenScript: [] as Scripted[],
  /** tokens WeCom no longer accepts (→ 42001) */
  revoked: new Set<string>(),
  issued: [] as string[],
  scripts: new Map<string, Scripted[]>(),
  hits: new Map<string, number>(),
  bodies: new Map<string, unknown[]>(),
  uploads: [] as string[],
  reset() {
    this.gettokenCalls = 0;
    this.expiresIn = 7200;
    this.gettokenDelayMs = 0;
    this.gettokenScript = [];
    this.revoked.clear();
    this.scripts.clear();
    this.hits.clear();
    this.bodies.clear();
    this.uploads = [];
  },
  script(path: string, ...answers: Scripted[]) {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...answers]);
  },
  hitCount(path: string) {
    return this.hits.get(path) ?? 0;
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function defaultAnswer(path: string, body: Record<string, unknown>): Record<string, unknown> {
  switch (path) {
    case '/cgi-bin/kf/sync_msg':
      return {
        next_cursor: 'C2',
        has_more: 0,
        msg_list: [
          { msgid: 'm1', open_kfid: 'wkA', external_userid: 'wmB', send_time: 1_700_000_000, origin: 3, msgtype: 'text', text: { content: SECRET_CONTENT } },
        ],
      };
    case '/cgi-bin/kf/send_msg':
    case '/cgi-bin/kf/send_msg_on_event':
      return { msgid: (body.msgid as string) || 'generated-msgid' };
    case '/cgi-bin/kf/account/list': {
      const offset = Number(body.offset ?? 0);
      const total = 130;
      const n = Math.max(0, Math.min(Number(body.limit ?? 100), total - offset));
      return { account_list: Array.from({ length: n }, (_, i) => ({ open_kfid: `wk${offset + i}`, name: `客服${offset + i}`, manage_privilege: true })) };
    }
    case '/cgi-bin/kf/service_state/get':
      return { service_state: 3, servicer_userid: 'zhangsan' };
    case '/cgi-bin/kf/service_state/trans':
      return { msg_code: 'MSG_CODE' };
    case '/cgi-bin/kf/customer/batchget': {
      const ids = body.external_userid_list as string[];
      return {
        customer_list: ids.filter((id) => !id.startsWith('bad')).map((id) => ({ external_userid: id, nickname: `N-${id}`, gender: 1 })),
        invalid_external_userid: ids.filter((id) => id.startsWith('bad')),
      };
    }
    default:
      return {};
  }
}

let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  app = Fastify({ logger: false, forceCloseConnections: true });
  app.addContentTypeParser(/^multipart\/form-data/, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/cgi-bin/gettoken', async (req) => {
    srv.gettokenCalls++;
    const q = req.query as Record<string, string>;
    if (srv.gettokenDelayMs) await sleep(srv.gettokenDelayMs);
    const s = srv.gettokenScript.shift();
    if (s?.errcode) return { errcode: s.errcode, errmsg: s.errmsg ?? 'scripted' };
    if (q.corpid !== CORP_ID) return { errcode: 40013, errmsg: 'invalid corpid' };
    if (q.corpsecret !== SECRET) return { errcode: 40001, errmsg: 'invalid credential' };
    const token = `ACCESS-TOKEN-${++srv.tokenSeq}-${Math.random().toString(36).slice(2)}`;
    srv.issued.push(token);
    return { errcode: 0, errmsg: 'ok', access_token: token, expires_in: srv.expiresIn };
  });

  app.all('/cgi-bin/*', async (req, reply) => {
    const path = req.url.split('?')[0];
    srv.hits.set(path, srv.hitCount(path) + 1);
    const q = req.query as Record<string, string>;
    if (!q.access_token) return { errcode: 41001, errmsg: 'access_token missing' };
    if (srv.revoked.has(q.access_token)) return { errcode: 42001, errmsg: 'access_token expired' };
    if (!srv.issued.includes(q.access_token)) return { errcode: 40014, errmsg: 'invalid access_token' };

    const s = srv.scripts.get(path)?.shift();
    if (s?.delayMs) await sleep(s.delayMs);
    if (s?.status) return reply.code(s.status).send('upstream broke');
    if (s?.errcode !== undefined) return { errcode: s.errcode, errmsg: s.errmsg ?? 'scripted' };
    if (s?.body) return { errcode: 0, errmsg: 'ok', ...s.body };

    if (path === '/cgi-bin/media/upload') {
      const raw = (req.body as Buffer).toString('latin1');
      srv.uploads.push(raw);
      if (!/name="media"; filename="[^"]+"/.test(raw)) return { errcode: 40005, errmsg: 'invalid file type' };
      return { errcode: 0, errmsg: 'ok', type: q.type, media_id: `MEDIA-${q.type}-1`, created_at: '1700000000' };
    }
    if (path === '/cgi-bin/media/get') {
      if (q.media_id === 'TEXTERR') return reply.header('content-type', 'text/plain').send(JSON.stringify({ errcode: 40007, errmsg: 'invalid media_id' }));
      if (q.media_id === 'TXTFILE') return reply.header('content-type', 'text/plain; charset=utf-8').send('{not json, just a text file');
      if (q.media_id !== 'GOOD') return { errcode: 40007, errmsg: 'invalid media_id' };
      return reply
        .header('content-type', 'image/png')
        .header('content-disposition', 'attachment; filename="pic.png"')
        .send(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    srv.bodies.set(path, [...(srv.bodies.get(path) ?? []), body]);
    return { errcode: 0, errmsg: 'ok', ...defaultAnswer(path, body) };
  });

  baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(async () => {
  await app.close();
});

beforeEach(() => srv.reset());

/** A client whose pino output is captured; `sleeps` records backoff waits (not actually waited). */
function makeClient(over: Partial<WecomApiClientOptions> = {}) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const sleeps: number[] = [];
  const client = new WecomApiClient({
    baseUrl,
    corpId: CORP_ID,
    secret: SECRET,
    timeoutMs: 2000,
    logger: createLogger('trace', stream),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...over,
  });
  return { client, lines, sleeps, logText: () => lines.join('') };
}

async function rejection(p: Promise<unknown>): Promise<WecomApiError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WecomApiError);
    return e as WecomApiError;
  }
  throw new Error('expected a rejection');
}

describe('token', () => {
  it('is fetched once, cached and reused', async () => {
    const { client } = makeClient();
    await client.syncMsg({ cursor: 'C1' });
    await client.syncMsg({ cursor: 'C2' });
    await client.getServiceState({ open_kfid: 'wkA', external_userid: 'wmB' });
    expect(srv.gettokenCalls).toBe(1);
  });

  it('is refreshed 5 minutes before expires_in (clock-driven, no sleeping)', async () => {
    const clock = new OffsetClock();
    const { client } = makeClient({ clock });
    const t1 = await client.getToken();
    clock.advance((7200 - 300 - 1) * 1000);
    expect(await client.getToken()).toBe(t1);
    clock.advance(2000);
    const t2 = await client.getToken();
    expect(t2).not.toBe(t1);
    expect(srv.gettokenCalls).toBe(2);
  });

  it('concurrent first callers share one gettoken (single-flight)', async () => {
    srv.gettokenDelayMs = 50;
    const { client } = makeClient();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.syncMsg({ cursor: `c${i}` })));
    expect(results).toHaveLength(20);
    expect(srv.gettokenCalls).toBe(1);
    expect(srv.hitCount('/cgi-bin/kf/sync_msg')).toBe(20);
  });

  it('a shared cache is keyed by corpId + secret hash, never the raw secret', async () => {
    const cache = new MemoryTokenCache();
    const keys: string[] = [];
    const spy = { ...cache, get: cache.get.bind(cache), del: cache.del.bind(cache), set: async (k: string, v: { token: string; expiresAt: number }) => { keys.push(k); await cache.set(k, v); } };
    const a = makeClient({ tokenCache: spy });
    const b = makeClient({ tokenCache: spy });
    await a.client.getToken();
    await b.client.getToken();
    expect(srv.gettokenCalls).toBe(1); // second client reused the cached token
    expect(keys).toEqual([tokenCacheKey(CORP_ID, SECRET)]);
    expect(keys[0]).not.toContain(SECRET);
    expect(tokenCacheKey(CORP_ID, 'other')).not.toBe(keys[0]);
  });

  it('gettoken errors (40001) are not retried and are reported clearly', async () => {
    const { client } = makeClient({ secret: 'wrong-secret' });
    const err = await rejection(client.syncMsg({}));
    expect(err.errcode).toBe(40001);
    expect(err.path).toBe('/cgi-bin/gettoken');
    expect(err.code).toBe('wecom_40001');
    expect(srv.gettokenCalls).toBe(1);
    expect(err.message).not.toContain('wrong-secret');
  });
});

describe('errcode handling', () => {
  it('42001 → exactly one gettoken and the call retried once', async () => {
    const { client } = makeClient();
    const t1 = await client.getToken();
    srv.revoked.add(t1);
    const r = await client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgtype: 'text', text: { content: 'hi' } });
    expect(r.msgid).toBe('generated-msgid');
    expect(srv.gettokenCalls).toBe(2);
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(2);
    expect(await client.getToken()).not.toBe(t1);
  });

  it('50 concurrent calls that all see 42001 cause only one gettoken', async () => {
    const { client } = makeClient();
    const t1 = await client.getToken();
    srv.revoked.add(t1);
    srv.gettokenDelayMs = 30;
    const all = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgid: `id${i}`, msgtype: 'text', text: { content: 'x' } }),
      ),
    );
    expect(all.map((r) => r.msgid)).toEqual(Array.from({ length: 50 }, (_, i) => `id${i}`));
    expect(srv.gettokenCalls).toBe(2); // the initial one + exactly one refresh
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(100); // each call: one 42001 + one success
  });

  it('40014 that persists after the refresh is thrown (only one refresh per call)', async () => {
    const { client } = makeClient();
    await client.getToken();
    srv.script('/cgi-bin/kf/sync_msg', { errcode: 40014 }, { errcode: 40014 });
    const err = await rejection(client.syncMsg({}));
    expect(err.errcode).toBe(40014);
    expect(srv.gettokenCalls).toBe(2);
    expect(srv.hitCount('/cgi-bin/kf/sync_msg')).toBe(2);
  });

  it('45009 backs off (≈200, 400 ms with jitter) and succeeds', async () => {
    const { client, sleeps } = makeClient();
    srv.script('/cgi-bin/kf/send_msg', { errcode: 45009 }, { errcode: 45033 });
    const r = await client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgtype: 'text', text: { content: 'x' } });
    expect(r.msgid).toBe('generated-msgid');
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(3);
    expect(sleeps).toHaveLength(2);
    expect(sleeps[0]).toBeGreaterThanOrEqual(150);
    expect(sleeps[0]).toBeLessThanOrEqual(250);
    expect(sleeps[1]).toBeGreaterThanOrEqual(300);
    expect(sleeps[1]).toBeLessThanOrEqual(500);
  });

  it('45009 really waits when no sleep is injected', async () => {
    const { client } = makeClient({ sleep: undefined, backoffBaseMs: 40 });
    srv.script('/cgi-bin/kf/sync_msg', { errcode: 45009 });
    const t0 = Date.now();
    await client.syncMsg({});
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('gives up after 3 backoff retries', async () => {
    const { client, sleeps } = makeClient();
    srv.script('/cgi-bin/kf/sync_msg', { errcode: 45009 }, { errcode: 45009 }, { errcode: 45009 }, { errcode: 45009 });
    const err = await rejection(client.syncMsg({}));
    expect(err.errcode).toBe(45009);
    expect(err.retryable).toBe(true);
    expect(sleeps).toHaveLength(3);
    expect(srv.hitCount('/cgi-bin/kf/sync_msg')).toBe(4);
  });

  it('-1 is retried for idempotent calls, not for send_msg without msgid', async () => {
    const { client } = makeClient();
    srv.script('/cgi-bin/kf/sync_msg', { errcode: -1 });
    await client.syncMsg({});
    expect(srv.hitCount('/cgi-bin/kf/sync_msg')).toBe(2);

    srv.script('/cgi-bin/kf/send_msg', { errcode: -1 });
    const err = await rejection(client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgtype: 'text', text: { content: 'x' } }));
    expect(err.errcode).toBe(-1);
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(1);

    srv.script('/cgi-bin/kf/send_msg', { errcode: -1 });
    await client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgid: 'dedupe1', msgtype: 'text', text: { content: 'x' } });
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(3);
  });

  it('other errcodes throw WecomApiError {errcode, errmsg, path} without retry', async () => {
    const { client } = makeClient();
    srv.script('/cgi-bin/kf/send_msg', { errcode: 95001, errmsg: 'api limit exceeded' });
    const err = await rejection(client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgid: 'a1', msgtype: 'text', text: { content: 'x' } }));
    expect(err).toMatchObject({ errcode: 95001, errmsg: 'api limit exceeded', path: '/cgi-bin/kf/send_msg', code: 'wecom_95001', status: 502 });
    expect(err.retryable).toBe(false);
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(1);
  });

  it('rejects an invalid msgid before calling WeCom', async () => {
    const { client } = makeClient();
    await expect(client.sendMsg({ touser: 'u', open_kfid: 'k', msgid: 'has space', msgtype: 'text', text: { content: 'x' } })).rejects.toThrow(/msgid/);
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(0);
  });
});

describe('timeouts and network errors', () => {
  it('a timeout gives a clear error; send_msg without msgid is not retried', async () => {
    const { client } = makeClient({ timeoutMs: 150 });
    await client.getToken();
    srv.script('/cgi-bin/kf/send_msg', { delayMs: 600 });
    const t0 = Date.now();
    const err = await rejection(client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgtype: 'text', text: { content: 'x' } }));
    expect(Date.now() - t0).toBeLessThan(550);
    expect(err.errcode).toBe(-2);
    expect(err.code).toBe('timeout');
    expect(err.status).toBe(504);
    expect(err.message).toBe('WeCom /cgi-bin/kf/send_msg failed: timeout (no answer within 150 ms)');
    expect(err.retryable).toBe(true);
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(1);
  });

  it('idempotent calls (sync_msg) retry a timeout at most twice', async () => {
    const { client, sleeps } = makeClient({ timeoutMs: 150 });
    srv.script('/cgi-bin/kf/sync_msg', { delayMs: 400 }, { delayMs: 400 }, { delayMs: 400 });
    const err = await rejection(client.syncMsg({}));
    expect(err.code).toBe('timeout');
    expect(srv.hitCount('/cgi-bin/kf/sync_msg')).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('a timeout followed by success recovers for sync_msg and for send_msg with msgid', async () => {
    const { client } = makeClient({ timeoutMs: 150 });
    srv.script('/cgi-bin/kf/sync_msg', { delayMs: 400 });
    expect((await client.syncMsg({})).next_cursor).toBe('C2');
    srv.script('/cgi-bin/kf/send_msg', { delayMs: 400 });
    expect((await client.sendMsg({ touser: 'u', open_kfid: 'k', msgid: 'retry-me', msgtype: 'text', text: { content: 'x' } })).msgid).toBe('retry-me');
    expect(srv.hitCount('/cgi-bin/kf/send_msg')).toBe(2);
  });

  it('connection refused → code network, errcode -2', async () => {
    const dead = Fastify();
    const url = await dead.listen({ port: 0, host: '127.0.0.1' });
    await dead.close();
    const { client } = makeClient({ baseUrl: url });
    const err = await rejection(client.getToken());
    expect(err).toMatchObject({ errcode: -2, code: 'network', path: '/cgi-bin/gettoken' });
  });

  it('HTTP 5xx from a proxy is a network error (retried for idempotent calls)', async () => {
    const { client } = makeClient();
    srv.script('/cgi-bin/kf/sync_msg', { status: 502 });
    await client.syncMsg({});
    expect(srv.hitCount('/cgi-bin/kf/sync_msg')).toBe(2);
  });
});

describe('typed methods', () => {
  it('syncMsg sends only given fields and returns validated items', async () => {
    const { client } = makeClient();
    const r = await client.syncMsg({ cursor: 'C1', token: 'CBTOKEN', limit: 5000, open_kfid: 'wkA' });
    expect(srv.bodies.get('/cgi-bin/kf/sync_msg')).toEqual([{ cursor: 'C1', token: 'CBTOKEN', limit: 1000, open_kfid: 'wkA' }]);
    expect(r.next_cursor).toBe('C2');
    expect(r.has_more).toBe(false);
    expect(r.msg_list[0]).toMatchObject({ msgid: 'm1', msgtype: 'text', send_time: 1_700_000_000, text: { content: SECRET_CONTENT } });
    await client.syncMsg({});
    expect(srv.bodies.get('/cgi-bin/kf/sync_msg')![1]).toEqual({});
  });

  it('syncMsg: has_more with an empty list; items without msgid are a bad_response', async () => {
    const { client } = makeClient();
    srv.script('/cgi-bin/kf/sync_msg', { body: { next_cursor: 'C3', has_more: 1, msg_list: [] } });
    expect(await client.syncMsg({})).toEqual({ next_cursor: 'C3', has_more: true, msg_list: [] });
    srv.script('/cgi-bin/kf/sync_msg', { body: { next_cursor: 'C4', has_more: 0, msg_list: [{ msgtype: 'text', send_time: 1 }] } });
    const err = await rejection(client.syncMsg({}));
    expect(err).toMatchObject({ errcode: -3, code: 'bad_response' });
    expect(err.message).toContain('msg_list.0.msgid');
  });

  it('sendMsgOnEvent', async () => {
    const { client } = makeClient();
    expect(await client.sendMsgOnEvent({ code: 'WELCOME', msgtype: 'text', text: { content: '欢迎' } })).toEqual({ msgid: 'generated-msgid' });
  });

  it('getServiceState / transServiceState', async () => {
    const { client } = makeClient();
    expect(await client.getServiceState({ open_kfid: 'wkA', external_userid: 'wmB' })).toEqual({ service_state: 3, servicer_userid: 'zhangsan' });
    expect(await client.transServiceState({ open_kfid: 'wkA', external_userid: 'wmB', service_state: 4 })).toEqual({ msg_code: 'MSG_CODE' });
    srv.script('/cgi-bin/kf/service_state/get', { body: { service_state: 9 } });
    expect((await rejection(client.getServiceState({ open_kfid: 'wkA', external_userid: 'wmB' }))).code).toBe('bad_response');
  });

  it('listKfAccounts pages through all accounts', async () => {
    const { client } = makeClient();
    const list = await client.listKfAccounts();
    expect(list).toHaveLength(130);
    expect(list[129]).toEqual({ open_kfid: 'wk129', name: '客服129', manage_privilege: true });
    expect(srv.hitCount('/cgi-bin/kf/account/list')).toBe(2);
  });

  it('batchGetCustomers chunks by 100 and dedupes', async () => {
    const { client } = makeClient();
    const ids = [...Array.from({ length: 250 }, (_, i) => `wm${i}`), 'wm0', 'bad1'];
    const customers = await client.batchGetCustomers(ids);
    expect(customers).toHaveLength(250);
    expect(customers[0]).toEqual({ external_userid: 'wm0', nickname: 'N-wm0', gender: 1 });
    const calls = srv.bodies.get('/cgi-bin/kf/customer/batchget') as { external_userid_list: string[] }[];
    expect(calls.map((c) => c.external_userid_list.length)).toEqual([100, 100, 51]);
    expect(await client.batchGetCustomers([])).toEqual([]);
  });

  it('uploadMedia sends multipart field media and returns media_id', async () => {
    const { client } = makeClient();
    const id = await client.uploadMedia('image', Buffer.from('PNGDATA'), 'a.png', 'image/png');
    expect(id).toBe('MEDIA-image-1');
    expect(srv.uploads[0]).toContain('name="media"; filename="a.png"');
    expect(srv.uploads[0]).toContain('Content-Type: image/png');
    expect(srv.uploads[0]).toContain('PNGDATA');
  });

  it('getMedia returns bytes, mime and filename; a JSON answer is an error', async () => {
    const { client } = makeClient();
    const m = await client.getMedia('GOOD');
    expect(m.mime).toBe('image/png');
    expect(m.filename).toBe('pic.png');
    expect([...m.buffer]).toEqual([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]);
    const err = await rejection(client.getMedia('NOPE'));
    expect(err).toMatchObject({ errcode: 40007, path: '/cgi-bin/media/get' });
    expect((await rejection(client.getMedia('TEXTERR'))).errcode).toBe(40007);
    const txt = await client.getMedia('TXTFILE');
    expect(txt.mime).toBe('text/plain');
    expect(txt.buffer.toString()).toBe('{not json, just a text file');
  });

  it('getMedia enforces maxMediaBytes', async () => {
    const { client } = makeClient({ maxMediaBytes: 3 });
    expect((await rejection(client.getMedia('GOOD'))).code).toBe('bad_response');
  });

  it('call() works for any path, with or without the /cgi-bin prefix', async () => {
    const { client } = makeClient();
    const r = await client.call<{ service_state: number }>('kf/service_state/get', { open_kfid: 'a', external_userid: 'b' });
    expect(r.service_state).toBe(3);
  });

  it('filenameFromDisposition handles RFC 5987 and strips directories', () => {
    expect(filenameFromDisposition(`attachment; filename*=UTF-8''%E5%9B%BE%E7%89%87.jpg`)).toBe('图片.jpg');
    expect(filenameFromDisposition('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(filenameFromDisposition('attachment; filename=plain.txt')).toBe('plain.txt');
    expect(filenameFromDisposition(null)).toBeUndefined();
  });
});

describe('logging', () => {
  it('never logs the token, the secret or message contents (but does log path/errcode/duration)', async () => {
    const { client, logText } = makeClient({ timeoutMs: 150 });
    const t1 = await client.getToken();
    srv.revoked.add(t1);
    srv.script('/cgi-bin/kf/send_msg', { errcode: 45009 }, { errcode: 95001 });
    await client.syncMsg({ token: 'CALLBACK-TOKEN-XYZ' });
    await client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgtype: 'text', text: { content: SECRET_CONTENT } }).catch(() => {});
    srv.script('/cgi-bin/kf/send_msg', { delayMs: 400 });
    await client.sendMsg({ touser: 'wmB', open_kfid: 'wkA', msgtype: 'text', text: { content: SECRET_CONTENT } }).catch(() => {});
    await client.uploadMedia('file', Buffer.from(SECRET_CONTENT), 'secret.txt', 'text/plain');
    await client.getMedia('GOOD');

    const text = logText();
    expect(srv.issued.length).toBeGreaterThanOrEqual(2);
    for (const token of srv.issued) expect(text).not.toContain(token);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SECRET_CONTENT);
    expect(text).not.toContain('CALLBACK-TOKEN-XYZ');
    expect(text).not.toContain('access_token=');

    const entries = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.some((e) => e.path === '/cgi-bin/gettoken' && e.errcode === 0 && typeof e.ms === 'number')).toBe(true);
    expect(entries.some((e) => e.path === '/cgi-bin/kf/sync_msg' && e.errcode === 42001)).toBe(true);
    expect(entries.some((e) => e.path === '/cgi-bin/kf/send_msg' && e.errcode === 45009)).toBe(true);
    expect(entries.some((e) => e.path === '/cgi-bin/kf/send_msg' && e.errcode === 95001)).toBe(true);
    expect(entries.some((e) => e.path === '/cgi-bin/kf/send_msg' && e.code === 'timeout')).toBe(true);
  });
});
