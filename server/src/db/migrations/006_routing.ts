import type { Kysely } from 'kysely';

// Skills-based routing: teams, agent profiles (skills, status, capacity, rating, the load
// counter the capacity check runs on) and every routing decision with its candidates.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('agent_profiles')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('skills_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('offline'))
    .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(5))
    .addColumn('rating', 'real', (c) => c.notNull().defaultTo(4))
    // conversations assigned to the agent; raised only by `UPDATE … WHERE load < capacity`
    .addColumn('load', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_assigned_at', 'text')
    .addColumn('status_changed_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('agent_profiles_status').on('agent_profiles').column('status').execute();
  await db.schema
    .createTable('routing_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    // assigned | queued | transferred
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('team_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('context_json', 'text', (c) => c.notNull())
    .addColumn('candidates_json', 'text', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('by_user_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('routing_decisions_conversation').on('routing_decisions').columns(['conversation_id', 'created_at']).execute();
  // a transfer to a team: where the conversation waits, who handed it on (not offered back)
  await db.schema
    .createTable('routing_targets')
    .addColumn('conversation_id', 'text', (c) => c.primaryKey().references('conversations.id'))
    .addColumn('team_id', 'text')
    .addColumn('exclude_agent_id', 'text')
    .addColumn('note', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('conversations_status_assignee').on('conversations').columns(['status', 'assignee_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('conversations_status_assignee').ifExists().execute();
  await db.schema.dropTable('routing_targets').ifExists().execute();
  await db.schema.dropTable('routing_decisions').ifExists().execute();
  await db.schema.dropTable('agent_profiles').ifExists().execute();
  await db.schema.dropTable('teams').ifExists().execute();
}
