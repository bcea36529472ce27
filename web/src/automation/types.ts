/* The automation API (server/src/automation): rules as the server defines them, runs, tasks. */
import type { RuleDefinition } from '../../../server/src/automation/rules';

export type { RuleDefinition };
export type Rule = RuleDefinition & { id: string; builtin: string | null; created_at: string; updated_at: string };
export type Trigger = RuleDefinition['trigger'];
export type Action = RuleDefinition['actions'][number];
export type ActionType = Action['type'];

export const EVENTS = ['message.received', 'conversation.closed', 'ticket.created', 'sla.warning', 'survey.rated'] as const;
export const ACTION_TYPES: ActionType[] = ['send_message', 'send_survey', 'tag', 'assign', 'create_ticket', 'notify', 'webhook'];
export const FALLBACKS = ['sms_or_owner_task', 'sms', 'owner_task', 'none'] as const;
export const RUN_OUTCOMES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

export type RunAction = { idx: number; type: ActionType; status: string; attempts: number; result: Record<string, unknown> | null; error: string | null; updated_at: string };
export type Run = {
  id: string;
  rule_id: string;
  rule_name: string;
  trigger: string;
  customer_id: string | null;
  conversation_id: string | null;
  context: Record<string, unknown>;
  outcome: RunOutcome;
  error: string | null;
  created_at: string;
  updated_at: string;
  actions: RunAction[];
};
export type DailyRuns = { date: string; succeeded: number; failed: number; skipped: number; running: number };
export type OwnerTask = { id: string; customer_id: string; customer_name: string | null; owner_userid: string; run_id: string | null; text: string; reason: string; status: 'open' | 'done'; created_at: string };
