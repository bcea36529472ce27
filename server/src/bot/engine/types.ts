import type { Channel, MessageContent } from '../../core/message.js';

/**
 * The contract between the knowledge base (what trainers maintain), the engine (what is
 * trained from it) and the bot runtime (what answers customers). Pure data: no database here.
 */

/** What the bot should do when this intent is recognised, besides answering its FAQ. */
export type IntentAction = 'answer' | 'handoff';

export type Intent = {
  id: string;
  /** e.g. 退款流程 */
  name: string;
  category?: string | null;
  /** 10–15 realistic phrasings */
  examples: string[];
  action?: IntentAction;
  /** the agent skill a conversation about it needs when it goes to a human (e.g. 发票); none: any agent */
  skill?: string | null;
};

/** An answer variant: the most specific match for (tier, channel) wins; null = any. */
export type FaqAnswer = {
  tier?: string | null;
  channel?: Channel | null;
  /** text, image, link or menu */
  content: MessageContent;
};

export type Faq = {
  id: string;
  /** the intent this FAQ answers, if any */
  intent_id?: string | null;
  category?: string | null;
  /** standard question */
  question: string;
  /** similar questions (paraphrases) */
  similar: string[];
  answers: FaqAnswer[];
};

export type SynonymEntry = { term: string; synonyms: string[] };
/** dialect / colloquial expression → standard wording (整不明白 → 不明白) */
export type DialectEntry = { from: string; to: string };
export type SensitiveEntry = {
  word: string;
  /** flag: mark customer input for agents; block: never send in an outgoing answer */
  action: 'flag' | 'block';
};

export type Dictionaries = {
  synonyms: SynonymEntry[];
  dialect: DialectEntry[];
  /** kept whole by segmentation so near terms stay apart (CVT变速箱 vs 双离合) */
  domainTerms: string[];
  sensitive: SensitiveEntry[];
  /** phrases that contain a sensitive word but are allowed (抗癌药物咨询) */
  whitelist: string[];
};

export type KnowledgeSnapshot = {
  /** published version number (0 for an unpublished draft) */
  version: number;
  intents: Intent[];
  faqs: Faq[];
  dictionaries: Dictionaries;
};

export type ScoredIntent = { intent_id: string; name: string; confidence: number };
export type ScoredFaq = {
  faq_id: string;
  question: string;
  /** 0..1, comparable across queries */
  score: number;
  /** why it matched: the shared terms, the matching similar question, the intent link */
  why: string[];
};

export type Band = 'answer' | 'clarify' | 'fallback';

export type Sentiment = {
  /** -1 (very negative) … 1 (very positive) */
  score: number;
  label: 'negative' | 'neutral' | 'positive';
  /** complaint class: 我要投诉 / 找你们领导 / 再也不买了 … */
  complaint: boolean;
  /** the phrases that drove the score */
  cues: string[];
};

export type SensitiveHit = { flagged: string[]; blocked: string[] };

/** Everything the engine knows about one customer message (the test console shows all of it). */
export type Analysis = {
  input: string;
  normalized: string;
  tokens: string[];
  intents: ScoredIntent[];
  faqs: ScoredFaq[];
  /** the message is about nothing the bot knows (chit-chat, other companies, gibberish) */
  out_of_scope: boolean;
  band: Band;
  sentiment: Sentiment;
  sensitive: SensitiveHit;
  ms: number;
};

export type TrainOptions = {
  /** seeded so that training is reproducible */
  seed?: number;
  /** confidence at or above which the bot answers */
  answerThreshold?: number;
  /** confidence at or above which (and below answer) the bot clarifies */
  clarifyThreshold?: number;
  /** answer only when the best intent leads the runner-up by at least this much (default 0.5) */
  ambiguityMargin?: number;
};

/** A trained, serialisable model: normaliser + classifier + FAQ retrieval + sentiment. */
export interface BotModel {
  readonly version: number;
  analyze(text: string): Analysis;
  /** checks outgoing text against the sensitive-word rules (block wins unless whitelisted) */
  checkOutgoing(text: string): SensitiveHit;
  serialize(): string;
}
