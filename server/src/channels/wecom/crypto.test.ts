import { describe, it, expect } from 'vitest';
import {
  WecomCrypto,
  WecomCryptoError,
  decrypt,
  decryptParts,
  encrypt,
  signature,
  verifySignature,
} from './crypto.js';

// Official sample vectors (legacy-2014 set; PHP/C#/Java/Go samples).
const TOKEN = 'QDG6eK';
const CORP = 'wx5823bf96d3bd56c7';
const KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';

const VERIFY = {
  msg_signature: '5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3',
  timestamp: '1409659589',
  nonce: '263014780',
  echostr: 'P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ==',
  plain: '1616140317555161061',
};

const POST_XML = {
  msg_signature: '477715d11cdb4164915debcba66cb864d751f3e6',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    'RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==',
  plain:
    '<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n' +
    '<FromUserName><![CDATA[mycreate]]></FromUserName>\n' +
    '<CreateTime>1409659813</CreateTime>\n' +
    '<MsgType><![CDATA[text]]></MsgType>\n' +
    '<Content><![CDATA[hello]]></Content>\n' +
    '<MsgId>4561255354251345929</MsgId>\n' +
    '<AgentID>218</AgentID>\n' +
    '</xml>',
};

const POST_JSON = {
  msg_signature: '0623cbc5a8cbee5bcc137c70de99575366fc2af3',
  timestamp: '1409659813',
  nonce: '1372623149',
  encrypt:
    'CZWs4CWRpI4VolQlvn4dlEC1alN2MUEY2VklGehgBVLBrlVF7SyT+SV+Toj43l4ayJ9UMGKphktKKmP7B2j/P1ey67XB8PBgS7Wr5/8+w/yWriZv3Vmoo/MH3/1HsIWZrPQ3N2mJrelStIfI2Y8kLKXA7EhfZgZX4o+ffdkZDM76SEl79Ib9mw7TGjZ9Aw/x/A2VjNbV1E8BtEbRxYYcQippYNw7hr8sFfa3nW1xLdxokt8QkRX83vK3DFP2F6TQFPL2Tu98UwhcUpPvdJBuu1/yiOQIScppV3eOuLWEsko=',
};

const VECTORS = [
  { name: 'GET verify', sig: VERIFY.msg_signature, ts: VERIFY.timestamp, nonce: VERIFY.nonce, enc: VERIFY.echostr },
  { name: 'POST XML', sig: POST_XML.msg_signature, ts: POST_XML.timestamp, nonce: POST_XML.nonce, enc: POST_XML.encrypt },
  { name: 'POST JSON', sig: POST_JSON.msg_signature, ts: POST_JSON.timestamp, nonce: POST_JSON.nonce, enc: POST_JSON.encrypt },
];

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WecomCryptoError);
    return (e as WecomCryptoError).code;
  }
  return undefined;
}

describe('WeCom crypto — official sample vectors', () => {
  for (const v of VECTORS) {
    it(`${v.name}: signature matches and verifies`, () => {
      expect(signature(TOKEN, v.ts, v.nonce, v.enc)).toBe(v.sig);
      expect(verifySignature(TOKEN, v.ts, v.nonce, v.enc, v.sig)).toBe(true);
    });

    it(`${v.name}: receiveId is the CorpID and re-encryption is byte-identical`, () => {
      const parts = decryptParts(KEY, v.enc);
      expect(parts.receiveId).toBe(CORP);
      expect(parts.random16).toHaveLength(16);
      const again = encrypt(KEY, CORP, parts.message, parts.random16);
      expect(again).toBe(v.enc);
      expect(Buffer.from(again, 'base64').equals(Buffer.from(v.enc, 'base64'))).toBe(true);
    });
  }

  it('GET verify decrypts echostr to the numeric string', () => {
    const c = new WecomCrypto({ token: TOKEN, aesKey: KEY, receiveId: CORP });
    expect(c.verifyUrl(VERIFY)).toBe(VERIFY.plain);
    // echostr as it arrives in the raw query (percent-encoded) decodes identically via URLSearchParams
    const q = new URLSearchParams(
      'msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D',
    );
    expect(
      c.verifyUrl({
        msg_signature: q.get('msg_signature')!,
        timestamp: q.get('timestamp')!,
        nonce: q.get('nonce')!,
        echostr: q.get('echostr')!,
      }),
    ).toBe(VERIFY.plain);
  });

  it('POST XML decrypts to the exact text message (pad 30, a 32-byte block)', () => {
    const c = new WecomCrypto({ token: TOKEN, aesKey: KEY, receiveId: CORP });
    const plain = c.decryptCallback(POST_XML, POST_XML.encrypt);
    expect(plain).toBe(POST_XML.plain);
    expect(plain).toContain('<Content><![CDATA[hello]]></Content>');
    expect(plain).toContain('<FromUserName><![CDATA[mycreate]]></FromUserName>');
    // 16 random + 4 len + msg + corp, then pad 30 → multiple of 32 and pad > 16
    const raw = 16 + 4 + Buffer.byteLength(plain) + CORP.length;
    expect(32 - (raw % 32)).toBe(30);
    expect(Buffer.from(POST_XML.encrypt, 'base64').length).toBe(raw + 30);
  });

  it('POST JSON variant decrypts to the JSON text message "hello"', () => {
    const c = new WecomCrypto({ token: TOKEN, aesKey: KEY, receiveId: CORP });
    const plain = c.decryptCallback(POST_JSON, POST_JSON.encrypt);
    const msg = JSON.parse(plain) as Record<string, unknown>;
    expect(msg.Content).toBe('hello');
    expect(msg.MsgType).toBe('text');
    expect(msg.FromUserName).toBe('mycreate');
  });
});

describe('WeCom crypto — negatives', () => {
  const c = new WecomCrypto({ token: TOKEN, aesKey: KEY, receiveId: CORP });

  it('a wrong signature digit, timestamp or token → -40001', () => {
    const bad = POST_XML.msg_signature.replace(/^4/, '5');
    expect(codeOf(() => c.decryptCallback({ ...POST_XML, msg_signature: bad }, POST_XML.encrypt))).toBe(-40001);
    expect(codeOf(() => c.decryptCallback({ ...POST_XML, timestamp: '1409659814' }, POST_XML.encrypt))).toBe(-40001);
    const other = new WecomCrypto({ token: 'QDG6eL', aesKey: KEY, receiveId: CORP });
    expect(codeOf(() => other.verifyUrl(VERIFY))).toBe(-40001);
    expect(codeOf(() => c.decryptCallback({ ...POST_XML, msg_signature: '' }, POST_XML.encrypt))).toBe(-40001);
    expect(verifySignature(TOKEN, POST_XML.timestamp, POST_XML.nonce, POST_XML.encrypt, bad)).toBe(false);
  });

  it('a wrong CorpID → -40005', () => {
    const wrong = new WecomCrypto({ token: TOKEN, aesKey: KEY, receiveId: 'wx5823bf96d3bd56c8' });
    expect(codeOf(() => wrong.decryptCallback(POST_XML, POST_XML.encrypt))).toBe(-40005);
    expect(codeOf(() => decrypt(KEY, '', VERIFY.echostr))).toBe(-40005);
  });

  it('a 42-character (or non-alphanumeric) key → -40004', () => {
    expect(codeOf(() => new WecomCrypto({ token: TOKEN, aesKey: KEY.slice(0, 42), receiveId: CORP }))).toBe(-40004);
    expect(codeOf(() => decrypt(KEY.slice(0, 42), CORP, VERIFY.echostr))).toBe(-40004);
    expect(codeOf(() => encrypt(KEY + 'x', CORP, 'hi'))).toBe(-40004);
    expect(codeOf(() => encrypt(KEY.slice(0, 42) + '+', CORP, 'hi'))).toBe(-40004);
  });

  it('tampered ciphertext → -40007 or -40008', () => {
    const buf = Buffer.from(POST_XML.encrypt, 'base64');
    // flip a bit in the last block: breaks the padding
    const last = Buffer.from(buf);
    last[last.length - 1] ^= 0x55;
    expect([-40007, -40008]).toContain(codeOf(() => decrypt(KEY, CORP, last.toString('base64'))));
    // flip a bit in the first AES block: garbles random16 and flips the top bit of msg_len
    const first = Buffer.from(buf);
    first[0] ^= 0x80;
    const code = codeOf(() => decrypt(KEY, CORP, first.toString('base64')));
    expect([-40005, -40007, -40008]).toContain(code);
    // truncated by 16 bytes → not a multiple of 32
    expect(codeOf(() => decrypt(KEY, CORP, buf.subarray(0, buf.length - 16).toString('base64')))).toBe(-40007);
  });

  it('garbage base64 → -40010', () => {
    expect(codeOf(() => decrypt(KEY, CORP, '!!!not base64!!!'))).toBe(-40010);
    expect(codeOf(() => decrypt(KEY, CORP, ''))).toBe(-40010);
    expect(codeOf(() => decrypt(KEY, CORP, 'abc'))).toBe(-40010);
  });
});

describe('WeCom crypto — round trips', () => {
  it('encryptCallback → decryptCallback, for lengths around the 32-byte boundary and UTF-8', () => {
    const c = new WecomCrypto({ token: 'kefuDemoToken', aesKey: KEY, receiveId: 'ww5823bf96d3bd56c7' });
    for (let n = 0; n < 70; n++) {
      const text = '你'.repeat(n % 5) + 'x'.repeat(n);
      const { encrypt: enc, msg_signature } = c.encryptCallback(text, '1700000000', 'n' + n);
      expect(Buffer.from(enc, 'base64').length % 32).toBe(0);
      expect(c.decryptCallback({ msg_signature, timestamp: '1700000000', nonce: 'n' + n }, enc)).toBe(text);
    }
  });

  it('a full 32-byte pad block is added when the length is already a multiple of 32', () => {
    const corp = 'ww5823bf96d3bd56c7'; // 18 bytes; 16+4+msg+18 = 64 → msg 26
    const msg = 'a'.repeat(26);
    const enc = encrypt(KEY, corp, msg, Buffer.alloc(16, 7));
    expect(Buffer.from(enc, 'base64').length).toBe(96);
    expect(decrypt(KEY, corp, enc)).toBe(msg);
  });
});
