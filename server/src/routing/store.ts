import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import type { UnitOfWork } from '../hub/index.js';
import type { RoutingTables } from './schema.js';
import type { Candidate } from './score.js';

/** Routing's writes shared by deciding (service.ts) and handing over (handover.ts). */
export type RDatabase = Database & RoutingTables;
export type RDb = Kysely<RDatabase>;
export type RTx = Transaction<RDatabase>;

export const OUTCOMES = ['assigned', 'queued', 'transferred', 'overflowed', 'left_message', 'taken_over'] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const MANAGER_ROLES = new Set(['admin', 'supervisor']);
/** WeCom service_state 3: a WeCom-native servicer serves from the WeCom client, kefu cannot send */
export const WECOM_NATIVE = 3;
/** how many candidates a decision keeps (the eligible ones first) */
const KEEP_CANDIDATES = 12;

export type StoredCandidate = Pick<Candidate, 'agent_id' | 'name' | 'eligible' | 'score' | 'parts' | 'load' | 'capacity'> & { excluded: string | null };

/** takeSlot refused: the agent is full (or not online) */
export class CapacityConflict extends Error {}

export type DecisionRow = {
  conversation_id: string;
  outcome: Outcome;
  agent_id: string | null;
  team_id: string | null;
  reason: string;
  context: Record<string, unknown>;
  candidates: Candidate[];
  note: string | null;
  by_user_id: string | null;
};

export function txOf(uow: UnitOfWork): RTx {
  return uow.tx as unknown as RTx;
}

/**
 * The capacity check: one conditional UPDATE, so two routers cannot both take the last slot.
 * `anyStatus`: an agent who replies is working whatever their status says; capacity still holds.
 */
export async function takeSlot(tx: RTx, agentId: string, now: string, opts: { anyStatus?: boolean } = {}): Promise<boolean> {
  let q = tx.updateTable('agent_profiles')
    .set((eb) => ({ load: eb('load', '+', 1), last_assigned_at: now }))
    .where('user_id', '=', agentId)
    .whereRef('load', '<', 'capacity');
  if (!opts.anyStatus) q = q.where('status', '=', 'online');
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function insertDecision(db: RDb | RTx, d: DecisionRow, clock: Clock): Promise<string> {
  const id = newId('rd');
  const candidates: StoredCandidate[] = d.candidates.slice(0, KEEP_CANDIDATES).map((c) => ({
    agent_id: c.agent_id, name: c.name, eligible: c.eligible, excluded: c.excluded ?? null, score: c.score, parts: c.parts, load: c.load, capacity: c.capacity,
  }));
  await db.insertInto('routing_decisions').values({
    id, conversation_id: d.conversation_id, outcome: d.outcome, agent_id: d.agent_id, team_id: d.team_id, reason: d.reason,
    context_json: JSON.stringify(d.context), candidates_json: JSON.stringify(candidates), note: d.note, by_user_id: d.by_user_id,
    created_at: clock.now().toISOString(),
  }).execute();
  return id;
}

