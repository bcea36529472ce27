/** The durable job table (see ./index.ts). Portable types, like db/schema.ts. */
export interface JobsTable {
  id: string;
  kind: string;
  /** unique: scheduling the same key again moves the job instead of adding one */
  key: string;
  run_at: string;
  payload_json: string;
  /** pending | running | done | failed */
  status: string;
  attempts: number;
  max_attempts: number;
  /** `<instance>:<claim>` of the instance running it */
  locked_by: string | null;
  /** a running job whose lease passed is taken over (its instance died) */
  locked_until: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface SchedulerTables {
  jobs: JobsTable;
}
