/** Routing tables (migration 006_routing). Portable types like db/schema.ts. */
export interface TeamsTable {
  id: string;
  name: string;
  created_at: string;
}

export type AgentStatus = 'online' | 'busy' | 'away' | 'offline';

/** An agent as the API shows it (routing, the workspace's status switch, admin lists). */
export type AgentView = {
  user_id: string;
  username: string;
  display_name: string;
  role: string;
  team: string | null;
  skills: Record<string, number>;
  status: AgentStatus;
  capacity: number;
  load: number;
  rating: number;
  last_assigned_at: string | null;
  status_changed_at: string;
  wecom_userid: string | null;
};


export interface AgentProfilesTable {
  user_id: string;
  team_id: string | null;
  /** JSON {skill: level 1–3}, e.g. {"售后":3,"发票":2,"English":1} */
  skills_json: string;
  status: string;
  capacity: number;
  /** service rating 0–5 */
  rating: number;
  /** conversations assigned to the agent now; raised only by a conditional `load < capacity` update */
  load: number;
  last_assigned_at: string | null;
  status_changed_at: string;
  updated_at: string;
  /** the agent's WeCom userid when they also serve as a WeCom-native 微信客服 servicer */
  wecom_userid: string | null;
}

export interface RoutingDecisionsTable {
  id: string;
  conversation_id: string;
  /** assigned | queued | transferred | overflowed | left_message | taken_over */
  outcome: string;
  agent_id: string | null;
  team_id: string | null;
  /** human-readable (Chinese) reason */
  reason: string;
  context_json: string;
  candidates_json: string;
  note: string | null;
  by_user_id: string | null;
  created_at: string;
}

export interface RoutingTargetsTable {
  conversation_id: string;
  team_id: string | null;
  exclude_agent_id: string | null;
  note: string | null;
  created_at: string;
}

export interface RoutingSettingsTable {
  id: string;
  settings_json: string;
  updated_at: string;
}

/** The last queue notice sent per waiting conversation (rate limit and change detection). */
export interface QueueNoticesTable {
  conversation_id: string;
  position: number;
  wait_min: number | null;
  count: number;
  sent_at: string;
}

export type RoutingTables = {
  routing_settings: RoutingSettingsTable;
  queue_notices: QueueNoticesTable;
  teams: TeamsTable;
  agent_profiles: AgentProfilesTable;
  routing_decisions: RoutingDecisionsTable;
  routing_targets: RoutingTargetsTable;
};
