import type { AgentStatus } from './types';

/** Ant Design badge colour of an agent status (header switch, transfer dialog). */
export const STATUS_BADGE: Record<AgentStatus, 'success' | 'warning' | 'default' | 'error'> = { online: 'success', busy: 'error', away: 'warning', offline: 'default' };

/** Load vs capacity as a colour: green with room, orange when nearly full (≥ 80 %), red when full. */
export function loadColor(percent: number): string {
  return percent >= 100 ? '#ff4d4f' : percent >= 80 ? '#faad14' : '#52c41a';
}
