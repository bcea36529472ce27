import type { Kysely } from 'kysely';
import { createJobsTable } from '../../scheduler/index.js';
import { DEFAULT_CATEGORIES, DEFAULT_POLICIES } from '../../tickets/model.js';

/**
 * Tickets with SLA, and the durable job table their escalation timers live in.
 * Reference data (departments, the four categories, three SLA policies) is inserted here so a
 * fresh installation can file tickets at once; admins edit it afterwards.
 */
export const DEFAULT_DEPARTMENTS = [
  { id: 'dept_service', name: '客服部' },
  { id: 'dept_after_sales', name: '售后部' },
  { id: 'dept_finance', name: '财务部' },
  { id: 'dept_tech', name: '技术支持部' },
];

export async function up(db: Kysely<any>): Promise<void> {
  await createJobsTable(db);

  await db.schema
    .createTable('departments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('head_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('next_manager_user_id', 'text', (c) => c.references('users.id'))
    .addColumn('contacts_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ticket_categories')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('fields_json', 'text', (c) => c.notNull())
    .addColumn('context_kind', 'text', (c) => c.notNull())
    .addColumn('default_department_id', 'text', (c) => c.references('departments.id'))
    .addColumn('sort', 'integer', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sla_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('match_json', 'text', (c) => c.notNull())
    .addColumn('calendar_json', 'text', (c) => c.notNull())
    .addColumn('first_response_minutes', 'integer')
    .addColumn('resolution_minutes', 'integer')
    .addColumn('warn_before_minutes', 'integer', (c) => c.notNull())
    .addColumn('escalation_json', 'text', (c) => c.notNull())
    .addColumn('sort', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tickets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('number', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('category_id', 'text', (c) => c.references('ticket_categories.id'))
    .addColumn('custom_fields_json', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('department_id', 'text', (c) => c.references('departments.id'))
    .addColumn('assignee_id', 'text', (c) => c.references('users.id'))
    .addColumn('cc_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.references('customers.id'))
    .addColumn('conversation_id', 'text', (c) => c.references('conversations.id'))
    .addColumn('context_json', 'text', (c) => c.notNull())
    .addColumn('sla_policy_id', 'text', (c) => c.references('sla_policies.id'))
    .addColumn('sla_history_json', 'text', (c) => c.notNull())
    .addColumn('first_response_at', 'text')
    .addColumn('first_response_due_at', 'text')
    .addColumn('resolution_due_at', 'text')
    .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('flagged_red', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('warned_json', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('closed_at', 'text')
    .execute();
  await db.schema.createIndex('tickets_status').on('tickets').columns(['status', 'updated_at']).execute();
  await db.schema.createIndex('tickets_conversation').on('tickets').columns(['conversation_id', 'status']).execute();
  await db.schema.createIndex('tickets_customer').on('tickets').columns(['customer_id']).execute();
  await db.schema.createIndex('tickets_assignee').on('tickets').columns(['assignee_id', 'status']).execute();

  await db.schema
    .createTable('ticket_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_events_ticket').on('ticket_events').columns(['ticket_id', 'created_at']).execute();

  await db.schema
    .createTable('ticket_comments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('ticket_id', 'text', (c) => c.notNull().references('tickets.id'))
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('author_type', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('attachments_json', 'text', (c) => c.notNull())
    .addColumn('delivery_status', 'text')
    .addColumn('delivery_error', 'text')
    .addColumn('message_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_comments_ticket').on('ticket_comments').columns(['ticket_id', 'created_at']).execute();

  await db.schema
    .createTable('ticket_counters')
    .addColumn('day', 'text', (c) => c.primaryKey())
    .addColumn('n', 'integer', (c) => c.notNull())
    .execute();

  const now = new Date().toISOString();
  await db.insertInto('departments').values(DEFAULT_DEPARTMENTS.map((d) => ({ ...d, head_user_id: null, next_manager_user_id: null, contacts_json: '{}', created_at: now }))).execute();
  await db
    .insertInto('ticket_categories')
    .values(DEFAULT_CATEGORIES.map((c, i) => ({ id: c.id, name: c.name, fields_json: JSON.stringify(c.fields), context_kind: c.context_kind, default_department_id: c.department, sort: (i + 1) * 10 })))
    .execute();
  await db
    .insertInto('sla_policies')
    .values(DEFAULT_POLICIES.map((p) => ({
      id: p.id, name: p.name, match_json: JSON.stringify(p.match), calendar_json: JSON.stringify(p.calendar),
      first_response_minutes: p.first_response_minutes, resolution_minutes: p.resolution_minutes, warn_before_minutes: p.warn_before_minutes,
      escalation_json: JSON.stringify(p.escalation), sort: p.sort, created_at: now,
    })))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['ticket_counters', 'ticket_comments', 'ticket_events', 'tickets', 'sla_policies', 'ticket_categories', 'departments', 'jobs']) {
    await db.schema.dropTable(t).ifExists().execute();
  }
}
