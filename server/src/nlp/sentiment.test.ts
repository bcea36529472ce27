import { describe, expect, it } from 'vitest';
import { scoreConversation, scoreMessage } from './sentiment.js';

describe('scoreMessage', () => {
  it('puts 我要投诉, 找你们领导 and 再也不买了 in the complaint class, strongly negative', () => {
    for (const t of ['我要投诉', '找你们领导来', '你们这样我再也不买了', '叫你们经理出来']) {
      const s = scoreMessage(t);
      expect(s.complaint, t).toBe(true);
      expect(s.label, t).toBe('negative');
      expect(s.score, t).toBeLessThanOrEqual(-0.6);
    }
  });

  it('scores thanks as positive', () => {
    const s = scoreMessage('谢谢');
    expect(s.label).toBe('positive');
    expect(s.complaint).toBe(false);
    expect(scoreMessage('非常感谢，服务很贴心').score).toBeGreaterThan(s.score);
  });

  it('handles negation: 不满意 is negative, 不错 is positive', () => {
    expect(scoreMessage('我对这个结果不满意').label).toBe('negative');
    expect(scoreMessage('一点也不好用').label).toBe('negative');
    expect(scoreMessage('东西不错').label).toBe('positive');
  });

  it('intensifiers scale, plain questions stay neutral', () => {
    expect(scoreMessage('太差了').score).toBeLessThan(scoreMessage('差').score);
    expect(scoreMessage('请问怎么开发票').label).toBe('neutral');
  });

  it('reads emojis and ！！！ as signals', () => {
    expect(scoreMessage('还没发货😡').label).toBe('negative');
    expect(scoreMessage('收到了👍').label).toBe('positive');
    expect(scoreMessage('怎么还没到！！！').score).toBeLessThan(scoreMessage('怎么还没到').score);
    expect(scoreMessage('太慢了！！！').score).toBeLessThan(scoreMessage('太慢了').score);
    expect(scoreMessage('太慢了！！！').cues.length).toBeGreaterThan(0);
  });

  it('reads traditional characters and dialect through the normaliser', () => {
    expect(scoreMessage('我要投訴').complaint).toBe(true);
  });
});

describe('scoreConversation', () => {
  it('weights recent messages more', () => {
    const calm = scoreMessage('请问怎么退款');
    const angry = scoreMessage('太慢了，气死我了');
    const thanks = scoreMessage('好的谢谢');
    expect(scoreConversation([thanks, calm, angry]).score).toBeLessThan(scoreConversation([angry, calm, thanks]).score);
  });

  it('keeps a recent complaint and accepts plain numbers', () => {
    const c = scoreConversation([scoreMessage('你好'), scoreMessage('我要投诉')]);
    expect(c.complaint).toBe(true);
    expect(c.label).toBe('negative');
    expect(scoreConversation([0.5, 0.5]).label).toBe('positive');
    expect(scoreConversation([])).toMatchObject({ score: 0, label: 'neutral' });
  });
});
