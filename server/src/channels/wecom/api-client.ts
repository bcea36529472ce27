/**
 * Client for WeCom's server API (https://qyapi.weixin.qq.com or the local simulator).
 *
 * - access_token cached per (corpId, sha256(secret)) until 5 min before `expires_in`; refreshes
 *   are single-flight (concurrent callers share one gettoken request), also after 40014/42001.
 * - every request has a timeout (AbortSignal.timeout); network errors are retried (at most twice)
 *   only for idempotent calls (gettoken, sync_msg, get/list calls, send_msg WITH a msgid).
 * - 45009/45033 (rate limits) are retried with jittered backoff (200/400/800 ms, max 3); -1
 *   (系统繁忙) likewise, but only for idempotent calls, because the call may have been applied.
 * - responses are parsed with zod (external input).
 * - logs carry path, errcode, duration and attempt only: never the token, the secret, or
 *   message contents (URLs are never logged: they hold access_token / corpsecret).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { AppError } from '../../core/errors.js';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';

// ---------------------------------------------------------------------------------------------
// Token cache
// ---------------------------------------------------------------------------------------------

export type CachedToken = {
  token: string;
  /** epoch ms after which the token must not be used (the 5-minute safety margin is already
   *  subtracted); a Redis implementation can use it directly as PXAT */
  expiresAt: number;
};

export interface TokenCache {
  get(key: string): Promise<CachedToken | null>;
  set(key: string, value: CachedToken): Promise<void>;
  del(key: string): Promise<void>;
}

export class MemoryTokenCache implements TokenCache {
  private readonly map = new Map<string, CachedToken>();
  async get(key: string): Promise<CachedToken | null> {
    return this.map.get(key) ?? null;
  }
  async set(key: string, value: CachedToken): Promise<void> {
    this.map.set(key, value);
  }
  async del(key: string): Promise<void> {
    this.map.delete(key);
  }
}

/** Cache key for one app's token: the secret only ever appears hashed. */
export function tokenCacheKey(corpId: string, secret: string): string {
  const h = createHash('sha256').update(secret).digest('hex').slice(0, 16);
  return `wecom:token:${corpId}:${h}`;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/** errcode used for network errors and timeouts (not a WeCom code) */
export const ERRCODE_NETWORK = -2;
/** errcode used for responses that are not the documented shape (not a WeCom code) */
export const ERRCODE_BAD_RESPONSE = -3;

export const TOKEN_INVALID_ERRCODES: ReadonlySet<number> = new Set([40014, 42001]);
export const RATE_LIMIT_ERRCODES: ReadonlySet<number> = new Set([45009, 45033]);
export const SYSTEM_BUSY_ERRCODE = -1;

export type WecomApiErrorCode = 'timeout' | 'network' | 'bad_response' | `wecom_${number}`;

/**
 * A failed WeCom call. `code` is `wecom_<errcode>` for errors WeCom returned, `timeout` /
 * `network` (errcode -2) when no answer arrived, `bad_response` (errcode -3) when the answer
 * was not the documented shape. Extends AppError (502, 504 for timeouts) so the HTTP layer
 * can render it. The message never contains the token or the secret.
 */
export class WecomApiError extends AppError {
  constructor(
    readonly errcode: number,
    readonly errmsg: string,
    readonly path: string,
    code: WecomApiErrorCode = `wecom_${errcode}`,
    /** HTTP status of WeCom's answer, when there was one and it was not 200 */
    readonly httpStatus?: number,
  ) {
    super(code === 'timeout' ? 504 : 502, code, `WeCom ${path} failed: ${code === `wecom_${errcode}` ? `errcode ${errcode}` : code}${errmsg ? ` (${errmsg})` : ''}`);
    this.name = 'WecomApiError';
  }
  /** worth retrying later (rate limits, system busy, network) */
  get retryable(): boolean {
    return RATE_LIMIT_ERRCODES.has(this.errcode) || this.errcode === SYSTEM_BUSY_ERRCODE || this.errcode === ERRCODE_NETWORK;
  }
}

// ---------------------------------------------------------------------------------------------
// Response schemas (external input) and public types
// ---------------------------------------------------------------------------------------------

const num = z.union([z.number(), z.string().trim().regex(/^-?\d+$/).transform(Number)]);

const gettokenSchema = z.object({ access_token: z.string().min(1), expires_in: num });

export type KfAccount = { open_kfid: string; name: string; avatar?: string; manage_privilege?: boolean };
const accountListSchema = z.object({
  account_list: z
    .array(
      z.object({
        open_kfid: z.string().min(1),
        name: z.string().default(''),
        avatar: z.string().optional(),
        manage_privilege: z.boolean().optional(),
      }),
    )
    .default([]),
});

/** One sync_msg item: validated to have msgid/msgtype/send_time, everything else as sent. */
export type KfSyncItem = { msgid: string; msgtype: string; send_time: number; [field: string]: unknown };
const syncItemSchema = z.looseObject({ msgid: z.string().min(1), msgtype: z.string().min(1), send_time: num });

export type SyncMsgRequest = {
  /** omit on the very first call */
  cursor?: string;
  /** the Token of the kf_msg_or_event callback (valid 10 min) */
  token?: string;
  /** 1–1000, default 1000 */
  limit?: number;
  open_kfid?: string;
  /** 0 AMR (default), 1 Silk */
  voice_format?: 0 | 1;
};
export type SyncMsgResult = { next_cursor: string; has_more: boolean; msg_list: KfSyncItem[] };
const syncMsgSchema = z.object({
  next_cursor: z.string().default(''),
  has_more: z.union([z.number(), z.boolean()]).default(0).transform((v) => v === true || v === 1),
  msg_list: z.array(syncItemSchema).default([]),
});

/** send_msg body: `touser` is the external_userid; spread `toKfOutbound(content)` into it. */
export type KfSendMsgBody = {
  touser: string;
  open_kfid: string;
  /** ≤32 bytes [0-9a-zA-Z_-], unique per account; makes the call safely retryable */
  msgid?: string;
  msgtype: string;
  [payload: string]: unknown;
};
/** send_msg_on_event body: `code` is a welcome_code / msg_code; msgtype text or msgmenu. */
export type KfSendOnEventBody = { code: string; msgid?: string; msgtype: string; [payload: string]: unknown };
const msgidSchema = z.object({ msgid: z.string().default('') });

export type KfServiceState = 0 | 1 | 2 | 3 | 4;
const serviceStateSchema = z.object({
  service_state: num.pipe(z.number().int().min(0).max(4)),
  servicer_userid: z.string().optional(),
});
const transSchema = z.object({ msg_code: z.string().optional() });

export type KfCustomer = { external_userid: string; nickname?: string; avatar?: string; gender?: number; unionid?: string };
const batchGetSchema = z.object({
  customer_list: z
    .array(
      z.looseObject({
        external_userid: z.string().min(1),
        nickname: z.string().optional(),
        avatar: z.string().optional(),
        gender: num.optional(),
        unionid: z.string().optional(),
      }),
    )
    .default([]),
  invalid_external_userid: z.array(z.string()).default([]),
});

export type MediaType = 'image' | 'voice' | 'video' | 'file';
const uploadSchema = z.object({ media_id: z.string().min(1) });

export type FetchedMedia = { buffer: Buffer; mime: string; filename?: string };

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

export type WecomApiClientOptions = {
  /** e.g. https://qyapi.weixin.qq.com or http://127.0.0.1:3100 (config WECOM_API_BASE) */
  baseUrl: string;
  corpId: string;
  secret: string;
  /** per-request timeout (config WECOM_TIMEOUT_MS) */
  timeoutMs: number;
  logger: Logger;
  tokenCache?: TokenCache;
  clock?: Clock;
  /** first backoff step in ms (doubles per retry, ±25% jitter); default 200 */
  backoffBaseMs?: number;
  /** largest media/get download accepted; default 30 MiB */
  maxMediaBytes?: number;
  /** injectable for tests */
  sleep?: (ms: number) => Promise<void>;
};

export type CallOptions<T> = {
  method?: 'GET' | 'POST';
  /** extra query parameters (access_token is added) */
  query?: Record<string, string | number | undefined>;
  /** allows retrying network errors / -1; default: GET, gettoken, sync_msg, …/get, …/list, …/batchget */
  idempotent?: boolean;
  /** validates the response; without it the JSON is returned unchecked as T */
  schema?: z.ZodType<T>;
};

type Body = { kind: 'json'; value: unknown } | { kind: 'form'; make: () => FormData } | { kind: 'none' };
type RawReply = { kind: 'json'; value: Record<string, unknown> } | { kind: 'raw'; media: FetchedMedia };
type ExecOptions = {
  method: 'GET' | 'POST';
  query: Record<string, string | number | undefined>;
  body: Body;
  idempotent: boolean;
  /** adds access_token and handles 40014/42001 */
  auth: boolean;
  /** accept a non-JSON answer as raw bytes (media/get) */
  raw?: boolean;
};

const TOKEN_MARGIN_MS = 5 * 60_000;
const MAX_BUSY_RETRIES = 3;
const MAX_NETWORK_RETRIES = 2;
const MSGID_RE = /^[0-9a-zA-Z_-]{1,32}$/;

/** path → '/cgi-bin/…' (accepts 'kf/sync_msg', '/kf/sync_msg' or '/cgi-bin/kf/sync_msg') */
export function normalizePath(path: string): string {
  const p = path.replace(/^\/+/, '');
  return p.startsWith('cgi-bin/') ? `/${p}` : `/cgi-bin/${p}`;
}

export function isIdempotentPath(path: string): boolean {
  return /\/(gettoken|sync_msg|get|list|batchget|get_[a-z_]+|list_[a-z_]+)$/.test(normalizePath(path));
}

export class WecomApiClient {
  private readonly baseUrl: string;
  private readonly cache: TokenCache;
  private readonly cacheKey: string;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly backoffBaseMs: number;
  private readonly maxMediaBytes: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private inflight: Promise<string> | null = null;

  constructor(private readonly opts: WecomApiClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.cache = opts.tokenCache ?? new MemoryTokenCache();
    this.cacheKey = tokenCacheKey(opts.corpId, opts.secret);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger.child({ mod: 'wecom-api' });
    this.backoffBaseMs = opts.backoffBaseMs ?? 200;
    this.maxMediaBytes = opts.maxMediaBytes ?? 30 * 1024 * 1024;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  // ---- token -----------------------------------------------------------------------------------

  /** A valid access_token: from the cache, else one shared gettoken request. */
  async getToken(): Promise<string> {
    if (this.inflight) return this.inflight;
    const cached = await this.cache.get(this.cacheKey);
    if (cached && cached.expiresAt > this.clock.now().getTime()) return cached.token;
    return this.inflight ?? this.startFetch();
  }

  /** Forget the cached token (e.g. after rotating the secret). */
  async invalidateToken(): Promise<void> {
    await this.cache.del(this.cacheKey);
  }

  /** After `bad` was rejected (40014/42001): a different valid token, refetching at most once
   *  across all concurrent callers that saw the same rejection. */
  private async refreshAfterInvalid(bad: string): Promise<string> {
    if (this.inflight) return this.inflight;
    const cur = await this.cache.get(this.cacheKey);
    if (this.inflight) return this.inflight;
    if (cur && cur.token !== bad && cur.expiresAt > this.clock.now().getTime()) return cur.token;
    return this.startFetch(true);
  }

  /** Synchronously installs the single in-flight fetch (callers check `inflight` first). */
  private startFetch(dropFirst = false): Promise<string> {
    const p = (async () => {
      if (dropFirst) await this.cache.del(this.cacheKey);
      const reply = await this.exec(
        '/cgi-bin/gettoken',
        { method: 'GET', query: { corpid: this.opts.corpId, corpsecret: this.opts.secret }, body: { kind: 'none' }, idempotent: true, auth: false },
      );
      const data = this.parse('/cgi-bin/gettoken', gettokenSchema, reply);
      const lifetimeMs = Math.max(0, data.expires_in) * 1000;
      // 5 min before expiry; for (test) lifetimes under 10 min use half the lifetime instead
      const margin = Math.min(TOKEN_MARGIN_MS, lifetimeMs / 2);
      const value: CachedToken = { token: data.access_token, expiresAt: this.clock.now().getTime() + lifetimeMs - margin };
      await this.cache.set(this.cacheKey, value);
      return value.token;
    })();
    this.inflight = p;
    const clear = () => {
      if (this.inflight === p) this.inflight = null;
    };
    p.then(clear, clear);
    return p;
  }

  // ---- generic call ----------------------------------------------------------------------------

  /**
   * Call any API path (`/cgi-bin/...`; the prefix may be omitted). POST with a JSON body by
   * default, GET when `body` is undefined and no method is given. Throws WecomApiError for any
   * errcode ≠ 0 after the retries described at the top of this file.
   */
  async call<T = Record<string, unknown>>(path: string, body?: unknown, options: CallOptions<T> = {}): Promise<T> {
    const p = normalizePath(path);
    const method = options.method ?? (body === undefined ? 'GET' : 'POST');
    const reply = await this.exec(p, {
      method,
      query: options.query ?? {},
      body: body === undefined ? { kind: 'none' } : { kind: 'json', value: body },
      idempotent: options.idempotent ?? (method === 'GET' || isIdempotentPath(p)),
      auth: true,
    });
    if (options.schema) return this.parse(p, options.schema, reply);
    if (reply.kind !== 'json') throw new WecomApiError(ERRCODE_BAD_RESPONSE, 'expected JSON', p, 'bad_response');
    return reply.value as T;
  }

  private parse<T>(path: string, schema: z.ZodType<T>, reply: RawReply): T {
    if (reply.kind !== 'json') throw new WecomApiError(ERRCODE_BAD_RESPONSE, 'expected JSON', path, 'bad_response');
    const r = schema.safeParse(reply.value);
    if (!r.success) {
      // issue paths and messages only: never the values (they may hold personal data)
      const what = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      this.log.warn({ path, errcode: ERRCODE_BAD_RESPONSE }, 'wecom api: unexpected response shape');
      throw new WecomApiError(ERRCODE_BAD_RESPONSE, `unexpected response: ${what}`, path, 'bad_response');
    }
    return r.data;
  }

  private backoff(retry: number): number {
    const base = this.backoffBaseMs * 2 ** retry;
    return Math.round(base * (0.75 + Math.random() * 0.5));
  }

  /** The retry loop shared by every request. */
  private async exec(path: string, o: ExecOptions): Promise<RawReply> {
    let tokenRefreshed = false;
    let busyRetries = 0;
    let netRetries = 0;
    for (let attempt = 1; ; attempt++) {
      const token = o.auth ? await this.getToken() : undefined;
      const started = performance.now();
      let reply: RawReply;
      try {
        reply = await this.once(path, o, token);
      } catch (e) {
        const err = e instanceof WecomApiError ? e : new WecomApiError(ERRCODE_NETWORK, 'network error', path, 'network');
        const ms = Math.round(performance.now() - started);
        if (err.errcode === ERRCODE_NETWORK && o.idempotent && netRetries < MAX_NETWORK_RETRIES) {
          const wait = this.backoff(netRetries++);
          this.log.warn({ path, errcode: err.errcode, code: err.code, ms, attempt, retryInMs: wait }, 'wecom api: network error, retrying');
          await this.sleep(wait);
          continue;
        }
        this.log.warn({ path, errcode: err.errcode, code: err.code, ms, attempt }, 'wecom api: failed');
        throw err;
      }
      const ms = Math.round(performance.now() - started);
      if (reply.kind === 'raw') {
        this.log.debug({ path, errcode: 0, ms, attempt, bytes: reply.media.buffer.length }, 'wecom api');
        return reply;
      }
      const errcodeRaw = reply.value.errcode ?? 0;
      const errcode = typeof errcodeRaw === 'number' ? errcodeRaw : Number(errcodeRaw);
      if (!Number.isFinite(errcode)) {
        this.log.warn({ path, errcode: ERRCODE_BAD_RESPONSE, ms, attempt }, 'wecom api: errcode is not a number');
        throw new WecomApiError(ERRCODE_BAD_RESPONSE, 'errcode is not a number', path, 'bad_response');
      }
      if (errcode === 0) {
        this.log.debug({ path, errcode, ms, attempt }, 'wecom api');
        return reply;
      }
      const errmsg = typeof reply.value.errmsg === 'string' ? reply.value.errmsg.slice(0, 300) : '';
      if (o.auth && token !== undefined && TOKEN_INVALID_ERRCODES.has(errcode) && !tokenRefreshed) {
        tokenRefreshed = true;
        this.log.info({ path, errcode, ms, attempt }, 'wecom api: token rejected, refreshing once');
        await this.refreshAfterInvalid(token);
        continue;
      }
      const busy = RATE_LIMIT_ERRCODES.has(errcode) || (errcode === SYSTEM_BUSY_ERRCODE && o.idempotent);
      if (busy && busyRetries < MAX_BUSY_RETRIES) {
        const wait = this.backoff(busyRetries++);
        this.log.warn({ path, errcode, ms, attempt, retryInMs: wait }, 'wecom api: busy, backing off');
        await this.sleep(wait);
        continue;
      }
      this.log.warn({ path, errcode, ms, attempt }, 'wecom api: error');
      throw new WecomApiError(errcode, errmsg, path);
    }
  }

  /** One HTTP exchange. Throws WecomApiError(-2, network|timeout) when no usable answer came. */
  private async once(path: string, o: ExecOptions, token: string | undefined): Promise<RawReply> {
    const url = new URL(this.baseUrl + path);
    if (token !== undefined) url.searchParams.set('access_token', token);
    for (const [k, v] of Object.entries(o.query)) if (v !== undefined) url.searchParams.set(k, String(v));

    const init: RequestInit = { method: o.method, signal: AbortSignal.timeout(this.opts.timeoutMs) };
    if (o.body.kind === 'json') {
      init.body = JSON.stringify(o.body.value);
      init.headers = { 'content-type': 'application/json; charset=utf-8' };
    } else if (o.body.kind === 'form') {
      init.body = o.body.make();
    }

    try {
      const res = await fetch(url, init);
      const type = (res.headers.get('content-type') ?? '').toLowerCase();
      if (!res.ok) {
        await res.body?.cancel().catch(() => {});
        // WeCom answers 200 even for errors; anything else is a proxy / outage
        throw new WecomApiError(ERRCODE_NETWORK, `HTTP ${res.status}`, path, 'network', res.status);
      }
      if (o.raw && !type.includes('json')) {
        const media = await this.readMedia(path, res, type);
        // error answers are JSON, sometimes labelled text/plain; a real text file is not an errcode object
        const err = type.startsWith('text/') ? errcodeObject(media.buffer) : undefined;
        return err ? { kind: 'json', value: err } : { kind: 'raw', media };
      }
      const text = await res.text();
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new WecomApiError(ERRCODE_BAD_RESPONSE, 'response is not JSON', path, 'bad_response', res.status);
      }
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw new WecomApiError(ERRCODE_BAD_RESPONSE, 'response is not a JSON object', path, 'bad_response');
      }
      return { kind: 'json', value: value as Record<string, unknown> };
    } catch (e) {
      if (e instanceof WecomApiError) throw e;
      const name = (e as { name?: string })?.name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        throw new WecomApiError(ERRCODE_NETWORK, `no answer within ${this.opts.timeoutMs} ms`, path, 'timeout');
      }
      const cause = (e as { cause?: { code?: string } })?.cause?.code;
      throw new WecomApiError(ERRCODE_NETWORK, cause ? `network error ${cause}` : 'network error', path, 'network');
    }
  }

  private async readMedia(path: string, res: Response, type: string): Promise<FetchedMedia> {
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (Number.isFinite(declared) && declared > this.maxMediaBytes) {
      await res.body?.cancel().catch(() => {});
      throw new WecomApiError(ERRCODE_BAD_RESPONSE, `media larger than ${this.maxMediaBytes} bytes`, path, 'bad_response');
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (size > this.maxMediaBytes) {
          throw new WecomApiError(ERRCODE_BAD_RESPONSE, `media larger than ${this.maxMediaBytes} bytes`, path, 'bad_response');
        }
        chunks.push(chunk);
      }
    }
    const filename = filenameFromDisposition(res.headers.get('content-disposition'));
    return {
      buffer: Buffer.concat(chunks),
      mime: type.split(';')[0].trim() || 'application/octet-stream',
      ...(filename ? { filename } : {}),
    };
  }

  // ---- typed methods ---------------------------------------------------------------------------

  /** kf/account/list, all pages (100 per page). */
  async listKfAccounts(): Promise<KfAccount[]> {
    const out: KfAccount[] = [];
    for (let offset = 0; ; offset += 100) {
      const r = await this.call('/cgi-bin/kf/account/list', { offset, limit: 100 }, { schema: accountListSchema, idempotent: true });
      out.push(...r.account_list);
      if (r.account_list.length < 100 || offset >= 10_000) return out;
    }
  }

  /** kf/sync_msg, one page. Persist `next_cursor` after each page; keep pulling while
   *  `has_more` (an empty `msg_list` does NOT mean done). */
  async syncMsg(req: SyncMsgRequest): Promise<SyncMsgResult> {
    const body: Record<string, unknown> = {};
    if (req.cursor) body.cursor = req.cursor;
    if (req.token) body.token = req.token;
    if (req.limit !== undefined) body.limit = Math.min(1000, Math.max(1, Math.trunc(req.limit)));
    if (req.voice_format !== undefined) body.voice_format = req.voice_format;
    if (req.open_kfid) body.open_kfid = req.open_kfid;
    const r = await this.call('/cgi-bin/kf/sync_msg', body, { schema: syncMsgSchema, idempotent: true });
    return r as SyncMsgResult;
  }

  /** kf/send_msg. Retried on network errors only when `msgid` is set (WeCom dedupes it). */
  async sendMsg(body: KfSendMsgBody): Promise<{ msgid: string }> {
    checkMsgid(body.msgid);
    return this.call('/cgi-bin/kf/send_msg', body, { schema: msgidSchema, idempotent: Boolean(body.msgid) });
  }

  /** kf/send_msg_on_event (welcome / queue / closing messages with a one-time code). */
  async sendMsgOnEvent(body: KfSendOnEventBody): Promise<{ msgid: string }> {
    checkMsgid(body.msgid);
    return this.call('/cgi-bin/kf/send_msg_on_event', body, { schema: msgidSchema, idempotent: Boolean(body.msgid) });
  }

  /** kf/service_state/get. `servicer_userid` is meaningful only for state 3. */
  async getServiceState(req: { open_kfid: string; external_userid: string }): Promise<{ service_state: KfServiceState; servicer_userid?: string }> {
    const r = await this.call('/cgi-bin/kf/service_state/get', req, { schema: serviceStateSchema, idempotent: true });
    return {
      service_state: r.service_state as KfServiceState,
      ...(r.servicer_userid ? { servicer_userid: r.servicer_userid } : {}),
    };
  }

  /** kf/service_state/trans. `servicer_userid` is required for state 3. Not retried on network errors. */
  async transServiceState(req: {
    open_kfid: string;
    external_userid: string;
    service_state: KfServiceState;
    servicer_userid?: string;
  }): Promise<{ msg_code?: string }> {
    const r = await this.call('/cgi-bin/kf/service_state/trans', req, { schema: transSchema, idempotent: false });
    return r.msg_code ? { msg_code: r.msg_code } : {};
  }

  /** kf/customer/batchget in chunks of 100 (ids deduplicated); invalid ids are skipped. */
  async batchGetCustomers(ids: readonly string[]): Promise<KfCustomer[]> {
    const unique = [...new Set(ids.filter(Boolean))];
    const out: KfCustomer[] = [];
    for (let i = 0; i < unique.length; i += 100) {
      const r = await this.call(
        '/cgi-bin/kf/customer/batchget',
        { external_userid_list: unique.slice(i, i + 100) },
        { schema: batchGetSchema, idempotent: true },
      );
      for (const c of r.customer_list) {
        out.push({
          external_userid: c.external_userid,
          ...(c.nickname !== undefined ? { nickname: c.nickname } : {}),
          ...(c.avatar ? { avatar: c.avatar } : {}),
          ...(c.gender !== undefined ? { gender: c.gender } : {}),
          ...(c.unionid ? { unionid: c.unionid } : {}),
        });
      }
    }
    return out;
  }

  /** media/upload (temporary media, 3 days) as multipart field `media`. Returns WeCom's media_id. */
  async uploadMedia(type: MediaType, buffer: Buffer | Uint8Array, filename: string, mime: string): Promise<string> {
    const path = '/cgi-bin/media/upload';
    const bytes = new Uint8Array(buffer); // a copy backed by a plain ArrayBuffer (BlobPart)
    const reply = await this.exec(path, {
      method: 'POST',
      query: { type },
      body: {
        kind: 'form',
        make: () => {
          const fd = new FormData();
          fd.append('media', new Blob([bytes], { type: mime || 'application/octet-stream' }), filename || 'file');
          return fd;
        },
      },
      idempotent: false,
      auth: true,
    });
    return this.parse(path, uploadSchema, reply).media_id;
  }

  /** media/get: the raw bytes (WeCom answers JSON with errcode on error; detected by content-type). */
  async getMedia(media_id: string): Promise<FetchedMedia> {
    const path = '/cgi-bin/media/get';
    const reply = await this.exec(path, {
      method: 'GET',
      query: { media_id },
      body: { kind: 'none' },
      idempotent: true,
      auth: true,
      raw: true,
    });
    if (reply.kind !== 'raw') {
      // a 200 JSON answer with errcode 0 is not media
      throw new WecomApiError(ERRCODE_BAD_RESPONSE, 'expected media bytes, got JSON', path, 'bad_response');
    }
    return reply.media;
  }
}

/** `buf` parsed as a JSON object carrying a numeric errcode, else undefined */
function errcodeObject(buf: Buffer): Record<string, unknown> | undefined {
  if (buf.length > 4096 || buf[0] !== 0x7b /* { */) return undefined;
  try {
    const v = JSON.parse(buf.toString('utf8')) as unknown;
    return v && typeof v === 'object' && typeof (v as { errcode?: unknown }).errcode === 'number' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function checkMsgid(msgid: string | undefined): void {
  if (msgid !== undefined && !MSGID_RE.test(msgid)) {
    throw new AppError(400, 'invalid_msgid', 'msgid must be 1–32 characters of [0-9a-zA-Z_-]');
  }
}

/** filename from `attachment; filename="a.jpg"` or RFC 5987 `filename*=UTF-8''%E5%9B%BE.jpg` */
export function filenameFromDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  const star = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (star) {
    try {
      return sanitizeFilename(decodeURIComponent(star[2].trim().replace(/^"|"$/g, '')));
    } catch {
      /* fall through to filename= */
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header);
  const v = plain?.[1] ?? plain?.[2]?.trim();
  return v ? sanitizeFilename(v) : undefined;
}

function sanitizeFilename(name: string): string | undefined {
  // strip any directory part and control characters
  // eslint-disable-next-line no-control-regex
  const base = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[\\/]/).pop()?.trim() ?? '';
  return base && base !== '.' && base !== '..' ? base.slice(0, 255) : undefined;
}
