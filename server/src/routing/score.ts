import type { Need } from './skills.js';

/**
 * The routing score, as a chain of small steps (after cskefu's visitor middleware chain and
 * Rocket.Chat's routing strategies): first filters (who may take the conversation at all),
 * then scorers (how well each may), then the pick. Every step says why in Chinese, and the
 * explanation stored with the decision is just those sentences.
 *
 * Score (max 130):
 *   skill   40 × mean(level/3) over the skills the conversation needs (0 when none is needed)
 *   team    10 when the agent is in the team the need belongs to
 *   load    20 × (1 − load/capacity)            — the emptier the better
 *   rating  10 × rating/5
 *   sticky  25 when the agent served this customer last
 *   vip     15 for a VIP customer and a senior agent (level 3 in a needed skill, or in any
 *           skill when none is needed)
 *   region  10 × level/3 when the customer's region (profile) is a skill of the agent, e.g. an
 *           agent with skill 广东 (dialect, local stores and couriers) for a customer from 广东
 * The highest score wins; ties go to the agent idle longest (oldest last assignment).
 */
export const WEIGHTS = { skill: 40, team: 10, load: 20, rating: 10, sticky: 25, vip: 15, region: 10 } as const;

export type AgentSnapshot = {
  id: string;
  name: string;
  team: string | null;
  skills: Record<string, number>;
  status: string;
  capacity: number;
  load: number;
  rating: number;
  last_assigned_at: string | null;
};

export type RoutingContext = {
  need: Need;
  vip: boolean;
  last_agent_id: string | null;
  /** a transfer to a team: only its members */
  only_team: string | null;
  /** the agent who transferred the conversation away */
  exclude_agent_id: string | null;
  /** the customer's region from their profile (e.g. 广东), if known */
  region?: string | null;
};

export type Part = { step: keyof typeof WEIGHTS; points: number; why: string };

export type Candidate = {
  agent_id: string;
  name: string;
  eligible: boolean;
  /** why the agent was filtered out */
  excluded?: string;
  score: number;
  parts: Part[];
  load: number;
  capacity: number;
  last_assigned_at: string | null;
};

type Filter = (ctx: RoutingContext, a: AgentSnapshot) => string | null;
type Scorer = (ctx: RoutingContext, a: AgentSnapshot) => Part | null;

const STATUS_ZH: Record<string, string> = { online: '在线', busy: '忙碌', away: '离开', offline: '离线' };

export const FILTERS: Filter[] = [
  (_c, a) => (a.status === 'online' ? null : STATUS_ZH[a.status] ?? a.status),
  (_c, a) => (a.load < a.capacity ? null : `已满 ${a.load}/${a.capacity}`),
  (c, a) => (!c.only_team || a.team === c.only_team ? null : `不在「${c.only_team}」组`),
  (c, a) => (c.exclude_agent_id !== a.id ? null : '转出坐席'),
];

const round = (n: number) => Math.round(n * 10) / 10;

export const SCORERS: Scorer[] = [
  function skill(c, a) {
    if (!c.need.skills.length) return null;
    const levels = c.need.skills.map((s) => Math.max(0, Math.min(3, a.skills[s] ?? 0)));
    const points = round((WEIGHTS.skill * levels.reduce((x, y) => x + y, 0)) / (3 * levels.length));
    const why = c.need.skills.map((s, i) => (levels[i] ? `技能「${s}」${levels[i]} 级` : `无「${s}」技能`)).join('、');
    return { step: 'skill', points, why };
  },
  function team(c, a) {
    if (!c.need.team) return null;
    return a.team === c.need.team ? { step: 'team', points: WEIGHTS.team, why: `属于「${c.need.team}」组` } : { step: 'team', points: 0, why: `不属于「${c.need.team}」组` };
  },
  function load(_c, a) {
    return { step: 'load', points: round(WEIGHTS.load * (1 - a.load / Math.max(1, a.capacity))), why: `负载 ${a.load}/${a.capacity}` };
  },
  function rating(_c, a) {
    return { step: 'rating', points: round((WEIGHTS.rating * Math.max(0, Math.min(5, a.rating))) / 5), why: `评分 ${a.rating}` };
  },
  function sticky(c, a) {
    return c.last_agent_id === a.id ? { step: 'sticky', points: WEIGHTS.sticky, why: '上次服务过该客户' } : null;
  },
  function vip(c, a) {
    if (!c.vip) return null;
    const levels = c.need.skills.length ? c.need.skills.map((s) => a.skills[s] ?? 0) : Object.values(a.skills);
    return levels.some((l) => l >= 3) ? { step: 'vip', points: WEIGHTS.vip, why: 'VIP 客户 → 资深坐席' } : null;
  },
  function region(c, a) {
    const level = c.region ? Math.max(0, Math.min(3, a.skills[c.region] ?? 0)) : 0;
    return level ? { step: 'region', points: round((WEIGHTS.region * level) / 3), why: `熟悉客户所在地区「${c.region}」${level} 级` } : null;
  },
];

/** Every agent with its filter verdict and score; eligible ones first, best first. */
export function rank(ctx: RoutingContext, agents: AgentSnapshot[]): Candidate[] {
  const all = agents.map((a): Candidate => {
    const excluded = FILTERS.map((f) => f(ctx, a)).find((r) => r !== null) ?? undefined;
    const parts = SCORERS.map((s) => s(ctx, a)).filter((p): p is Part => p !== null);
    return {
      agent_id: a.id, name: a.name, eligible: !excluded, excluded, parts,
      score: round(parts.reduce((x, p) => x + p.points, 0)),
      load: a.load, capacity: a.capacity, last_assigned_at: a.last_assigned_at,
    };
  });
  return all.sort(compare);
}

function compare(x: Candidate, y: Candidate): number {
  if (x.eligible !== y.eligible) return x.eligible ? -1 : 1;
  if (y.score !== x.score) return y.score - x.score;
  // ties: the agent idle longest (never assigned counts as idle the longest)
  const ix = x.last_assigned_at ?? '', iy = y.last_assigned_at ?? '';
  if (ix !== iy) return ix < iy ? -1 : 1;
  return x.agent_id < y.agent_id ? -1 : 1;
}

/** The short reason shown in the conversation: the winner's deciding facts. */
export function shortReason(c: Candidate): string {
  const facts = [...c.parts].filter((p) => p.points > 0 && p.step !== 'rating').sort((a, b) => b.points - a.points).map((p) => p.why);
  return facts.slice(0, 3).join('，') || `负载 ${c.load}/${c.capacity}`;
}

/** The full reason stored with the decision ("为什么分配给我"). */
export function explainAssigned(ranked: Candidate[], chosen: Candidate, skipped: Candidate[]): string {
  const parts = chosen.parts.map((p) => `${p.why}（+${p.points}）`).join('，');
  let text = `分配给 ${chosen.name}：${parts}；得分 ${chosen.score}`;
  const runnerUp = ranked.find((c) => c.eligible && c !== chosen && !skipped.includes(c));
  if (runnerUp) text += runnerUp.score === chosen.score ? `，与 ${runnerUp.name} 同分，空闲更久者优先` : `，高于 ${runnerUp.name}（${runnerUp.score}）`;
  if (skipped.length) text += `；${skipped.map((s) => s.name).join('、')} 得分更高但刚好满员`;
  return text + '。';
}

/** Why the conversation waits in the queue. */
export function explainQueued(ctx: RoutingContext, ranked: Candidate[]): string {
  const online = ranked.filter((c) => c.excluded === undefined || !['离线', '离开', '忙碌'].includes(c.excluded));
  if (!online.length) return '当前没有在线坐席，进入排队等待。';
  if (ctx.only_team && !online.some((c) => c.excluded !== `不在「${ctx.only_team}」组`)) return `「${ctx.only_team}」组当前没有在线坐席，进入排队等待。`;
  const scope = ctx.only_team ? `「${ctx.only_team}」组` : '';
  return `${scope}在线坐席均已满员（${online.filter((c) => c.excluded?.startsWith('已满')).map((c) => `${c.name} ${c.load}/${c.capacity}`).join('，') || '无空闲'}），进入排队等待。`;
}
