import { DateTime } from 'luxon';
import type { QuietHours } from './types.js';

const minute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** Whether `now` falls in the quiet hours, in the recipient's zone; ranges may wrap midnight. */
export function inQuietHours(q: QuietHours | null | undefined, now: Date): boolean {
  if (!q) return false;
  const local = DateTime.fromJSDate(now, { zone: q.timeZone ?? 'Asia/Shanghai' });
  if (!local.isValid) return false;
  const m = local.hour * 60 + local.minute;
  const s = minute(q.start);
  const e = minute(q.end);
  if (s === e) return false;
  return s < e ? m >= s && m < e : m >= s || m < e;
}
