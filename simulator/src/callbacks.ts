/** Encrypted kf_msg_or_event callbacks to the configured URL, with WeCom-like retries. */
import { randomInt } from 'node:crypto';
import { WecomCrypto } from '@kefu/server/wecom-crypto';
import { buildXml } from '@kefu/server/wecom-xml';
import type { SimClock } from './clock.js';
import { newSyncToken } from './ids.js';
import type { CallbackDelivery, SimState } from './state.js';

/** The sync_msg token from a callback is valid 10 minutes (fact sheet C3). */
export const SYNC_TOKEN_TTL_S = 600;

export interface DispatcherOptions {
  corpId: string;
  crypto: WecomCrypto;
  getUrl: () => string;
  retryDelaysMs: number[];
  timeoutMs: number;
}

export class CallbackDispatcher {
  private timers = new Set<NodeJS.Timeout>();
  private inflight = new Set<Promise<void>>();
  private closed = false;
  private nextId = 1;

  constructor(
    private readonly state: SimState,
    private readonly clock: SimClock,
    private readonly opts: DispatcherOptions,
  ) {}

  /** Issue a sync token for `open_kfid` and POST the signal (plus `duplicate` identical re-sends). */
  notify(open_kfid: string, duplicate = 0): CallbackDelivery | undefined {
    const url = this.opts.getUrl();
    if (!url || this.closed) return undefined;
    const token = newSyncToken();
    this.state.syncTokens.set(token, { token, open_kfid, expires_at: this.clock.now() + SYNC_TOKEN_TTL_S });
    const createTime = this.clock.now();
    const inner = buildXml({
      ToUserName: this.opts.corpId,
      CreateTime: createTime,
      MsgType: 'event',
      Event: 'kf_msg_or_event',
      Token: token,
      OpenKfId: open_kfid,
    });
    // Transport timestamp: wall clock, so that the receiver's freshness check passes even when the
    // simulator clock was moved forward (see errors.ts, "Other simulator choices").
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(randomInt(100000000, 2147483647));
    const { encrypt, msg_signature } = this.opts.crypto.encryptCallback(inner, timestamp, nonce);
    const body = buildXml({ ToUserName: this.opts.corpId, Encrypt: encrypt, AgentID: '' });
    const target = `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams({ msg_signature, timestamp, nonce })}`;
    const first = this.start(url, target, body, open_kfid, token, createTime);
    for (let i = 0; i < duplicate; i++) this.start(url, target, body, open_kfid, token, createTime, first.id);
    return first;
  }

  private start(url: string, target: string, body: string, open_kfid: string, token: string, create_time: number, duplicate_of?: number) {
    const delivery: CallbackDelivery = { id: this.nextId++, url, open_kfid, token, create_time, status: 'pending', attempts: [] };
    if (duplicate_of !== undefined) delivery.duplicate_of = duplicate_of;
    this.state.callbacks.push(delivery);
    this.track(this.attempt(delivery, target, body, 0));
    return delivery;
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  private async attempt(d: CallbackDelivery, target: string, body: string, retry: number): Promise<void> {
    if (this.closed) return;
    const started = Date.now();
    let status: number | null = null;
    let error: string | undefined;
    try {
      const res = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = (e as Error).name === 'TimeoutError' ? 'timeout' : ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    }
    d.attempts.push({ at: new Date(started).toISOString(), sim_time: this.clock.now(), status, ...(error ? { error } : {}), duration_ms: Date.now() - started });
    // Only HTTP 200 counts as received.
    if (status === 200) {
      d.status = 'delivered';
      return;
    }
    if (retry >= this.opts.retryDelaysMs.length || this.closed) {
      d.status = 'failed';
      return;
    }
    const delay = this.opts.retryDelaysMs[retry];
    const p = new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.attempt(d, target, body, retry + 1).then(resolve, resolve);
      }, delay);
      this.timers.add(t);
    });
    this.track(p);
  }

  /** Resolves once no delivery is pending (including scheduled retries). */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const d of this.state.callbacks) if (d.status === 'pending') d.status = 'failed';
  }

  /** Like the admin console's "save" button: GET the URL with an encrypted echostr. */
  async verifyUrl(): Promise<{ ok: boolean; status: number | null; body: string; expected: string; error?: string }> {
    const url = this.opts.getUrl();
    const expected = String(randomInt(1, 2 ** 47)) + String(randomInt(100000, 999999));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = String(randomInt(100000000, 2147483647));
    const { encrypt, msg_signature } = this.opts.crypto.encryptCallback(expected, timestamp, nonce);
    const target = `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams({ msg_signature, timestamp, nonce, echostr: encrypt })}`;
    try {
      const res = await fetch(target, { signal: AbortSignal.timeout(this.opts.timeoutMs) });
      const body = await res.text();
      return { ok: res.status === 200 && body === expected, status: res.status, body, expected };
    } catch (e) {
      return { ok: false, status: null, body: '', expected, error: (e as Error).message };
    }
  }
}
