import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
let lastMs = 0;

/**
 * Sortable, URL-safe ids: 9 chars of millisecond time (base36) + 12 random chars.
 * The time part never goes backwards within a process (ids made in the same millisecond
 * take the next one), so ids order messages as they were stored.
 * Also valid as a WeCom send_msg `msgid` (≤32 bytes, [0-9a-zA-Z_-]).
 */
export function newId(prefix = ''): string {
  lastMs = Math.max(Date.now(), lastMs + 1);
  const time = lastMs.toString(36).padStart(9, '0');
  const bytes = randomBytes(12);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 36];
  return prefix + time + rand;
}
