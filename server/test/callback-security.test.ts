import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WecomCrypto } from '@kefu/server/wecom-crypto';
import { openDb, type Db } from '../src/db/connect.js';
import { api, createTestDb, DEMO, startKefuProcess, type Proc, type TestDb } from './harness.js';

// kefu alone (no simulator needed): every malformed or forged callback is a clear 4xx with a
// machine-readable code, nothing is stored, and the server stays healthy.
let db: TestDb;
let kefu: Proc;
let conn: Db;
const crypto = new WecomCrypto({ token: DEMO.token, aesKey: DEMO.aesKey, receiveId: DEMO.corpId });
const now = () => String(Math.floor(Date.now() / 1000));
const kfEvent = (openKfid: string) =>
  `<xml><ToUserName><![CDATA[${DEMO.corpId}]]></ToUserName><CreateTime>${now()}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[kf_msg_or_event]]></Event><Token><![CDATA[tok123]]></Token><OpenKfId><![CDATA[${openKfid}]]></OpenKfId></xml>`;

function envelope(inner: string, ts = now(), nonce = 'n0nce') {
  const { encrypt, msg_signature } = crypto.encryptCallback(inner, ts, nonce);
  return { body: `<xml><ToUserName><![CDATA[${DEMO.corpId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt><AgentID><![CDATA[]]></AgentID></xml>`, qs: `msg_signature=${msg_signature}&timestamp=${ts}&nonce=${nonce}` };
}
async function post(qs: string, body: string, type = 'text/xml') {
  const r = await fetch(`${kefu.url}/api/wecom/callback?${qs}`, { method: 'POST', headers: { 'content-type': type }, body });
  const text = await r.text();
  return { status: r.status, text, json: (() => { try { return JSON.parse(text); } catch { return undefined; } })() };
}
async function nothingStored() {
  const accounts = await conn.selectFrom('kf_accounts').select('open_kfid').where('open_kfid', 'like', 'wkBAD%').execute();
  expect(accounts).toEqual([]);
  expect((await fetch(`${kefu.url}/healthz`)).status).toBe(200);
}

beforeAll(async () => {
  db = await createTestDb();
  // the WeCom API is unreachable on purpose: callbacks must be acknowledged anyway
  kefu = await startKefuProcess({ db, apiBase: 'http://127.0.0.1:9', env: { KEFU_BODY_LIMIT: '65536' } });
  conn = (await openDb(db.url)).db;
});
afterAll(async () => {
  await conn?.destroy();
  await kefu?.stop();
  await db?.drop();
});

describe('WeCom callback URL', () => {
  it('answers URL verification with the decrypted echostr alone', async () => {
    const ts = now();
    const { encrypt, msg_signature } = crypto.encryptCallback('1616140317555161061', ts, 'abc');
    const r = await fetch(`${kefu.url}/api/wecom/callback?msg_signature=${msg_signature}&timestamp=${ts}&nonce=abc&echostr=${encodeURIComponent(encrypt)}`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('1616140317555161061');
  });

  it('acknowledges a valid kf callback within one second and remembers the token durably', async () => {
    const { body, qs } = envelope(kfEvent('wkGOOD0001'));
    const t0 = performance.now();
    const r = await post(qs, body);
    expect(r.status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1000);
    const acct = await conn.selectFrom('kf_accounts').selectAll().where('open_kfid', '=', 'wkGOOD0001').executeTakeFirst();
    expect(acct?.pending_token).toBe('tok123');
  });

  it.each([
    ['wrong signature', () => { const e = envelope(kfEvent('wkBAD1')); return { qs: e.qs.replace(/msg_signature=./, 'msg_signature=0'), body: e.body }; }, 401, 'invalid_signature'],
    ['replayed (stale) timestamp', () => envelope(kfEvent('wkBAD2'), String(Math.floor(Date.now() / 1000) - 3600)), 400, 'stale_timestamp'],
    ['malformed XML', () => ({ qs: envelope(kfEvent('wkBAD3')).qs, body: '<xml><Encrypt>abc</Encrypt' }), 400, 'xml_malformed'],
    ['DOCTYPE with entities', () => ({ qs: envelope(kfEvent('wkBAD4')).qs, body: '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><xml><Encrypt>&lol2;</Encrypt></xml>' }), 400, 'xml_doctype_forbidden'],
    ['DOCTYPE inside the encrypted message', () => envelope('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><MsgType>&e;</MsgType></xml>'), 400, 'xml_doctype_forbidden'],
    ['unknown query field', () => { const e = envelope(kfEvent('wkBAD5')); return { qs: `${e.qs}&debug=1`, body: e.body }; }, 400, 'validation_error'],
    ['missing signature', () => ({ qs: `timestamp=${now()}&nonce=x`, body: envelope(kfEvent('wkBAD6')).body }), 400, 'validation_error'],
    ['no Encrypt element', () => ({ qs: envelope(kfEvent('wkBAD7')).qs, body: '<xml><ToUserName>x</ToUserName></xml>' }), 400, 'invalid_envelope'],
    ['encrypted for another corp', () => {
      const other = new WecomCrypto({ token: DEMO.token, aesKey: DEMO.aesKey, receiveId: 'wwOTHERCORP' });
      const ts = now();
      const { encrypt, msg_signature } = other.encryptCallback(kfEvent('wkBAD8'), ts, 'n');
      return { qs: `msg_signature=${msg_signature}&timestamp=${ts}&nonce=n`, body: `<xml><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>` };
    }, 403, 'receive_id_mismatch'],
    ['body over the limit', () => { const e = envelope(kfEvent('wkBAD9')); return { qs: e.qs, body: e.body.replace('</xml>', `<Pad>${'x'.repeat(70_000)}</Pad></xml>`) }; }, 413, 'body_too_large'],
  ])('rejects %s with %i %s and stores nothing', async (_name, make, status, code) => {
    const { qs, body } = make();
    const r = await post(qs, body);
    expect(r.status).toBe(status);
    expect(r.json?.error?.code).toBe(code);
    expect(r.json?.error?.message).toBeTruthy();
    await nothingStored();
  });

  it('rejects unknown fields in API bodies', async () => {
    const r = await api(kefu.url, 'POST', '/api/auth/login', { username: 'agent1', password: 'kefu123', admin: true });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_error');
    expect(r.body.error.message).toMatch(/admin/);
  });

  it('rejects bad logins without saying which part was wrong', async () => {
    const wrongUser = await api(kefu.url, 'POST', '/api/auth/login', { username: 'nobody', password: 'kefu123' });
    const wrongPass = await api(kefu.url, 'POST', '/api/auth/login', { username: 'agent1', password: 'wrong-Pa55word' });
    expect(wrongUser.status).toBe(401);
    expect(wrongPass.body).toEqual(wrongUser.body);
    expect((await api(kefu.url, 'GET', '/api/conversations')).status).toBe(401);
  });

  it('never writes secrets or message contents to its logs', async () => {
    const out = kefu.output();
    expect(out).not.toContain(DEMO.secret);
    expect(out).not.toContain(DEMO.aesKey);
    expect(out).not.toContain('wrong-Pa55word');
    expect(out).not.toContain('tok123');
  });

  it('shuts down gracefully on SIGTERM (exit code 0)', async () => {
    await kefu.stop('SIGTERM');
    expect(kefu.child.exitCode).toBe(0);
  });
});
