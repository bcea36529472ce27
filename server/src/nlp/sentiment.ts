import type { Sentiment } from '../bot/engine/types.js';
import { baseNormalize, type Normalized } from './normalize.js';
import { Trie } from './trie.js';

/**
 * Lexicon + rules sentiment for customer-service Chinese.
 *
 * - A lexicon of polar words (longest match, so 不错 is one positive word, not 不 + 错).
 * - Negation (不/没/别/并不/一点也不 … within a few characters before a polar word) flips and damps
 *   it: 不满意 → negative, 不差 → mildly positive.
 * - Intensifiers (很/非常/太/特别/超级/真 …) right before a polar word scale it.
 * - The complaint class (我要投诉, 找你们领导, 再也不买了, 12315, 差评 …) weighs heavily and sets
 *   `complaint`; all of those phrases land in the same class.
 * - Emojis are signals (😡 👎 negative, 😊 👍 positive); ！！！ and ？？？ amplify whatever polarity
 *   the message has, and alone are a small negative (urgency).
 *
 * The score is squashed into −1…1 with tanh, so several cues add up but never exceed the range.
 */

type Cue = { w: number; complaint?: boolean };

const POSITIVE: Record<string, number> = {
  谢谢: 0.6, 感谢: 0.7, 多谢: 0.6, 谢了: 0.5, 辛苦了: 0.6, 辛苦: 0.3, 满意: 0.7, 很满意: 0.9, 好评: 0.8,
  不错: 0.6, 挺好: 0.6, 很好: 0.7, 好用: 0.6, 喜欢: 0.6, 爱了: 0.8, 棒: 0.7, 赞: 0.6, 给力: 0.7,
  完美: 0.8, 太好了: 0.8, 开心: 0.6, 高兴: 0.6, 专业: 0.4, 耐心: 0.4, 贴心: 0.6, 靠谱: 0.5, 放心: 0.4,
  好的: 0.2, 好滴: 0.2, 解决了: 0.5, 明白了: 0.3, 清楚了: 0.3, 惊喜: 0.6, 推荐: 0.4,
  回购: 0.6, 物美价廉: 0.7, 划算: 0.5, 及时: 0.4, 优秀: 0.6, 厉害: 0.5, 感恩: 0.7,
};

const NEGATIVE: Record<string, number> = {
  差: 0.6, 太差: 0.9, 很差: 0.8, 垃圾: 0.9, 失望: 0.8, 生气: 0.8, 气死: 0.9, 愤怒: 0.9, 烂: 0.7,
  骗子: 1.0, 骗人: 0.9, 欺骗: 0.9, 坑: 0.6, 坑人: 0.9, 恶心: 0.8, 糟糕: 0.8, 无语: 0.6, 离谱: 0.7,
  过分: 0.7, 太慢: 0.6, 慢: 0.3, 难用: 0.7, 不好: 0.5, 麻烦: 0.3, 烦: 0.5, 烦死: 0.8, 着急: 0.4,
  急死: 0.7, 不满意: 0.8, 赔偿: 0.4, 投诉: 0.8, 退钱: 0.6, 假货: 0.9, 骗: 0.7, 忽悠: 0.7, 敷衍: 0.7, 态度差: 0.9,
  没人管: 0.7, 没人理: 0.7, 不理人: 0.7, 不回复: 0.5, 没反应: 0.4, 不满: 0.7, 搞不定: 0.3, 不明白: 0.2,
  过敏: 0.3, 烂脸: 0.9, 破损: 0.5, 漏液: 0.5, 错发: 0.5, 少发: 0.5, 漏发: 0.5, 故障: 0.4,
  坏了: 0.5, 难受: 0.6, 痛苦: 0.7, 崩溃: 0.8, 郁闷: 0.6, 后悔: 0.6, 上当: 0.8, 黑心: 0.9, 无良: 0.9,
  滚: 0.9, 什么玩意: 0.8, 什么东西: 0.5, 有病: 0.7, 智障: 0.9, 废物: 0.9, 太贵: 0.4, 贵: 0.2,
};

/** complaint class: heavy negative weight and `complaint: true` */
const COMPLAINT = [
  '我要投诉', '要投诉', '投诉你们', '投诉', '找你们领导', '找领导', '叫你们领导', '你们领导', '找你们经理',
  '叫你们经理', '找经理', '找你们老板', '叫你们老板', '找主管', '叫主管', '再也不买了', '再也不买', '再也不会买',
  '再也不来了', '不会再买', '拉黑', '差评', '给差评', '打差评', '12315', '消协', '消费者协会', '工商局',
  '市场监管', '曝光', '起诉', '告你们', '律师', '报警', '维权', '举报', '黑猫投诉',
];

const NEGATORS = ['不', '没', '没有', '别', '并不', '并没有', '一点也不', '一点都不', '从不', '从来不', '不太', '不怎么', '未', '无'];
const INTENSIFIERS: Record<string, number> = {
  很: 1.4, 非常: 1.7, 太: 1.6, 特别: 1.6, 超级: 1.7, 超: 1.5, 真: 1.3, 真的: 1.4, 极其: 1.8, 十分: 1.6,
  相当: 1.4, 好: 1.3, 贼: 1.5, 巨: 1.6, 实在: 1.4, 简直: 1.6, 完全: 1.5, 根本: 1.5, 最: 1.6, 太过: 1.6,
};

const EMOJI: Record<string, number> = {
  '😡': -0.9, '😠': -0.8, '🤬': -1.0, '💢': -0.7, '👎': -0.7, '😤': -0.6, '😭': -0.6, '😢': -0.5,
  '😞': -0.5, '😒': -0.5, '🙄': -0.4, '😩': -0.6, '😫': -0.6, '💩': -0.7, '😰': -0.4, '😱': -0.4,
  '😊': 0.6, '😄': 0.6, '😃': 0.6, '😁': 0.6, '🙂': 0.3, '😍': 0.8, '🥰': 0.8, '👍': 0.7, '❤': 0.7,
  '💕': 0.7, '🙏': 0.4, '🌹': 0.5, '👏': 0.6, '🎉': 0.6, '😘': 0.6, '🤝': 0.4, '💯': 0.6,
};

const LEXICON = new Trie<Cue>();
for (const [k, w] of Object.entries(POSITIVE)) LEXICON.add(k, { w });
for (const [k, w] of Object.entries(NEGATIVE)) LEXICON.add(k, { w: -w });
for (const k of COMPLAINT) LEXICON.add(k, { w: -1.2, complaint: true });
// fixed expressions that would otherwise be read as negation + polar word
for (const [k, w] of Object.entries({ 不错: 0.6, 没问题: 0.4, 不客气: 0.3, 没关系: 0.2, 不麻烦: 0.2, 好不好: 0, 行不行: 0, 可不可以: 0, 好不容易: 0, 不好意思: 0 })) {
  LEXICON.add(k, { w });
}

const NEGATOR_TRIE = new Trie<true>();
for (const n of NEGATORS) NEGATOR_TRIE.add(n, true);

function label(score: number): Sentiment['label'] {
  return score <= -0.2 ? 'negative' : score >= 0.2 ? 'positive' : 'neutral';
}

/**
 * Scores one message. `pre` lets a caller that already normalised the text (the bot model, with
 * its dialect dictionary) pass it in; `raw` is still looked at for ！！！ and ？？？.
 */
export function scoreMessage(raw: string, pre?: Normalized): Sentiment {
  const norm = pre ?? baseNormalize(raw);
  const text = norm.text;
  const cues: string[] = [];
  let sum = 0;
  let complaint = false;
  for (const m of LEXICON.findLongest(text)) {
    let w = m.value.w;
    if (w === 0) continue;
    let cue = m.key;
    if (m.value.complaint) {
      complaint = true;
    } else {
      // look back a few characters for a negator / an intensifier
      const before = text.slice(Math.max(0, m.start - 4), m.start);
      const neg = NEGATOR_TRIE.findAll(before).filter((n) => n.end >= before.length - 2);
      if (neg.length > 0 && !m.key.startsWith('不') && !m.key.startsWith('没')) {
        const n = neg[neg.length - 1];
        w = w > 0 ? -w * 0.9 : -w * 0.4;
        cue = before.slice(n.start) + m.key;
      } else {
        for (const len of [2, 1]) {
          const k = text.slice(m.start - len, m.start);
          if (m.start - len >= 0 && INTENSIFIERS[k]) {
            w *= INTENSIFIERS[k];
            cue = k + m.key;
            break;
          }
        }
      }
    }
    sum += w;
    cues.push(cue);
  }
  for (const e of norm.emojis) {
    const w = EMOJI[e];
    if (w !== undefined) {
      sum += w;
      cues.push(e);
    }
  }
  const bangs = countRun(raw, /[!！]{2,}|[?？]{3,}|[?？][!！]|[!！][?？]/g);
  if (bangs > 0) {
    if (sum < 0) sum *= 1.3;
    else if (sum === 0) sum = -0.25;
    cues.push(raw.match(/[!！?？]{2,}/)?.[0] ?? '!!');
  }
  let score = Math.tanh(sum);
  if (complaint) score = Math.min(score, -0.6);
  score = Math.round(score * 1000) / 1000;
  return { score, label: label(score), complaint, cues };
}

function countRun(s: string, re: RegExp): number {
  return s.match(re)?.length ?? 0;
}

/**
 * Conversation sentiment: a recency-weighted mean of the message scores (the latest message
 * counts most; each step back weighs `decay` times less), pulled towards the worst recent
 * message so one angry line is not averaged away by polite ones. `complaint` if any of the last
 * `window` messages was a complaint.
 */
export function scoreConversation(scores: readonly (Sentiment | number)[], opts: { decay?: number; window?: number } = {}): Sentiment {
  const decay = opts.decay ?? 0.7;
  const window = opts.window ?? 5;
  if (scores.length === 0) return { score: 0, label: 'neutral', complaint: false, cues: [] };
  let num = 0;
  let den = 0;
  let worst = 0;
  let complaint = false;
  const cues: string[] = [];
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    const v = typeof s === 'number' ? s : s.score;
    const age = n - 1 - i;
    const w = Math.pow(decay, age);
    num += w * v;
    den += w;
    if (age < window) {
      worst = Math.min(worst, v);
      if (typeof s !== 'number') {
        if (s.complaint) complaint = true;
        for (const c of s.cues) if (!cues.includes(c)) cues.push(c);
      }
    }
  }
  let score = num / den;
  score = 0.7 * score + 0.3 * Math.min(score, worst);
  if (complaint) score = Math.min(score, -0.5);
  score = Math.round(Math.max(-1, Math.min(1, score)) * 1000) / 1000;
  return { score, label: label(score), complaint, cues };
}
