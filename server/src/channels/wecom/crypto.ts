/**
 * WeCom callback crypto (the official WXBizMsgCrypt scheme) on node:crypto.
 *
 * - signature = sha1(sort([token, timestamp, nonce, encrypt]).join('')), lowercase hex
 * - AES-256-CBC, key = base64(EncodingAESKey + '='), IV = key[0..16)
 * - plaintext = random16 ‖ uint32be(len(msg)) ‖ msg ‖ receiveId, PKCS#7 padded to 32 bytes
 *   (done by hand: node's automatic padding uses 16-byte blocks)
 *
 * Replay / freshness checks are deliberately NOT here: the HTTP layer owns them.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Local error codes of the official sample library (not API errcodes). */
export const WecomCryptoCode = {
  ValidateSignatureError: -40001,
  ParseXmlError: -40002,
  ComputeSignatureError: -40003,
  IllegalAesKey: -40004,
  ValidateCorpidError: -40005,
  EncryptAESError: -40006,
  DecryptAESError: -40007,
  IllegalBuffer: -40008,
  EncodeBase64Error: -40009,
  DecodeBase64Error: -40010,
  GenReturnXmlError: -40011,
} as const;
export type WecomCryptoCodeValue = (typeof WecomCryptoCode)[keyof typeof WecomCryptoCode];

export class WecomCryptoError extends Error {
  readonly code: WecomCryptoCodeValue;
  constructor(code: WecomCryptoCodeValue, message: string) {
    super(message);
    this.name = 'WecomCryptoError';
    this.code = code;
  }
}

const BLOCK = 32;
const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const AES_KEY_RE = /^[A-Za-z0-9]{43}$/;

/** sha1 over the lexicographically sorted four values, lowercase hex. */
export function signature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  const parts = [token, timestamp, nonce, encrypt].map(String).sort();
  return createHash('sha1').update(parts.join(''), 'utf8').digest('hex');
}

/** Constant-time comparison of the expected and the given msg_signature. */
export function verifySignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
  msgSignature: string,
): boolean {
  const expected = Buffer.from(signature(token, timestamp, nonce, encrypt), 'utf8');
  const given = Buffer.from(String(msgSignature ?? '').toLowerCase(), 'utf8');
  if (given.length !== expected.length) return false;
  return timingSafeEqual(expected, given);
}

/** EncodingAESKey (43 chars) → 32-byte AES key. Throws -40004 otherwise. */
export function aesKeyFromEncoding(aesKey43: string): Buffer {
  if (typeof aesKey43 !== 'string' || !AES_KEY_RE.test(aesKey43)) {
    throw new WecomCryptoError(WecomCryptoCode.IllegalAesKey, 'EncodingAESKey must be 43 characters of [A-Za-z0-9]');
  }
  const key = Buffer.from(aesKey43 + '=', 'base64');
  if (key.length !== 32) {
    throw new WecomCryptoError(WecomCryptoCode.IllegalAesKey, 'EncodingAESKey does not decode to 32 bytes');
  }
  return key;
}

function pkcs7Pad(buf: Buffer): Buffer {
  const n = BLOCK - (buf.length % BLOCK);
  return Buffer.concat([buf, Buffer.alloc(n, n)]);
}

function pkcs7Unpad(buf: Buffer): Buffer {
  if (buf.length === 0 || buf.length % BLOCK !== 0) {
    throw new WecomCryptoError(WecomCryptoCode.IllegalBuffer, 'decrypted length is not a multiple of 32');
  }
  const n = buf[buf.length - 1];
  if (n < 1 || n > BLOCK) throw new WecomCryptoError(WecomCryptoCode.IllegalBuffer, 'bad padding value');
  for (let i = buf.length - n; i < buf.length; i++) {
    if (buf[i] !== n) throw new WecomCryptoError(WecomCryptoCode.IllegalBuffer, 'inconsistent padding bytes');
  }
  return buf.subarray(0, buf.length - n);
}

/**
 * Encrypt `plaintext` for `receiveId` (CorpID for self-built apps and kf). Returns base64.
 * `random16` may be given for deterministic tests; otherwise 16 random bytes are drawn.
 */
export function encrypt(aesKey43: string, receiveId: string, plaintext: string, random16?: Buffer): string {
  const key = aesKeyFromEncoding(aesKey43);
  const rnd = random16 ?? randomBytes(16);
  if (rnd.length !== 16) throw new WecomCryptoError(WecomCryptoCode.EncryptAESError, 'random prefix must be 16 bytes');
  const msg = Buffer.from(plaintext, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length, 0);
  const padded = pkcs7Pad(Buffer.concat([rnd, len, msg, Buffer.from(receiveId, 'utf8')]));
  try {
    const cipher = createCipheriv('aes-256-cbc', key, key.subarray(0, 16));
    cipher.setAutoPadding(false);
    return Buffer.concat([cipher.update(padded), cipher.final()]).toString('base64');
  } catch (e) {
    throw new WecomCryptoError(WecomCryptoCode.EncryptAESError, `AES encrypt failed: ${(e as Error).message}`);
  }
}

export interface DecryptedParts {
  random16: Buffer;
  message: string;
  receiveId: string;
}

/** Decrypt without checking the receiveId; exposes the random prefix (used by tests). */
export function decryptParts(aesKey43: string, base64: string): DecryptedParts {
  const key = aesKeyFromEncoding(aesKey43);
  const text = typeof base64 === 'string' ? base64.replace(/ /g, '+') : '';
  if (!text || text.length % 4 !== 0 || !BASE64_RE.test(text)) {
    throw new WecomCryptoError(WecomCryptoCode.DecodeBase64Error, 'ciphertext is not valid base64');
  }
  const data = Buffer.from(text, 'base64');
  if (data.length === 0 || data.length % BLOCK !== 0) {
    throw new WecomCryptoError(WecomCryptoCode.DecryptAESError, 'ciphertext length is not a multiple of 32');
  }
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
    decipher.setAutoPadding(false);
    plain = Buffer.concat([decipher.update(data), decipher.final()]);
  } catch (e) {
    throw new WecomCryptoError(WecomCryptoCode.DecryptAESError, `AES decrypt failed: ${(e as Error).message}`);
  }
  const body = pkcs7Unpad(plain);
  if (body.length < 20) throw new WecomCryptoError(WecomCryptoCode.IllegalBuffer, 'decrypted buffer too short');
  const msgLen = body.readUInt32BE(16);
  if (msgLen > body.length - 20) {
    throw new WecomCryptoError(WecomCryptoCode.IllegalBuffer, 'msg_len out of bounds');
  }
  return {
    random16: Buffer.from(body.subarray(0, 16)),
    message: body.subarray(20, 20 + msgLen).toString('utf8'),
    receiveId: body.subarray(20 + msgLen).toString('utf8'),
  };
}

/** Decrypt and check that the trailing receiveId equals `expectedReceiveId` (-40005 otherwise). */
export function decrypt(aesKey43: string, expectedReceiveId: string, base64: string): string {
  const parts = decryptParts(aesKey43, base64);
  const a = Buffer.from(parts.receiveId, 'utf8');
  const b = Buffer.from(expectedReceiveId, 'utf8');
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new WecomCryptoError(WecomCryptoCode.ValidateCorpidError, 'receiveId mismatch');
  }
  return parts.message;
}

export interface WecomCryptoOptions {
  token: string;
  /** The 43-character EncodingAESKey. */
  aesKey: string;
  /** CorpID for self-built apps and 微信客服. */
  receiveId: string;
}

export interface SignedQuery {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

/** Convenience wrapper bound to one (token, EncodingAESKey, receiveId). */
export class WecomCrypto {
  readonly token: string;
  readonly aesKey: string;
  readonly receiveId: string;

  constructor(opts: WecomCryptoOptions) {
    aesKeyFromEncoding(opts.aesKey); // validate early (-40004)
    this.token = opts.token;
    this.aesKey = opts.aesKey;
    this.receiveId = opts.receiveId;
  }

  /** GET URL verification: check the signature over echostr and return the decrypted echostr. */
  verifyUrl(query: SignedQuery & { echostr: string }): string {
    const echostr = String(query.echostr ?? '').replace(/ /g, '+');
    this.assertSignature(query, echostr);
    return decrypt(this.aesKey, this.receiveId, echostr);
  }

  /** POST callback: check the signature over the Encrypt text and return the plaintext (XML or JSON). */
  decryptCallback(query: SignedQuery, encryptText: string): string {
    this.assertSignature(query, encryptText);
    return decrypt(this.aesKey, this.receiveId, encryptText);
  }

  /** Encrypt a callback body and sign it (used by the simulator and for passive replies). */
  encryptCallback(plaintext: string, timestamp: string, nonce: string, random16?: Buffer): { encrypt: string; msg_signature: string } {
    const enc = encrypt(this.aesKey, this.receiveId, plaintext, random16);
    return { encrypt: enc, msg_signature: signature(this.token, String(timestamp), String(nonce), enc) };
  }

  private assertSignature(query: SignedQuery, encryptText: string): void {
    const ok =
      typeof query?.msg_signature === 'string' &&
      verifySignature(this.token, String(query.timestamp ?? ''), String(query.nonce ?? ''), encryptText, query.msg_signature);
    if (!ok) throw new WecomCryptoError(WecomCryptoCode.ValidateSignatureError, 'msg_signature mismatch');
  }
}
