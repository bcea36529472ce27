import type { Channel } from '../types';

/* The knowledge API (server/src/knowledge), as the web app uses it. */

import type { Analysis, Band, Dictionaries, Faq as EngineFaq, FaqAnswer, Intent as EngineIntent, IntentAction } from '../../../server/src/bot/engine/types';

export type { Band, Dictionaries, FaqAnswer, IntentAction };
/** the engine's shapes as stored in the knowledge base (with their last change) */
export type Intent = EngineIntent & { updated_at: string };
export type Faq = EngineFaq & { updated_at: string };

export type Counts = { intents: number; faqs: number; [k: string]: number };

export type KnowledgeStatus = {
  published_version: number | null;
  published_at: string | null;
  draft_changed: boolean;
  counts: Counts;
};

export type PublishResult = { version: number; published_at: string; train_ms: number };

export type Version = { version: number; published_at: string; published_by: string | null; note: string | null; counts: Counts | null };

export type TestAnswer = FaqAnswer;

/** the test console's answer: the engine's analysis plus the answer the bot would send */
export type TestResult = Analysis & {
  /** the knowledge version tested (0 = draft) */
  version?: number;
  answer?: { faq_id: string; question: string; answer: TestAnswer } | null;
};

export function answerOf(r: TestResult): (TestAnswer & { faq_id: string; question: string }) | null {
  const a = r.answer;
  return a?.answer ? { ...a.answer, faq_id: a.faq_id, question: a.question } : null;
}

export type PerIntent = { intent_id: string; name: string; precision: number; recall: number; f1: number; support: number };
export type BadCase = { text: string; expected_id: string; expected: string; predicted_id: string | null; predicted: string | null; confidence: number };

export type Evaluation = {
  k?: number;
  examples?: number;
  accuracy: number;
  macro_f1: number;
  /** intent ids in confusion-matrix order (`__none__`: nothing predicted) */
  labels: string[];
  per_intent: PerIntent[];
  confusion: number[][];
  bad_cases: BadCase[];
  train_ms: number;
};

export type Job = {
  status: 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  created: number;
  updated: number;
  errors: { row: number; message: string }[];
  /** why a job failed */
  message?: string | null;
  error?: string;
  /** chat-log jobs may report how many candidates they found */
  candidates?: number;
};

export type Candidate = {
  id: string;
  label: string;
  examples: string[];
  count: number;
  suggested_intent_id: string | null;
  suggested_intent?: string | null;
  suggested_answer: string | null;
  status: string;
};

export type KAlert = {
  id: string;
  kind: string;
  topic: string;
  intent_id?: string | null;
  baseline?: number;
  /** count in the current period (the server calls it `count`) */
  current?: number;
  count?: number;
  ratio: number;
  examples: string[];
  created_at: string;
  acknowledged?: boolean;
  acked_by?: string | null;
  acked_at?: string | null;
};

/** reads both the brief's shape (current, acknowledged) and the server's (count, acked_at) */
export function normalizeAlert(a: KAlert): KAlert {
  return { ...a, current: a.current ?? a.count, acknowledged: a.acknowledged ?? !!a.acked_at };
}

export const TIERS = ['普通', '银卡', '金卡', 'VIP'] as const;
export const CHANNELS: Channel[] = ['wecom_kf', 'web'];
