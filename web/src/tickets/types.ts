/* The ticket API's shapes (server/src/tickets/service.ts: TicketDto, meta(), get()). */

export const STATUSES = ['new', 'in_progress', 'pending_customer', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof STATUSES)[number];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof PRIORITIES)[number];

/** the workflow (server/src/tickets/model.ts TRANSITIONS): which buttons a status offers */
export const TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  new: ['in_progress'],
  in_progress: ['pending_customer', 'resolved'],
  pending_customer: ['in_progress'],
  resolved: ['closed', 'in_progress'],
  closed: ['in_progress'],
};

export type SlaState = 'ok' | 'warning' | 'breached' | 'paused' | 'met' | 'missed';
export type SlaClock = { state: SlaState; due_at: string | null; elapsedMinutes: number; remainingMinutes: number };
export type SlaView = {
  policy: { id: string; name: string } | null;
  state: SlaState | 'none';
  first_response: SlaClock | null;
  resolution: SlaClock | null;
};

export type Ref = { id: string; name: string };

export type Order = {
  order_no: string;
  date: string;
  amount: number;
  status: string;
  items: { sku: string; product: string; qty: number; price: number }[];
  logistics: { carrier: string; tracking_no: string };
};
export type Contract = { contract_no: string; company: string; amount: number; signed_at: string; tax_no: string };
export type Device = { sn: string; model: string; name: string; firmware: string; purchased_at: string; params: Record<string, string> };
export type TicketContext = {
  kind?: 'purchases' | 'contract' | 'device' | 'none';
  source?: string;
  orders?: Order[];
  contract_no?: string | null;
  contracts?: Contract[];
  devices?: Device[];
  screenshots?: string[];
};

export type Ticket = {
  id: string;
  number: string;
  title: string;
  description: string;
  category: Ref | null;
  custom_fields: Record<string, unknown>;
  priority: TicketPriority;
  department: Ref | null;
  assignee: { id: string; display_name: string } | null;
  cc: string[];
  status: TicketStatus;
  customer: { id: string; display_name: string; tier: string | null } | null;
  conversation_id: string | null;
  context: TicketContext;
  first_response_at: string | null;
  escalation_level: number;
  flagged_red: boolean;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  closed_at: string | null;
  sla: SlaView;
};

export type TicketEvent = {
  id: string;
  ticket_id: string;
  actor_type: 'user' | 'customer' | 'system';
  actor_id: string | null;
  action: string;
  from_value: string | null;
  to_value: string | null;
  note: string | null;
  created_at: string;
};

export type TicketComment = {
  id: string;
  ticket_id: string;
  visibility: 'public' | 'internal';
  author_type: string;
  author_id: string | null;
  body: string;
  attachments: string[];
  delivery_status: 'sent' | 'failed' | null;
  delivery_error: string | null;
  message_id: string | null;
  created_at: string;
};

export type TicketDetail = Ticket & { events: TicketEvent[]; comments: TicketComment[] };

export type FieldDefinition = { key: string; label: string; type: 'text' | 'number' | 'select' | 'date'; required?: boolean; options?: string[] };
export type Category = { id: string; name: string; fields: FieldDefinition[]; context_kind: string; default_department_id: string | null };
export type Department = { id: string; name: string; head_user_id: string | null; next_manager_user_id: string | null };
export type SlaPolicyMeta = {
  id: string;
  name: string;
  calendar: string;
  first_response_minutes: number | null;
  resolution_minutes: number | null;
  warn_before_minutes: number;
};
export type TicketMeta = {
  statuses: { id: TicketStatus; name: string }[];
  categories: Category[];
  departments: Department[];
  sla_policies: SlaPolicyMeta[];
};

export type Agent = { user_id: string; username: string; display_name: string; role: string };
