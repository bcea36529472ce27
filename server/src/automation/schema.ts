/** Tables of the automation module (migration 008). Portable types, like db/schema.ts. */
import type { Database } from '../db/schema.js';

export interface CustomerAutomationFields {
  /** YYYY-MM-DD (or --MM-DD when the year is unknown) */
  birthday: string | null;
  /** YYYY-MM-DD */
  membership_expiry: string | null;
  phone: string | null;
  /** IANA zone; Asia/Shanghai when null */
  timezone: string | null;
  /** WeCom member UserID of the employee who owns the customer (企业微信 follow_user) */
  owner_userid: string | null;
  tags_json: string;
}

export interface AutomationRulesTable {
  id: string; name: string; enabled: number; trigger_key: string; definition_json: string; builtin: string | null; created_at: string; updated_at: string;
}
export interface AutomationRunsTable {
  id: string; rule_id: string; rule_name: string; trigger: string; dedupe_key: string; customer_id: string | null; conversation_id: string | null;
  context_json: string; outcome: string; error: string | null; created_at: string; updated_at: string;
}
export interface AutomationRunActionsTable {
  id: string; run_id: string; idx: number; type: string; action_json: string; status: string; attempts: number; result_json: string | null; error: string | null; updated_at: string;
}
export interface AutomationSurveysTable { conversation_id: string; customer_id: string; sent_at: string; score: number | null; rated_at: string | null }
export interface AutomationTasksTable { id: string; customer_id: string; owner_userid: string; run_id: string | null; text: string; reason: string; status: string; created_at: string }

export type AutomationDb = Omit<Database, 'customers'> & {
  customers: Database['customers'] & CustomerAutomationFields;
  automation_rules: AutomationRulesTable;
  automation_runs: AutomationRunsTable;
  automation_run_actions: AutomationRunActionsTable;
  automation_triggers: { key: string; created_at: string };
  automation_surveys: AutomationSurveysTable;
  automation_tasks: AutomationTasksTable;
};
