/* The one internal message format is the server's own (server/src/core/message.ts): the web app
   imports it instead of keeping a copy. */
export {
  PRIORITY,
  previewOf,
  type Channel,
  type Conversation,
  type ConversationStatus,
  type Direction,
  type Handoff,
  type MediaRef,
  type MenuItem,
  type Message,
  type MessageContent,
  type MessageStatus,
  type MessageType,
  type SenderType,
} from '../../server/src/core/message';
import { PRIORITY, type Conversation, type Message } from '../../server/src/core/message';

export function isUrgent(c: Conversation): boolean {
  return (c.priority ?? 0) >= PRIORITY.urgent || c.handoff?.urgent === true;
}
export function isVip(c: Conversation): boolean {
  return (c.priority ?? 0) === PRIORITY.vip || (c.customer.tier ?? '').toUpperCase() === 'VIP';
}

export type User = { id: string; username: string; display_name: string; role: string };

export type ApiErrorBody = { error: { code: string; message: string }; message?: Message };
