import { z } from 'zod';
import { forbidden } from '../core/errors.js';
import type { ConversationFilter } from '../hub/repo.js';

/**
 * The workspace's tabs: mine (assigned to me), queue (waiting for an agent), team (my team's
 * conversations and the queue it serves), all (every open conversation; supervisors and admins).
 */
export const VIEWS = ['mine', 'queue', 'team', 'all'] as const;
export type View = (typeof VIEWS)[number];
export const MANAGER_ROLES = new Set(['admin', 'supervisor']);

export const listFilterQuery = {
  channel: z.enum(['wecom_kf', 'web']).optional(),
  tier: z.string().min(1).max(16).optional(),
  q: z.string().trim().max(100).optional().describe('customer name or message text'),
};

/** The agents of a user's team (the user included); the user alone without a team. */
export type TeamOf = (userId: string) => Promise<string[]>;

export function viewsFor(role: string): readonly View[] {
  return MANAGER_ROLES.has(role) ? VIEWS : VIEWS.filter((v) => v !== 'all');
}

/** A tab (plus channel/tier/search) as a conversation filter; 403 for a tab the role may not see. */
export async function filterOf(
  view: View | undefined,
  user: { id: string; role: string },
  teamOf: TeamOf,
  extra: { channel?: string; tier?: string; q?: string },
): Promise<ConversationFilter> {
  const base: ConversationFilter = { scope: 'open', channel: extra.channel, tier: extra.tier, q: extra.q || undefined };
  switch (view) {
    case undefined:
      return base;
    case 'mine':
      return { ...base, assignees: [user.id] };
    case 'queue':
      return { ...base, statuses: ['queued'] };
    case 'team':
      return { ...base, assignees: await teamOf(user.id), orQueued: true };
    case 'all':
      if (!MANAGER_ROLES.has(user.role)) throw forbidden('只有主管或管理员可以查看全部会话');
      return base;
  }
}

/** The team tab's agents from routing's agent list (routing owns teams). */
export async function teamMates(agents: () => Promise<{ user_id: string; team: string | null }[]>, userId: string): Promise<string[]> {
  const all = await agents();
  const team = all.find((a) => a.user_id === userId)?.team;
  return team ? all.filter((a) => a.team === team).map((a) => a.user_id) : [userId];
}

/**
 * A short-lived memo: every agent client asks for its tab counts after the same event, so
 * hundreds of identical queries (queue, all, one team's) collapse into one per `ttlMs`. The
 * clients ask a while after the event (web: 500 ms) and `ttlMs` is shorter, so an answer is
 * never older than the event that prompted the question.
 */
export function ttlMemo<T>(ttlMs: number, now: () => number = Date.now): (key: string, compute: () => Promise<T>) => Promise<T> {
  const cache = new Map<string, { at: number; value: Promise<T> }>();
  return (key, compute) => {
    const t = now();
    for (const [k, e] of cache) if (t - e.at >= ttlMs) cache.delete(k);
    const hit = cache.get(key);
    if (hit) return hit.value;
    const value = compute();
    cache.set(key, { at: t, value });
    value.catch(() => cache.delete(key));
    return value;
  };
}
