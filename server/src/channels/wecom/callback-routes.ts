import { z } from 'zod';
import type { AppInstance } from '../../http/app.js';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { WecomCrypto, WecomCryptoCode, WecomCryptoError } from './crypto.js';
import { parseXml, XmlError } from './xml.js';
import type { KfSync } from './kf-sync.js';

const signed = {
  msg_signature: z.string().regex(/^[0-9a-f]{40}$/i, 'msg_signature must be 40 hex characters'),
  timestamp: z.string().regex(/^\d{1,12}$/, 'timestamp must be seconds since the epoch'),
  nonce: z.string().min(1).max(64),
};

const innerEventSchema = z.looseObject({
  MsgType: z.string(),
  Event: z.string().optional(),
  Token: z.string().max(128).optional(),
  OpenKfId: z.string().max(64).optional(),
});

/** Maps crypto/XML failures onto the API's error shape; nothing is stored for any of them. */
function rejectCallback(e: unknown): never {
  if (e instanceof WecomCryptoError) {
    if (e.code === WecomCryptoCode.ValidateSignatureError) throw new AppError(401, 'invalid_signature', 'msg_signature does not match');
    if (e.code === WecomCryptoCode.ValidateCorpidError) throw new AppError(403, 'receive_id_mismatch', 'message was encrypted for another CorpID');
    throw new AppError(400, 'decrypt_failed', `cannot decrypt the message (${e.code})`);
  }
  if (e instanceof XmlError) throw new AppError(400, e.code, e.message);
  throw e;
}

/**
 * The WeCom callback URL (set it as 接收消息 URL in the admin console):
 * GET verifies the URL, POST receives encrypted events and acknowledges at once; the work
 * (sync_msg pulls) happens in the background.
 */
export function wecomCallbackRoutes(app: AppInstance, deps: { crypto: WecomCrypto; kfSync: KfSync; clock: Clock; replayWindowS: number }) {
  const { crypto, kfSync, clock } = deps;

  const checkFresh = (timestamp: string) => {
    const skew = Math.abs(clock.now().getTime() / 1000 - Number(timestamp));
    if (skew > deps.replayWindowS) throw new AppError(400, 'stale_timestamp', `timestamp is ${Math.round(skew)} s away from server time (allowed ${deps.replayWindowS} s); replayed or clock skew`);
  };

  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.get('/api/wecom/callback', {
    schema: {
      tags: ['wecom'], summary: 'WeCom callback URL verification (answers the decrypted echostr)',
      querystring: z.strictObject({ ...signed, echostr: z.string().min(1).max(2048) }),
    },
  }, async (req, reply) => {
    checkFresh(req.query.timestamp);
    let plain: string;
    try {
      plain = crypto.verifyUrl(req.query);
    } catch (e) {
      rejectCallback(e);
    }
    return reply.type('text/plain; charset=utf-8').send(plain);
  });

  app.post('/api/wecom/callback', {
    schema: {
      tags: ['wecom'], summary: 'WeCom encrypted event callback (kf_msg_or_event and others)',
      querystring: z.strictObject(signed),
    },
  }, async (req, reply) => {
    checkFresh(req.query.timestamp);
    let inner: Record<string, string>;
    try {
      const encrypt = envelopeEncrypt(req.body);
      const plain = crypto.decryptCallback(req.query, encrypt);
      inner = plain.trimStart().startsWith('{') ? flattenJson(plain) : parseXml(plain);
    } catch (e) {
      rejectCallback(e);
    }
    const ev = innerEventSchema.safeParse(inner);
    if (!ev.success) throw new AppError(400, 'invalid_event', 'decrypted message lacks MsgType');
    if (ev.data.MsgType === 'event' && ev.data.Event === 'kf_msg_or_event') {
      if (!ev.data.OpenKfId || !ev.data.Token) throw new AppError(400, 'invalid_event', 'kf_msg_or_event without OpenKfId/Token');
      await kfSync.notify(ev.data.OpenKfId, ev.data.Token);
    } else {
      req.log.info({ msg_type: ev.data.MsgType, event: ev.data.Event }, 'wecom callback ignored (not handled yet)');
    }
    return reply.type('text/plain').send('success');
  });
}

/** The signed `Encrypt` text from an XML or JSON envelope. */
function envelopeEncrypt(body: unknown): string {
  if (typeof body === 'string') {
    const env = parseXml(body);
    if (!env.Encrypt) throw new AppError(400, 'invalid_envelope', 'callback body has no <Encrypt> element');
    return env.Encrypt;
  }
  if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    const enc = o.encrypt ?? o.Encrypt;
    if (typeof enc === 'string' && enc) return enc;
  }
  throw new AppError(400, 'invalid_envelope', 'callback body must be WeCom XML (or JSON) with an Encrypt field');
}

function flattenJson(plain: string): Record<string, string> {
  try {
    const o = JSON.parse(plain) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  } catch {
    throw new AppError(400, 'invalid_json', 'decrypted JSON is malformed');
  }
}
