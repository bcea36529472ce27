import { useEffect, useState } from 'react';
import type { Message } from '../types';
import type { LiveEvents } from './types';

/** How long one typing signal keeps the indicator on (the widget repeats it every 2 s while typing). */
const SHOW_MS = 4000;

/**
 * Whether the customer of the conversation is typing: 'conversation.typing' from the widget
 * shows it; the customer's message (or silence) hides it.
 */
export function useTyping(socket: LiveEvents, conversationId: string | null): boolean {
  const [until, setUntil] = useState(0);
  const [, setTick] = useState(0);
  useEffect(() => {
    setUntil(0);
    if (!conversationId) return;
    const onTyping = (p: { conversation_id: string }) => {
      if (p.conversation_id === conversationId) setUntil(Date.now() + SHOW_MS);
    };
    const onMessage = (p: { message: Message }) => {
      if (p.message.conversation_id === conversationId && p.message.direction === 'in') setUntil(0);
    };
    socket.on('conversation.typing', onTyping);
    socket.on('message.created', onMessage);
    return () => {
      socket.off('conversation.typing', onTyping);
      socket.off('message.created', onMessage);
    };
  }, [socket, conversationId]);
  // re-render once the signal expires
  useEffect(() => {
    const left = until - Date.now();
    if (left <= 0) return;
    const h = setTimeout(() => setTick((x) => x + 1), left + 10);
    return () => clearTimeout(h);
  }, [until]);
  return until > Date.now();
}
