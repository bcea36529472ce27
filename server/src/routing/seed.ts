import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AuthService, Role } from '../auth/service.js';
import type { RoutingService } from './service.js';
import type { RoutingSettingsStore } from './settings.js';
import type { TeamMaps } from './skills.js';

/**
 * Demo agents of 悦肤美妆 (shared/docs/demo-company.md): 售前 (产品咨询, 活动规则, English) and
 * 售后 (退换货, 发票, 过敏处理, 物流), levels 1–3, capacities 3–8, ratings, one night shift.
 * Everybody starts offline: an agent goes online from the workspace.
 */
export const DEMO_AGENTS: { username: string; display_name: string; role?: Role; team: string; skills: Record<string, number>; capacity: number; rating: number }[] = [
  { username: 'agent1', display_name: '李小美（售后）', team: '售后', skills: { 退换货: 3, 发票: 3, 过敏处理: 2, 物流: 2 }, capacity: 6, rating: 4.8 },
  { username: 'agent2', display_name: '陈晓（售前）', team: '售前', skills: { 产品咨询: 3, 活动规则: 2, English: 1 }, capacity: 5, rating: 4.6 },
  { username: 'agent3', display_name: '周敏（售后）', team: '售后', skills: { 物流: 3, 退换货: 2, 发票: 1 }, capacity: 8, rating: 4.3 },
  { username: 'agent4', display_name: '吴婷（售后）', team: '售后', skills: { 过敏处理: 3, 退换货: 2, 发票: 2 }, capacity: 4, rating: 4.9 },
  { username: 'agent5', display_name: '郑凯（售前）', team: '售前', skills: { 活动规则: 3, 产品咨询: 2 }, capacity: 6, rating: 4.4 },
  { username: 'agent6', display_name: '林莉 Lily（售前）', team: '售前', skills: { English: 3, 产品咨询: 2, 活动规则: 1 }, capacity: 3, rating: 4.7 },
  { username: 'night1', display_name: '孙夜（夜班）', team: '售后', skills: { 退换货: 2, 发票: 2, 物流: 2, 产品咨询: 1, 过敏处理: 1 }, capacity: 8, rating: 4.2 },
  { username: 'lead', display_name: '王主管（售后）', role: 'supervisor', team: '售后', skills: { 退换货: 3, 发票: 3, 过敏处理: 3, 物流: 3 }, capacity: 3, rating: 5 },
];

/** The demo company's teams by skill and by knowledge-base category (routing settings). */
export const DEMO_TEAM_MAPS: TeamMaps = {
  skill_teams: [
    { skill: '发票', team: '售后' }, { skill: '退换货', team: '售后' }, { skill: '过敏处理', team: '售后' }, { skill: '物流', team: '售后' },
    { skill: '产品咨询', team: '售前' }, { skill: '活动规则', team: '售前' },
  ],
  category_teams: [
    { category: '售后', team: '售后' }, { category: '物流', team: '售后' }, { category: '账户', team: '售后' },
    { category: '售前', team: '售前' }, { category: '会员', team: '售前' },
  ],
};

/**
 * Seeds the demo's team lists into routing settings nobody has saved yet, then teams, the extra
 * demo agent users (password kefu123) and profiles, once (no profiles yet).
 */
export async function seedDemoRouting(db: Kysely<Database>, auth: AuthService, routing: RoutingService, settings: RoutingSettingsStore): Promise<boolean> {
  if (!(await settings.stored())) await settings.put({ ...(await settings.get()), ...DEMO_TEAM_MAPS });
  const any = await (db.withTables<{ agent_profiles: { user_id: string } }>()).selectFrom('agent_profiles').select('user_id').limit(1).executeTakeFirst();
  if (any) return false;
  for (const a of DEMO_AGENTS) {
    let user = await db.selectFrom('users').select('id').where('username', '=', a.username).executeTakeFirst();
    if (!user) user = await auth.createUser({ username: a.username, display_name: a.display_name, role: a.role ?? 'agent', password: 'kefu123' });
    await routing.ensureProfile(user.id);
    await routing.updateAgent(user.id, { team: a.team, skills: a.skills, capacity: a.capacity, rating: a.rating });
  }
  return true;
}
