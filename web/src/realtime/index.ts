import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { Socket } from 'socket.io-client';
import { api, ApiError } from '../api';
import type { ApiErrorBody, Message } from '../types';
import { RealtimeClient, type EventsPage } from './client';
import { Outbox, pendingMessage, postBody, type Attempt, type OutboxItem } from './outbox';

export { RealtimeClient } from './client';
export { Outbox, pendingMessage, type OutboxItem, type Settled } from './outbox';

const fetchEvents = (stream: string, after: number) => api<EventsPage>(`/api/realtime/events?stream=${encodeURIComponent(stream)}&after=${after}`);

/**
 * Answers that mean "try again once connected": no network, kefu unreachable behind the load
 * balancer, or the login expired (the outbox sends after the next login). Anything else is the
 * server's verdict on this message and is shown as its failure.
 */
const RETRY_LATER = new Set([0, 401, 502, 503, 504]);

async function post(item: OutboxItem): Promise<Attempt> {
  try {
    const r = await api<{ message: Message }>(`/api/conversations/${encodeURIComponent(item.conversation_id)}/messages`, { body: postBody(item.content, item.client_msg_id) });
    return { kind: 'stored', message: r.message };
  } catch (e) {
    if (!(e instanceof ApiError) || RETRY_LATER.has(e.status)) return { kind: 'offline' };
    const stored = (e.body as ApiErrorBody | null)?.message;
    return { kind: 'failed', message: stored ?? { ...pendingMessage(item), status: 'failed', fail_code: e.code, fail_reason: e.message } };
  }
}

/**
 * The session's real-time client (numbered events with gap-fill) and outbox on the shell's
 * socket. The outbox is per user, flushed on every (re)connect and when the browser is online.
 */
export function useRealtime(socket: Socket, userId: string): { realtime: RealtimeClient; outbox: Outbox } {
  const realtime = useMemo(() => new RealtimeClient(socket, fetchEvents), [socket]);
  const key = `kefu_outbox:${userId}`;
  const outbox = useMemo(() => new Outbox(key, localStorage, post), [key]);
  useEffect(() => realtime.start(), [realtime]);
  useEffect(() => {
    const flush = () => void outbox.flush();
    const onStorage = (e: StorageEvent) => {
      if (e.key === key) outbox.reload();
    };
    socket.on('connect', flush);
    window.addEventListener('online', flush);
    window.addEventListener('storage', onStorage);
    // replies left from an earlier visit
    if (socket.connected) flush();
    return () => {
      socket.off('connect', flush);
      window.removeEventListener('online', flush);
      window.removeEventListener('storage', onStorage);
    };
  }, [socket, outbox, key]);
  return { realtime, outbox };
}

/** The outbox's waiting replies (re-renders when they change). */
export function useOutboxItems(outbox: Outbox): readonly OutboxItem[] {
  return useSyncExternalStore(outbox.subscribe, outbox.snapshot);
}
