import type { Conversation, Message } from './message.js';

/** What a channel answers when the hub hands it an outbound message. */
export type SendResult =
  | { ok: true; channel_msg_id?: string }
  | { ok: false; code: string; reason: string; retryable?: boolean };

export type OutboundContext = {
  conversation: Conversation;
  /** the customer's id on this channel (external_userid, visitor id) */
  external_id: string;
  message: Message;
  /** leave at least this many messages of the channel's reply allowance unused */
  keep_reply_slots?: number;
};

/**
 * A channel adapter delivers outbound messages under its own rules. Channels know nothing
 * of the bot or routing; the hub knows nothing of a channel's wire format.
 */
export interface ChannelAdapter {
  readonly channel: Conversation['channel'];
  send(ctx: OutboundContext): Promise<SendResult>;
  /** called after kefu closes a conversation (e.g. WeCom service_state → 4) */
  onClosed?(ctx: Omit<OutboundContext, 'message'>): Promise<void>;
  /**
   * Delivers a message to the customer of a closed conversation (the satisfaction survey after
   * 结束会话). WeCom allows one, through the session-end code, for 20 seconds; without this
   * method the hub uses `send`.
   */
  sendAfterClose?(ctx: OutboundContext): Promise<SendResult>;
  /** messages kefu may still send this customer now; absent or null = no limit */
  replyBudget?(ctx: Omit<OutboundContext, 'message'>): Promise<number | null>;
}
