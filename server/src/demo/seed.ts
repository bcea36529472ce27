import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { AuthService, Role } from '../auth/service.js';

/** Demo logins for 悦肤美妆 (see shared/docs/demo-company.md). */
export const DEMO_USERS: { username: string; display_name: string; role: Role; password: string }[] = [
  { username: 'admin', display_name: '系统管理员', role: 'admin', password: 'kefu123' },
  { username: 'lead', display_name: '王主管（售后）', role: 'supervisor', password: 'kefu123' },
  { username: 'agent1', display_name: '李小美（售后）', role: 'agent', password: 'kefu123' },
  { username: 'agent2', display_name: '陈晓（售前）', role: 'agent', password: 'kefu123' },
  { username: 'trainer', display_name: '赵训练师', role: 'trainer', password: 'kefu123' },
];

/** Loads demo data once: a database that already has users is left as it is. */
export async function seedDemo(db: Kysely<Database>, auth: AuthService): Promise<boolean> {
  const any = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (any) return false;
  for (const u of DEMO_USERS) await auth.createUser(u);
  return true;
}
