/**
 * Tickets module: service, routes and the demo's department contacts.
 * See service.ts for the design (SLA facts stored, badges derived, timers on the scheduler).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { DemoCrm } from './demo-crm.js';
import { TicketService, type TicketDeps } from './service.js';

export { TicketService, guessCategory, type TicketDto, type SlaView } from './service.js';
export { ticketRoutes } from './routes.js';
export { TicketAdmin } from './admin.js';
export { ticketAdminRoutes } from './admin-routes.js';
export { DemoCrm, generatedRecord, type CrmRecord } from './demo-crm.js';
export * from './model.js';
export type { TicketTables } from './schema.js';

export function createTickets(deps: Omit<TicketDeps, 'crm'> & { crm?: DemoCrm }): TicketService {
  return new TicketService({ ...deps, crm: deps.crm ?? new DemoCrm() });
}

/** How the demo reaches its managers (WeCom UserIDs in the simulator, mailboxes, phones). */
export const DEMO_CONTACTS = {
  lead: { name: '王主管', wecom_userid: 'wangzhuguan', email: 'wang.zhuguan@yuefu-demo.cn', phone: '13800138001' },
  admin: { name: '赵总监', wecom_userid: 'zhaozongjian', email: 'zhao.zongjian@yuefu-demo.cn', phone: '13900139002' },
} as const;

/**
 * Demo departments: 王主管 (lead) heads them, 赵总监 (admin) is the next manager. Only fills
 * departments that have no head yet, so an admin's changes are kept.
 */
export async function seedTicketDemo(db: Kysely<Database>): Promise<void> {
  const users = await db.selectFrom('users').select(['id', 'username']).where('username', 'in', ['lead', 'admin']).execute();
  const lead = users.find((u) => u.username === 'lead');
  const admin = users.find((u) => u.username === 'admin');
  if (!lead || !admin) return;
  const contacts = JSON.stringify({ [lead.id]: DEMO_CONTACTS.lead, [admin.id]: DEMO_CONTACTS.admin });
  await db.updateTable('departments').set({ head_user_id: lead.id, next_manager_user_id: admin.id, contacts_json: contacts }).where('head_user_id', 'is', null).execute();
}
