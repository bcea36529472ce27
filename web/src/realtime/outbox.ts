import type { Message, MessageContent } from '../types';

/** A reply waiting to be confirmed by the server; its client_msg_id makes retries safe. */
export type OutboxItem = { client_msg_id: string; conversation_id: string; sender_id: string | null; content: MessageContent; created_at: string };

/** What one attempt gave: stored (sent or not yet), refused with a reason, or no connection. */
export type Attempt = { kind: 'stored'; message: Message } | { kind: 'failed'; message: Message } | { kind: 'offline' };
export type Post = (item: OutboxItem) => Promise<Attempt>;
export type Settled = { kind: 'stored' | 'failed'; message: Message };

/** The request body of POST /api/conversations/:id/messages for a content. */
export function postBody(content: MessageContent, client_msg_id: string): unknown {
  if (content.type === 'text') return { text: content.text, client_msg_id };
  if (content.type === 'image') return { content: { type: 'image', media: { media_id: content.media.media_id } }, client_msg_id };
  return { content, client_msg_id };
}

/** An outbox item as the bubble shown until the server's message replaces it. */
export function pendingMessage(i: OutboxItem): Message {
  return {
    id: `local-${i.client_msg_id}`,
    conversation_id: i.conversation_id,
    direction: 'out',
    sender_type: 'agent',
    sender_id: i.sender_id,
    content: i.content,
    status: 'pending',
    fail_code: null,
    fail_reason: null,
    client_msg_id: i.client_msg_id,
    created_at: i.created_at,
  };
}

/**
 * Replies typed without a connection (or whose answer was lost) wait here, in localStorage so a
 * reload keeps them, and are sent one at a time in the order typed when the connection is back.
 * Each keeps its client_msg_id across attempts: the server stores it once and answers a retry
 * with the message it already has, so a reply reaches the customer exactly once even when two
 * tabs flush the same outbox or a response was lost on the way.
 */
export class Outbox {
  private items: OutboxItem[];
  private flushing: Promise<void> | null = null;
  private again = false;
  private readonly subscribers = new Set<() => void>();
  private readonly settledListeners = new Set<(s: Settled) => void>();

  constructor(
    private readonly key: string,
    private readonly storage: Storage,
    private readonly post: Post,
  ) {
    this.items = this.read();
  }

  /** the waiting items, oldest first (a stable array between changes, for useSyncExternalStore) */
  readonly snapshot = (): readonly OutboxItem[] => this.items;

  readonly subscribe = (fn: () => void): (() => void) => {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  };

  onSettled(fn: (s: Settled) => void): () => void {
    this.settledListeners.add(fn);
    return () => this.settledListeners.delete(fn);
  }

  add(item: OutboxItem): void {
    this.set([...this.read(), item]);
    void this.flush();
  }

  /** another tab changed the stored outbox */
  reload(): void {
    this.items = this.read();
    this.notify();
  }

  /** Sends what waits, in order; stops at the first attempt without a connection. */
  flush(): Promise<void> {
    if (this.flushing) {
      // an item added while the last pass was ending must not wait for the next reconnect
      this.again = true;
      return this.flushing;
    }
    this.flushing = (async () => {
      do {
        this.again = false;
        await this.run();
      } while (this.again);
    })().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async run(): Promise<void> {
    for (;;) {
      const next = this.read()[0];
      if (!next) return;
      const r = await this.post(next);
      if (r.kind === 'offline') return;
      this.set(this.read().filter((i) => i.client_msg_id !== next.client_msg_id));
      for (const fn of this.settledListeners) fn(r);
    }
  }

  private read(): OutboxItem[] {
    try {
      const v = JSON.parse(this.storage.getItem(this.key) ?? '[]') as unknown;
      return Array.isArray(v) ? (v as OutboxItem[]) : [];
    } catch {
      return [];
    }
  }

  private set(items: OutboxItem[]): void {
    if (items.length) this.storage.setItem(this.key, JSON.stringify(items));
    else this.storage.removeItem(this.key);
    this.items = items;
    this.notify();
  }

  private notify(): void {
    for (const fn of this.subscribers) fn();
  }
}
