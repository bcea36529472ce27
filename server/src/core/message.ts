/**
 * The one internal message format. Every channel maps its wire format onto these shapes,
 * and the hub, the workspace and the web UI only ever see these.
 */
export type MediaRef = {
  /** kefu's own media id (GET /api/media/:id); absent while the fetch failed */
  media_id?: string;
  mime?: string;
  size?: number;
  filename?: string;
  /** set when the channel's media could not be fetched */
  error?: string;
};

export type MenuItem =
  | { type: 'click'; id: string; content: string }
  | { type: 'view'; url: string; content: string }
  | { type: 'miniprogram'; appid: string; pagepath: string; content: string };

export type MessageContent =
  | { type: 'text'; text: string; menu_id?: string }
  | { type: 'image'; media: MediaRef }
  | { type: 'voice'; media: MediaRef }
  | { type: 'video'; media: MediaRef }
  | { type: 'file'; media: MediaRef }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string }
  | { type: 'link'; title: string; desc?: string; url: string; pic_url?: string; thumb?: MediaRef }
  | { type: 'business_card'; userid: string }
  | { type: 'miniprogram'; title: string; appid: string; pagepath: string; thumb?: MediaRef }
  | { type: 'menu'; head?: string; items: MenuItem[]; tail?: string }
  | { type: 'event'; event: string; data: Record<string, unknown> };

export type MessageType = MessageContent['type'];

export type Channel = 'wecom_kf' | 'web';

export type Direction = 'in' | 'out' | 'system';
export type SenderType = 'customer' | 'agent' | 'bot' | 'system' | 'servicer';
/** in: received; out: pending → sent | failed */
export type MessageStatus = 'received' | 'pending' | 'sent' | 'failed';

export type Message = {
  id: string;
  conversation_id: string;
  direction: Direction;
  sender_type: SenderType;
  sender_id: string | null;
  content: MessageContent;
  status: MessageStatus;
  /** machine-readable failure code (e.g. wecom_95001, window_closed) */
  fail_code: string | null;
  /** human-readable failure reason shown to the agent */
  fail_reason: string | null;
  client_msg_id: string | null;
  created_at: string;
};

export type ConversationStatus = 'bot' | 'queued' | 'assigned' | 'closed';

/** Conversation priority: the queue serves higher first; the agent page marks urgent in red. */
export const PRIORITY = { normal: 0, vip: 1, urgent: 2 } as const;

/** What the bot hands over to a human. */
export type Handoff = {
  /** machine-readable trigger: explicit_request, repeated_question, negative_sentiment, unanswered, vip, keyword, intent, bot_off */
  reason: string;
  /** human-readable reason shown to the agent, e.g. 客户连续 3 次询问同一问题 */
  reason_text: string;
  /** a few lines summarising the conversation so far */
  summary: string;
  /**
   * the bot's best guess of what the customer wants, with the intent's knowledge-base category
   * and the agent skill it needs (both as published when the bot handed over; routing reads them)
   */
  intent: { id: string; name: string; confidence: number; category?: string | null; skill?: string | null } | null;
  urgent: boolean;
  at: string;
};

export type Conversation = {
  id: string;
  customer_id: string;
  channel: Channel;
  /** open_kfid for wecom_kf, 'web' for the widget */
  channel_account: string;
  status: ConversationStatus;
  assignee_id: string | null;
  /** WeCom kf service_state mirror (0–4), null for other channels */
  service_state: number | null;
  last_message_at: string;
  last_message_preview: string | null;
  unread_count: number;
  created_at: string;
  closed_at: string | null;
  priority: number;
  handoff: Handoff | null;
  customer: { id: string; display_name: string; avatar_url: string | null; tier: string };
};

/** An agent's internal note on a conversation: visible to agents only, never sent to the customer. */
export type InternalNote = {
  id: string;
  conversation_id: string;
  author: { id: string; name: string };
  text: string;
  created_at: string;
};

/** One line of text that stands for a message in lists and logs (never the full body). */
export function previewOf(c: MessageContent): string {
  switch (c.type) {
    case 'text': return c.text.slice(0, 80);
    case 'image': return '[图片]';
    case 'voice': return '[语音]';
    case 'video': return '[视频]';
    case 'file': return `[文件] ${c.media.filename ?? ''}`.trim();
    case 'location': return `[位置] ${c.name ?? ''}`.trim();
    case 'link': return `[链接] ${c.title}`;
    case 'business_card': return '[名片]';
    case 'miniprogram': return `[小程序] ${c.title}`;
    case 'menu': return `[菜单] ${c.head ?? ''}`.trim();
    case 'event': return `[事件] ${c.event}`;
  }
}
