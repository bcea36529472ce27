import type { Conversation } from '../types';
import type { ListFilters, View } from './types';

/** The list request of a tab with its filters (the server applies them; search covers message text). */
export function listUrl(view: View, f: ListFilters): string {
  const p = new URLSearchParams({ view });
  if (f.channel) p.set('channel', f.channel);
  if (f.tier) p.set('tier', f.tier);
  if (f.q?.trim()) p.set('q', f.q.trim());
  return `/api/conversations?${p}`;
}

/**
 * Whether a conversation that changed live belongs in the tab (the server's rule, see
 * server/src/workspace/views.ts). A search keeps only name/preview matches: message text
 * matches come from the next server query.
 */
export function inView(c: Conversation, view: View, me: string | undefined, team: ReadonlySet<string>, f: ListFilters): boolean {
  if (c.status === 'closed') return false;
  const ok =
    view === 'all' ||
    (view === 'queue' && c.status === 'queued') ||
    (view === 'mine' && c.status === 'assigned' && c.assignee_id === me) ||
    (view === 'team' && (c.status === 'queued' || (c.status === 'assigned' && !!c.assignee_id && team.has(c.assignee_id))));
  if (!ok) return false;
  if (f.channel && c.channel !== f.channel) return false;
  if (f.tier && c.customer.tier !== f.tier) return false;
  const q = f.q?.trim().toLowerCase();
  return !q || c.customer.display_name.toLowerCase().includes(q) || (c.last_message_preview ?? '').toLowerCase().includes(q);
}

/** Since when the customer has been waiting: in the queue since the hand-off, or with unread messages since the last one. */
export function waitingSince(c: Conversation): string | null {
  if (c.status === 'queued') return c.handoff?.at ?? c.created_at;
  if (c.status === 'assigned' && c.unread_count > 0) return c.last_message_at;
  return null;
}
