import type { Message } from '../core/message.js';
import type { ScoredIntent } from './engine/types.js';

/** A few lines an agent reads in two seconds: what the customer asked, wants, and feels. */
export function handoffSummary(messages: Message[], intent: ScoredIntent | null, mood: number): string {
  const asked = messages
    .filter((m) => m.direction === 'in' && m.content.type === 'text')
    .slice(-3)
    .map((m) => (m.content.type === 'text' ? m.content.text.slice(0, 50) : ''));
  const botReplies = messages.filter((m) => m.sender_type === 'bot').length;
  const moodText = mood <= -0.5 ? '很不满' : mood < -0.1 ? '偏负面' : mood > 0.3 ? '正面' : '平稳';
  return [
    `客户最近的问题：${asked.length ? asked.map((q) => `「${q}」`).join('、') : '（无文字消息）'}`,
    `意图判断：${intent ? `${intent.name}（${Math.round(intent.confidence * 100)}%）` : '未识别'}`,
    `客户情绪：${moodText}（${mood.toFixed(2)}）；机器人已回复 ${botReplies} 次`,
  ].join('\n');
}
