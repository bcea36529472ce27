/**
 * Every errcode / errmsg the simulator returns, in one place.
 *
 * Tags: [C] confirmed in the fact sheet (official doc or WxJava copy of the global error table),
 * [S] SDK source / real payloads, [A] an ASSUMPTION made by the simulator because the real value
 * is unconfirmed — kefu must treat these as "some non-zero errcode" and not depend on the number.
 */
export const ERR = {
  OK: { errcode: 0, errmsg: 'ok' },
  SYSTEM_BUSY: { errcode: -1, errmsg: 'system busy' }, // [C]
  INVALID_SECRET: { errcode: 40001, errmsg: 'invalid credential, access_token is invalid or not latest' }, // [C] wrong corpsecret
  INVALID_MEDIA_ID: { errcode: 40007, errmsg: 'invalid media_id' }, // [C] unknown / expired media_id
  INVALID_MSGTYPE: { errcode: 40008, errmsg: 'invalid message type' }, // [C] msgtype not allowed here
  INVALID_CORPID: { errcode: 40013, errmsg: 'invalid corpid' }, // [C]
  INVALID_AGENTID: { errcode: 40056, errmsg: 'invalid agentid' }, // [C] message/send with another app's agentid
  API_FORBIDDEN: { errcode: 48002, errmsg: 'api forbidden' }, // [C] a token of the wrong app (kf token on message/send and vice versa)
  ALL_RECIPIENTS_INVALID: { errcode: 81013, errmsg: 'user & party & tag all invalid' }, // [C]
  INVALID_ACCESS_TOKEN: { errcode: 40014, errmsg: 'invalid access_token' }, // [C]
  INVALID_PARAMETER: { errcode: 40058, errmsg: 'invalid Request Parameter' }, // [C] any failed field validation
  INVALID_EXTERNAL_USERID: { errcode: 40096, errmsg: 'invalid external userid' }, // [C] unknown touser
  MISSING_ACCESS_TOKEN: { errcode: 41001, errmsg: 'access_token missing' }, // [C]
  ACCESS_TOKEN_EXPIRED: { errcode: 42001, errmsg: 'access_token expired' }, // [C]
  CONTENT_TOO_LONG: { errcode: 45002, errmsg: 'content size out of limit' }, // [C] e.g. text > 2048 bytes
  INVALID_JSON: { errcode: 47001, errmsg: 'data format error' }, // [C] body is not JSON
  USERID_NOT_FOUND: { errcode: 60111, errmsg: 'userid not found' }, // [C] unknown servicer_userid
  REPLY_LIMIT_EXCEEDED: { errcode: 95001, errmsg: 'send msg count limit exceeded' }, // [S] 6th message within 48 h
  REPLY_WINDOW_CLOSED: { errcode: 95002, errmsg: 'send msg time limit exceeded' }, // [A] 48 h passed / customer never wrote
  DUPLICATE_MSGID: { errcode: 95003, errmsg: 'duplicate msgid' }, // [A] msgid reused within the account
  OPEN_KFID_NOT_FOUND: { errcode: 95004, errmsg: 'open_kfid not exist' }, // [S]
  INVALID_MSG_TOKEN: { errcode: 95007, errmsg: 'invalid msg token' }, // [A] sync_msg token unknown / expired / other open_kfid
  INVALID_EVENT_CODE: { errcode: 95007, errmsg: 'invalid msg code' }, // [A] send_msg_on_event code unknown / used / expired / state moved on
  STATE_TRANSITION_NOT_ALLOWED: { errcode: 95016, errmsg: 'service state transition not allowed' }, // [A]
  SESSION_STATE_INVALID: { errcode: 95018, errmsg: 'send msg session status invalid' }, // [S] send_msg outside state 0/1
} as const;

export type ErrEntry = (typeof ERR)[keyof typeof ERR];

/** A WeCom-style JSON error body (HTTP status stays 200, like WeCom). */
export function wecomError(e: ErrEntry, detail?: string): { errcode: number; errmsg: string } {
  return { errcode: e.errcode, errmsg: detail ? `${e.errmsg}, hint: ${detail}` : e.errmsg };
}

/** Thrown inside /cgi-bin handlers; the error handler turns it into `{errcode, errmsg}` with HTTP 200. */
export class WecomApiError extends Error {
  constructor(
    readonly entry: ErrEntry,
    readonly detail?: string,
  ) {
    super(`${entry.errcode} ${entry.errmsg}${detail ? `: ${detail}` : ''}`);
  }
}

/** Thrown inside /sim control handlers; becomes HTTP `status` with `{error:{code,message}}`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Other simulator choices (documented assumptions, not errcodes):
 * - enter_session welcome_code and the session-end msg_code are valid 20 s and once; the codes from
 *   entering state 2/3 are valid 48 h and once, and only while the session is still in that state.
 * - The callback query `timestamp` uses the real wall clock (receivers check freshness against their own
 *   clock); CreateTime, send_time and every window/expiry use the simulator clock.
 * - send_msg to a customer who never wrote to that open_kfid → 95002 (no open window).
 */
