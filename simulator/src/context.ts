import type { FastifyRequest } from 'fastify';
import type { WecomCrypto } from '@kefu/server/wecom-crypto';
import type { z } from 'zod';
import type { CallbackDispatcher } from './callbacks.js';
import type { SimClock } from './clock.js';
import type { SimConfig } from './config.js';
import { ControlError, ERR, WecomApiError } from './errors.js';
import type { KfService } from './kf.js';
import type { SimState } from './state.js';

export interface SimContext {
  config: SimConfig;
  state: SimState;
  clock: SimClock;
  crypto: WecomCrypto;
  callbacks: CallbackDispatcher;
  kf: KfService;
  /** Mutable at runtime through POST /sim/callback-url. */
  callbackUrl: string;
}

/** Marker produced by the lenient body parser when the body is not JSON. */
export class InvalidJson {
  constructor(readonly message: string) {}
}

function rawBody(req: FastifyRequest): unknown {
  return req.body ?? {};
}

/** A /cgi-bin JSON body: non-JSON → 47001, WeCom style. */
export function cgiBody(req: FastifyRequest): Record<string, unknown> {
  const b = rawBody(req);
  if (b instanceof InvalidJson) throw new WecomApiError(ERR.INVALID_JSON, b.message);
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new WecomApiError(ERR.INVALID_JSON, 'body must be a JSON object');
  return b as Record<string, unknown>;
}

export function cgiParse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new WecomApiError(ERR.INVALID_PARAMETER, `${i.path.join('.') || 'body'}: ${i.message}`);
  }
  return r.data;
}

/** A /sim control input: invalid → HTTP 400 `{error:{code,message}}`. */
export function simParse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  if (value instanceof InvalidJson) throw new ControlError(400, 'invalid_json', value.message);
  const r = schema.safeParse(value ?? {});
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    throw new ControlError(400, 'invalid_request', msg);
  }
  return r.data;
}
