/** Ticket tables (migration 005_tickets). Portable types: ISO-8601 text times, JSON as text, 0/1 booleans. */
export interface TicketsTable {
  id: string;
  /** human number, e.g. T20250127-0001 (per day, Beijing date) */
  number: string;
  title: string;
  description: string;
  category_id: string | null;
  /** values of the category's custom fields */
  custom_fields_json: string;
  /** low | normal | high | urgent */
  priority: string;
  department_id: string | null;
  assignee_id: string | null;
  /** user ids copied on the ticket (an escalation copies the previous assignee) */
  cc_json: string;
  /** new | in_progress | pending_customer | resolved | closed */
  status: string;
  customer_id: string | null;
  conversation_id: string | null;
  /** what the category attached from the CRM when the ticket was made */
  context_json: string;
  sla_policy_id: string | null;
  /** the status timeline [{status, from}] the SLA clocks are computed from */
  sla_history_json: string;
  first_response_at: string | null;
  /** cached from the SLA maths for sorting and filtering; recomputed on every change */
  first_response_due_at: string | null;
  resolution_due_at: string | null;
  /** highest escalation level performed (0 = none) */
  escalation_level: number;
  flagged_red: number;
  /** SLA warnings already sent, by target, with the due instant they warned about */
  warned_json: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  closed_at: string | null;
}

export interface TicketEventsTable {
  id: string;
  ticket_id: string;
  /** user | customer | system */
  actor_type: string;
  actor_id: string | null;
  /** created | status | assign | department | priority | field | comment | handover | flag_red | escalate | notify | sla_warning | first_response */
  action: string;
  from_value: string | null;
  to_value: string | null;
  note: string | null;
  created_at: string;
}

export interface TicketCommentsTable {
  id: string;
  ticket_id: string;
  /** public (sent to the customer) | internal */
  visibility: string;
  author_type: string;
  author_id: string | null;
  body: string;
  /** kefu media ids */
  attachments_json: string;
  /** public comments: sent | failed (with the reason); null for internal ones */
  delivery_status: string | null;
  delivery_error: string | null;
  message_id: string | null;
  created_at: string;
}

export interface DepartmentsTable {
  id: string;
  name: string;
  head_user_id: string | null;
  next_manager_user_id: string | null;
  /** how to reach people: { [userId]: { name?, wecom_userid?, email?, phone? } } */
  contacts_json: string;
  created_at: string;
}

export interface TicketCategoriesTable {
  id: string;
  name: string;
  /** custom field definitions [{ key, label, type, required?, options? }] */
  fields_json: string;
  /** what is attached from the CRM: purchases | contract | device | none */
  context_kind: string;
  default_department_id: string | null;
  sort: number;
}

export interface SlaPoliciesTable {
  id: string;
  name: string;
  /** { priorities?: string[], categories?: string[], tiers?: string[] }; first match by sort wins */
  match_json: string;
  /** a calendar definition (calendar/definition.ts) */
  calendar_json: string;
  first_response_minutes: number | null;
  resolution_minutes: number | null;
  warn_before_minutes: number;
  /** [{ after_minutes, target?: 'first_response' | 'resolution', actions: [...] }] */
  escalation_json: string;
  sort: number;
  created_at: string;
}

export interface TicketCountersTable {
  day: string;
  n: number;
}

export interface TicketTables {
  tickets: TicketsTable;
  ticket_events: TicketEventsTable;
  ticket_comments: TicketCommentsTable;
  departments: DepartmentsTable;
  ticket_categories: TicketCategoriesTable;
  sla_policies: SlaPoliciesTable;
  ticket_counters: TicketCountersTable;
}
