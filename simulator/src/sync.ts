/** sync_msg paging over the corp-wide log, with the test knobs (empty pages, a page delivered twice). */
import type { SimClock } from './clock.js';
import { ERR, WecomApiError } from './errors.js';
import { toWire, type SimState } from './state.js';

export interface SyncRequest {
  cursor?: string;
  token?: string;
  limit?: number;
  open_kfid?: string;
}

export interface SyncResponse {
  next_cursor: string;
  has_more: 0 | 1;
  msg_list: Record<string, unknown>[];
}

/** Opaque cursor: base64url of `v1:<last seq delivered>`. */
export function encodeCursor(seq: number): string {
  return Buffer.from(`v1:${seq}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const m = /^v1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  // Assumption: an unreadable cursor is answered with 40058 (invalid parameter).
  if (!m) throw new WecomApiError(ERR.INVALID_PARAMETER, 'invalid cursor');
  return Number(m[1]);
}

export function syncMsg(state: SimState, clock: SimClock, pageSize: number, req: SyncRequest): SyncResponse {
  if (req.token !== undefined) {
    const t = state.syncTokens.get(req.token);
    // Assumption: unknown / expired token, or one issued for another open_kfid → 95007.
    if (!t || clock.now() > t.expires_at) throw new WecomApiError(ERR.INVALID_MSG_TOKEN, !t ? 'unknown token' : 'token expired');
    if (req.open_kfid !== undefined && req.open_kfid !== t.open_kfid) throw new WecomApiError(ERR.INVALID_MSG_TOKEN, 'token belongs to another open_kfid');
  }
  if (req.open_kfid !== undefined && !state.account(req.open_kfid)) throw new WecomApiError(ERR.OPEN_KFID_NOT_FOUND, req.open_kfid);
  const pos = decodeCursor(req.cursor);

  if (state.sync.emptyPages > 0) {
    state.sync.emptyPages -= 1;
    return { next_cursor: encodeCursor(pos), has_more: 1, msg_list: [] };
  }

  const size = Math.min(req.limit ?? 1000, pageSize);
  // the log is in seq order: find the first entry after the cursor, then read one page (+1 to know has_more)
  let lo = 0;
  let hi = state.log.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (state.log[mid]!.seq > pos) hi = mid;
    else lo = mid + 1;
  }
  const pending: typeof state.log = [];
  for (let i = lo; i < state.log.length && pending.length <= size; i++) {
    const item = state.log[i]!;
    if (req.open_kfid === undefined || item.open_kfid === req.open_kfid) pending.push(item);
  }
  const page = pending.slice(0, size);
  const msg_list = page.map(toWire);

  if (state.sync.duplicateNextPage && page.length > 0) {
    // Deliver this page now and again on the next call: the cursor does not advance.
    state.sync.duplicateNextPage = false;
    return { next_cursor: encodeCursor(pos), has_more: 1, msg_list };
  }
  const next = page.length > 0 ? page[page.length - 1].seq : pos;
  return { next_cursor: encodeCursor(next), has_more: pending.length > page.length ? 1 : 0, msg_list };
}
