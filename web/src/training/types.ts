import type { Channel, MessageContent } from '../types';

/* The knowledge API (server/src/knowledge), as the web app uses it. */

export type IntentAction = 'answer' | 'handoff';

export type Intent = {
  id: string;
  name: string;
  category?: string | null;
  examples: string[];
  action?: IntentAction;
  updated_at: string;
};

export type FaqAnswer = { tier?: string | null; channel?: Channel | null; content: MessageContent };

export type Faq = {
  id: string;
  intent_id?: string | null;
  category?: string | null;
  question: string;
  similar: string[];
  answers: FaqAnswer[];
  updated_at: string;
};

export type Dictionaries = {
  synonyms: { term: string; synonyms: string[] }[];
  dialect: { from: string; to: string }[];
  domainTerms: string[];
  sensitive: { word: string; action: 'flag' | 'block' }[];
  whitelist: string[];
};

export type Counts = { intents: number; faqs: number; [k: string]: number };

export type KnowledgeStatus = {
  published_version: number | null;
  published_at: string | null;
  draft_changed: boolean;
  counts: Counts;
};

export type PublishResult = { version: number; published_at: string; train_ms: number };

export type Version = { version: number; published_at: string; published_by: string | null; note: string | null; counts: Counts | null };

export type Band = 'answer' | 'clarify' | 'fallback';

export type TestResult = {
  input: string;
  normalized: string;
  tokens: string[];
  intents: { intent_id: string; name: string; confidence: number }[];
  faqs: { faq_id: string; question: string; score: number; why: string[] }[];
  out_of_scope: boolean;
  band: Band;
  sentiment: { score: number; label: 'negative' | 'neutral' | 'positive'; complaint: boolean; cues: string[] };
  sensitive: { flagged: string[]; blocked: string[] };
  ms: number;
  /** the knowledge version tested (0 = draft) */
  version?: number;
  /** the server answers `{faq_id, question, answer: {tier, channel, content}}`; the brief said `{tier, channel, content}`: both are read */
  answer?: TestAnswer | { faq_id: string; question: string; answer: TestAnswer } | null;
};

export type TestAnswer = { tier?: string | null; channel?: Channel | null; content: MessageContent };

export function answerOf(r: TestResult): (TestAnswer & { faq_id?: string; question?: string }) | null {
  const a = r.answer;
  if (!a) return null;
  if ('content' in a) return a;
  return a.answer ? { ...a.answer, faq_id: a.faq_id, question: a.question } : null;
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
