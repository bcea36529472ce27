/* Shapes of the workspace API (server/src/workspace, customers, routing) as the page uses them. */
import type { InternalNote } from '../../../server/src/core/message';
import type { AgentStatus, AgentView } from '../../../server/src/routing/schema';

export type { InternalNote };

export type View = 'mine' | 'queue' | 'team' | 'all';
export const VIEWS: View[] = ['mine', 'queue', 'team', 'all'];
export type ViewCounts = Partial<Record<View, { total: number; unread: number }>>;

export type ListFilters = { channel?: 'wecom_kf' | 'web'; tier?: string; q?: string };

export type { AgentStatus };
export const AGENT_STATUSES: AgentStatus[] = ['online', 'busy', 'away', 'offline'];

export type Agent = AgentView;

export type ScorePart = { step: string; points: number; why: string };
export type RoutingCandidate = { agent_id: string; name: string; eligible: boolean; excluded: string | null; score: number; parts: ScorePart[]; load: number; capacity: number };
export type RoutingDecision = {
  id: string;
  outcome: 'assigned' | 'queued' | 'transferred';
  agent_id: string | null;
  agent_name: string | null;
  team: string | null;
  reason: string;
  context: Record<string, unknown>;
  candidates: RoutingCandidate[];
  note: string | null;
  created_at: string;
};

export type CustomerIdentity = { channel: string; external_id: string; profile: Record<string, unknown> | null };
export type Customer360 = {
  customer: { id: string; display_name: string; avatar_url: string | null; tier: string; tags: string[]; note: string | null; region: string | null; identities: CustomerIdentity[]; created_at: string };
  conversations: { id: string; channel: 'wecom_kf' | 'web'; status: string; created_at: string; closed_at: string | null; last_message_at: string; last_message_preview: string | null; assignee_name: string | null }[];
  tickets: { id: string; number: string; title: string; status: string; priority: string; created_at: string }[];
  crm: {
    orders: { order_no: string; date: string; amount: number; status: string; items: { product: string; qty: number; price: number }[]; logistics: { carrier: string; tracking_no: string } }[];
    contracts: { contract_no: string; company: string; amount: number; signed_at: string }[];
    devices: { sn: string; name: string; model: string; firmware: string; purchased_at: string }[];
  };
};

/**
 * What the workspace panels need from the live connection: subscribe and unsubscribe by event
 * type (the realtime client with sequence numbers, or a plain Socket.IO socket).
 */
export type LiveEvents = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each event type has its own payload
  on(type: string, fn: (payload: any) => void): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  off(type: string, fn: (payload: any) => void): unknown;
};
