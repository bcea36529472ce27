/**
 * WeCom internal app message (`POST /cgi-bin/message/send`, fact sheet §D8) to an employee:
 * how SLA warnings and escalations reach managers on their phones.
 *
 * - The token comes from gettoken with the *agent's* secret (WECOM_AGENT_SECRET), a separate
 *   app from the kf one, so it is a separate WecomApiClient (token cache keyed by secret).
 * - message/send is not idempotent, and our service retries. We ask WeCom to drop duplicates
 *   (`enable_duplicate_check`, same content to the same user within the interval), so a retry
 *   after a lost answer does not ping the manager twice.
 * - `text.content` is limited to 2048 bytes: longer texts are cut on a character boundary.
 * - 81013 (every recipient invalid) or a non-empty `invaliduser` is permanent: no retries.
 */
import { WecomApiClient, WecomApiError } from '../../channels/wecom/api-client.js';
import type { Logger } from '../../core/logger.js';
import { ChannelError, type ChannelMessage, type ChannelResult, type NotificationChannel, type Recipient } from '../types.js';

export type MessageSendClient = Pick<WecomApiClient, 'call'>;

export type WecomAppChannelOptions = {
  client: MessageSendClient;
  agentId: number;
  /** seconds within which WeCom drops an identical message (max 14400); 0 disables */
  duplicateCheckSeconds?: number;
};

const MAX_CONTENT_BYTES = 2048;

export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const ellipsis = '…';
  let out = '';
  let bytes = Buffer.byteLength(ellipsis);
  for (const ch of text) {
    const b = Buffer.byteLength(ch);
    if (bytes + b > maxBytes) break;
    out += ch;
    bytes += b;
  }
  return out + ellipsis;
}

type SendReply = { errcode?: number; errmsg?: string; invaliduser?: string; msgid?: string };

export class WecomAppChannel implements NotificationChannel {
  readonly name = 'wecom' as const;
  constructor(private readonly o: WecomAppChannelOptions) {}

  address(r: Recipient): string | undefined {
    return r.wecomUserId || undefined;
  }

  /** WeCom UserIDs are internal employee ids, not personal data: kept readable. */
  mask(address: string): string {
    return address;
  }

  async send(msg: ChannelMessage): Promise<ChannelResult> {
    const dup = this.o.duplicateCheckSeconds ?? 1800;
    const body = {
      touser: msg.to,
      msgtype: 'text',
      agentid: this.o.agentId,
      text: { content: truncateUtf8(`${msg.subject}\n${msg.text}`, MAX_CONTENT_BYTES) },
      ...(dup > 0 ? { enable_duplicate_check: 1, duplicate_check_interval: Math.min(dup, 14_400) } : {}),
    };
    let reply: SendReply;
    try {
      reply = await this.o.client.call<SendReply>('/cgi-bin/message/send', body, { idempotent: false });
    } catch (e) {
      if (e instanceof WecomApiError) throw new ChannelError(e.message, !e.retryable, `wecom_${e.errcode}`);
      throw e;
    }
    const invalid = (reply.invaliduser ?? '').split('|').filter(Boolean);
    if (invalid.includes(msg.to)) throw new ChannelError('WeCom: recipient is not a valid member of the app', true, 'wecom_invaliduser');
    return reply.msgid ? { ref: reply.msgid } : {};
  }
}

/** A WeCom client for the internal alert app (agent secret; not the kf secret). */
export function createAgentClient(o: { baseUrl: string; corpId: string; agentSecret: string; timeoutMs: number; logger: Logger }): WecomApiClient {
  return new WecomApiClient({ baseUrl: o.baseUrl, corpId: o.corpId, secret: o.agentSecret, timeoutMs: o.timeoutMs, logger: o.logger });
}
