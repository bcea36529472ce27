import type { Message } from '../core/message.js';
import type { Analysis, BotModel } from './engine/types.js';

const memo = new WeakMap<Message, { model: BotModel; text: string; analysis: Analysis }>();

/**
 * The published model's analysis of one inbound message, computed once although the bot turn
 * and the hot-word monitor both need it. Keyed by the event's message object, so an entry lives
 * only while a listener still holds the message; a newer model (a publish in between) or
 * another text analyses anew.
 */
export function analyzeMessage(model: BotModel, message: Message, text: string): Analysis {
  const hit = memo.get(message);
  if (hit && hit.model === model && hit.text === text) return hit.analysis;
  const analysis = model.analyze(text);
  memo.set(message, { model, text, analysis });
  return analysis;
}
