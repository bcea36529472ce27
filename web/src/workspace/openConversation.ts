/**
 * Opening a conversation from outside the workspace (a notification click, the header): the
 * workspace may not be mounted yet, so the request waits here until it is.
 */
const EVENT = 'kefu:open-conversation';
let pending: string | null = null;

export function requestOpen(id: string): void {
  pending = id;
  window.dispatchEvent(new Event(EVENT));
}

/** Calls `open` with a pending request now and with every later one; returns the unsubscribe. */
export function onOpenRequest(open: (id: string) => void): () => void {
  const take = () => {
    if (!pending) return;
    const id = pending;
    pending = null;
    open(id);
  };
  take();
  window.addEventListener(EVENT, take);
  return () => window.removeEventListener(EVENT, take);
}
