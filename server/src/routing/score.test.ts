import { describe, expect, it } from 'vitest';
import { explainAssigned, explainQueued, rank, WEIGHTS, type AgentSnapshot, type RoutingContext } from './score.js';
import { DEMO_TEAM_MAPS } from './seed.js';
import { looksEnglish, needOf } from './skills.js';

const agent = (id: string, o: Partial<AgentSnapshot> = {}): AgentSnapshot => ({
  id, name: id, team: null, skills: {}, status: 'online', capacity: 5, load: 0, rating: 4, last_assigned_at: null, ...o,
});
const ctx = (o: Partial<RoutingContext> = {}): RoutingContext => ({
  need: needOf(null, false, DEMO_TEAM_MAPS), vip: false, last_agent_id: null, only_team: null, exclude_agent_id: null, ...o,
});

describe('intent → need', () => {
  it('takes the skill from the intent, its team and category teams from the settings, English to the English skill', () => {
    expect(needOf({ name: '发票开具', skill: '发票' }, false, DEMO_TEAM_MAPS)).toMatchObject({ skills: ['发票'], team: '售后', source: '意图「发票开具」→ 技能「发票」' });
    expect(needOf({ name: '退款流程', category: '售前', skill: '退换货' }, false, DEMO_TEAM_MAPS)).toMatchObject({ skills: ['退换货'], team: '售后' });
    expect(needOf({ name: '会员积分', category: '会员', skill: null }, false, DEMO_TEAM_MAPS)).toMatchObject({ skills: [], team: '售前' });
    // a company's own skill with no team yet still routes by skill
    expect(needOf({ name: '保修', skill: '售后维修' }, false, DEMO_TEAM_MAPS)).toMatchObject({ skills: ['售后维修'], team: null });
    expect(needOf({ name: '发票开具', skill: '发票' }, false, { skill_teams: [], category_teams: [] })).toMatchObject({ skills: ['发票'], team: null });
    expect(needOf({ name: '闲聊' }, false, DEMO_TEAM_MAPS)).toMatchObject({ skills: [], team: null, source: '意图「闲聊」无对应技能' });
    expect(needOf(null, true, DEMO_TEAM_MAPS).skills).toEqual(['English']);
    expect(looksEnglish(['Hello, where is my parcel?'])).toBe(true);
    expect(looksEnglish(['hello 你好'])).toBe(false);
  });
});

describe('the score', () => {
  it('prefers an agent who knows the customer\'s region, in proportion to the level', () => {
    const [first, second] = rank(ctx({ region: '广东' }), [agent('x'), agent('gd', { skills: { 广东: 2 } })]);
    expect(first!.agent_id).toBe('gd');
    expect(first!.score - second!.score).toBeCloseTo((WEIGHTS.region * 2) / 3, 1);
    expect(first!.parts.find((p) => p.step === 'region')?.why).toBe('熟悉客户所在地区「广东」2 级');
    expect(rank(ctx(), [agent('gd', { skills: { 广东: 3 } })])[0]!.parts.some((p) => p.step === 'region')).toBe(false);
  });

  it('adds the documented parts', () => {
    const c = ctx({ need: needOf({ name: '发票开具', skill: '发票' }, false, DEMO_TEAM_MAPS), vip: true, last_agent_id: 'a' });
    const [a] = rank(c, [agent('a', { team: '售后', skills: { 发票: 3 }, load: 1, capacity: 4, rating: 5 })]);
    expect(a!.score).toBe(WEIGHTS.skill + WEIGHTS.team + 15 + WEIGHTS.rating + WEIGHTS.sticky + WEIGHTS.vip);
    expect(a!.parts.map((p) => p.why)).toEqual(['技能「发票」3 级', '属于「售后」组', '负载 1/4', '评分 5', '上次服务过该客户', 'VIP 客户 → 资深坐席']);
  });

  it('filters offline, full, other-team and transferring agents, with the reason', () => {
    const c = ctx({ only_team: '售前', exclude_agent_id: 'x' });
    const r = rank(c, [
      agent('off', { status: 'offline', team: '售前' }), agent('full', { load: 3, capacity: 3, team: '售前' }),
      agent('other', { team: '售后' }), agent('x', { team: '售前' }), agent('ok', { team: '售前' }),
    ]);
    expect(r[0]).toMatchObject({ agent_id: 'ok', eligible: true });
    expect(Object.fromEntries(r.slice(1).map((x) => [x.agent_id, x.excluded]))).toEqual({ full: '已满 3/3', off: '离线', other: '不在「售前」组', x: '转出坐席' });
  });

  it('breaks ties by the longest idle and explains it', () => {
    const r = rank(ctx(), [agent('b', { last_assigned_at: '2026-01-02T00:00:00Z' }), agent('a', { last_assigned_at: '2026-01-03T00:00:00Z' }), agent('n')]);
    expect(r.map((x) => x.agent_id)).toEqual(['n', 'b', 'a']);
    expect(explainAssigned(r, r[0]!, [])).toMatch(/与 b 同分，空闲更久者优先/);
  });

  it('explains why a conversation waits', () => {
    expect(explainQueued(ctx(), rank(ctx(), [agent('a', { status: 'away' })]))).toMatch(/没有在线坐席/);
    expect(explainQueued(ctx(), rank(ctx(), [agent('a', { load: 2, capacity: 2 })]))).toMatch(/均已满员（a 2\/2）/);
  });
});
