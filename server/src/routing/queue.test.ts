import { describe, expect, it } from 'vitest';
import { noticeDue, noticeText } from './notices.js';
import { queueNoticeSchema } from './settings.js';
import { averageHandleS, DEFAULT_HANDLE_S, estimateWaitMinutes } from './wait.js';

const s = queueNoticeSchema.parse({ enabled: true, min_interval_s: 120, min_position_change: 2, max_per_conversation: 3 });
const at = (iso: string) => new Date(iso);

describe('queue notices: when', () => {
  const prev = { position: 6, count: 1, sent_at: '2026-01-01T00:00:00.000Z' };
  it('always the first time', () => expect(noticeDue(undefined, 9, at('2026-01-01T00:00:00Z'), s)).toBe(true));
  it('not within the minimum interval, however big the move', () => expect(noticeDue(prev, 1, at('2026-01-01T00:01:59Z'), s)).toBe(false));
  it('after the interval only on a meaningful move up', () => {
    expect(noticeDue(prev, 5, at('2026-01-01T00:02:00Z'), s)).toBe(false);
    expect(noticeDue(prev, 4, at('2026-01-01T00:02:00Z'), s)).toBe(true);
    expect(noticeDue(prev, 8, at('2026-01-01T00:02:00Z'), s)).toBe(false);
  });
  it('becoming next counts, even by one place', () => expect(noticeDue({ ...prev, position: 2 }, 1, at('2026-01-01T00:05:00Z'), s)).toBe(true));
  it('never more than the maximum per conversation', () => expect(noticeDue({ ...prev, count: 3 }, 1, at('2026-01-02T00:00:00Z'), s)).toBe(false));
});

describe('queue notices: what', () => {
  it('fills the placeholders; next and no-estimate have their own texts', () => {
    expect(noticeText(s, 4, 20)).toBe('您前面还有 3 位客户，预计等待约 20 分钟，请稍候～');
    expect(noticeText(s, 1, 5)).toBe('您是下一位，客服马上为您服务，请稍候～');
    expect(noticeText(s, 3, null)).toBe('您前面还有 2 位客户，客服上线后会按顺序为您服务。');
    expect(noticeText({ ...s, text: '第 {position} 位，约 {minutes} 分钟' }, 7, 12)).toBe('第 7 位，约 12 分钟');
  });
});

describe('estimated wait', () => {
  it('position × handle time ÷ online slots, whole minutes, at least 1; unknown without slots', () => {
    expect(estimateWaitMinutes(4, 1, 300)).toBe(20);
    expect(estimateWaitMinutes(4, 10, 300)).toBe(2);
    expect(estimateWaitMinutes(1, 30, 300)).toBe(1);
    expect(estimateWaitMinutes(3, 0, 300)).toBeNull();
  });
  it('handle time: the mean of recent ones, the default below 5 samples', () => {
    const s = (min: number) => ({ assigned_at: '2026-01-01T00:00:00.000Z', closed_at: new Date(Date.parse('2026-01-01T00:00:00Z') + min * 60_000).toISOString() });
    expect(averageHandleS([s(1), s(2)])).toBe(DEFAULT_HANDLE_S);
    expect(averageHandleS([s(2), s(4), s(6), s(8), s(10)])).toBe(360);
  });
});
