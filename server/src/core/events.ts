import { EventEmitter } from 'node:events';
import type { Conversation, Handoff, InternalNote, Message } from './message.js';

/**
 * Domain events. The hub emits; modules (realtime gateway, channels, later bot/routing/
 * automation) listen. Listeners must not throw into the emitter: errors are logged.
 */
export type DomainEvents = {
  'message.created': { message: Message; conversation: Conversation };
  'message.updated': { message: Message; conversation: Conversation };
  'conversation.updated': { conversation: Conversation };
  /** the bot handed the conversation to humans (status bot → queued) */
  'conversation.handoff': { conversation: Conversation; handoff: Handoff };
  /** a conversation was given to an agent (routing, transfer, manual assignment) */
  'conversation.assigned': { conversation: Conversation; agent_id: string; reason: string | null };
  /** an agent wrote an internal note (agents only) */
  'note.created': { note: InternalNote };
  /** trainers published a knowledge version: bots retrain from it */
  'knowledge.published': { version: number };
  /** a topic surged (hot-word alert) or another knowledge alert for trainers */
  'knowledge.alert': { alert: { id: string; kind: string; topic: string; ratio: number; examples: string[]; created_at: string } };
};

export class EventBus {
  private readonly ee = new EventEmitter({ captureRejections: false });
  constructor(private readonly onError: (err: unknown, event: string) => void) {
    this.ee.setMaxListeners(100);
  }
  on<K extends keyof DomainEvents>(event: K, listener: (payload: DomainEvents[K]) => void | Promise<void>): () => void {
    const wrapped = (payload: DomainEvents[K]) => {
      try {
        const r = listener(payload);
        if (r && typeof (r as Promise<void>).catch === 'function') (r as Promise<void>).catch((e) => this.onError(e, event));
      } catch (e) {
        this.onError(e, event);
      }
    };
    this.ee.on(event, wrapped);
    return () => this.ee.off(event, wrapped);
  }
  emit<K extends keyof DomainEvents>(event: K, payload: DomainEvents[K]): void {
    this.ee.emit(event, payload);
  }
}
