import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * Sortable, URL-safe ids: 9 chars of millisecond time (base36) + 12 random chars.
 * Also valid as a WeCom send_msg `msgid` (≤32 bytes, [0-9a-zA-Z_-]).
 */
export function newId(prefix = ''): string {
  const time = Date.now().toString(36).padStart(9, '0');
  const bytes = randomBytes(12);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % 36];
  return prefix + time + rand;
}
