import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { KnowledgeSnapshot } from '../../bot/engine/types.js';

/**
 * The demo knowledge of 悦肤美妆 (see shared/docs/demo-company.md): intents, FAQs and
 * dictionaries as JSON files next to this module, validated on load so that a broken edit
 * fails loudly instead of training a silently poorer bot.
 */

const channel = z.enum(['wecom_kf', 'web']);

const menuItem = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('click'), id: z.string().min(1), content: z.string().min(1) }),
  z.strictObject({ type: z.literal('view'), url: z.url(), content: z.string().min(1) }),
  z.strictObject({
    type: z.literal('miniprogram'),
    appid: z.string().min(1),
    pagepath: z.string().min(1),
    content: z.string().min(1),
  }),
]);

/**
 * The answer shapes a FAQ may use: a subset of MessageContent without media, with the limits of
 * the knowledge base's own input schemas (knowledge/schemas.ts) so the demo data imports as is.
 */
const answerContent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().min(1).max(2000) }),
  z.strictObject({
    type: z.literal('link'),
    title: z.string().min(1).max(128),
    desc: z.string().max(512).optional(),
    url: z.url(),
    pic_url: z.url().optional(),
  }),
  z.strictObject({
    type: z.literal('menu'),
    head: z.string().optional(),
    items: z.array(menuItem).min(1).max(10),
    tail: z.string().optional(),
  }),
  z.strictObject({
    type: z.literal('miniprogram'),
    title: z.string().min(1),
    appid: z.string().min(1),
    pagepath: z.string().min(1),
  }),
]);

const id = z.string().regex(/^[a-z][a-z0-9_]*$/, 'ids are ascii snake_case');

const intentSchema = z.strictObject({
  id,
  name: z.string().min(1),
  category: z.string().nullable().optional(),
  examples: z.array(z.string().min(1)).min(1),
  action: z.enum(['answer', 'handoff']).optional(),
  /** one of the demo agents' skills (routing/seed.ts), within the knowledge base's 32 characters */
  skill: z.string().min(1).max(32).optional(),
});

const faqSchema = z.strictObject({
  id,
  intent_id: z.string().nullable().optional(),
  category: z.string().nullable().optional(),
  question: z.string().min(1),
  similar: z.array(z.string().min(1)),
  answers: z
    .array(
      z.strictObject({
        tier: z.string().nullable().optional(),
        channel: channel.nullable().optional(),
        content: answerContent,
      }),
    )
    .min(1),
});

const dictionariesSchema = z.strictObject({
  synonyms: z.array(z.strictObject({ term: z.string().min(1), synonyms: z.array(z.string().min(1)).min(1) })),
  dialect: z.array(z.strictObject({ from: z.string().min(1), to: z.string().min(1) })),
  domainTerms: z.array(z.string().min(1)),
  sensitive: z.array(z.strictObject({ word: z.string().min(1), action: z.enum(['flag', 'block']) })),
  whitelist: z.array(z.string().min(1)),
});

function readJson(name: string): unknown {
  const url = new URL(`./${name}`, import.meta.url);
  try {
    return JSON.parse(readFileSync(url, 'utf8'));
  } catch (err) {
    throw new Error(`demo knowledge: cannot read ${name}: ${(err as Error).message}`);
  }
}

function parse<T>(name: string, schema: z.ZodType<T>): T {
  const result = schema.safeParse(readJson(name));
  if (!result.success) throw new Error(`demo knowledge: ${name} is invalid:\n${z.prettifyError(result.error)}`);
  return result.data;
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

/** Cross-file rules the schemas cannot express: unique ids, FAQ → intent links, one default answer. */
function checkConsistency(k: KnowledgeSnapshot): void {
  const problems: string[] = [];
  for (const d of duplicates(k.intents.map((i) => i.id))) problems.push(`duplicate intent id ${d}`);
  for (const d of duplicates(k.faqs.map((f) => f.id))) problems.push(`duplicate faq id ${d}`);
  for (const d of duplicates(k.intents.flatMap((i) => i.examples))) problems.push(`example used twice: ${d}`);
  const intentIds = new Set(k.intents.map((i) => i.id));
  for (const f of k.faqs) {
    if (f.intent_id && !intentIds.has(f.intent_id)) problems.push(`faq ${f.id} links unknown intent ${f.intent_id}`);
    const keys = f.answers.map((a) => `${a.tier ?? '*'}|${a.channel ?? '*'}`);
    for (const d of duplicates(keys)) problems.push(`faq ${f.id} has two answers for ${d}`);
    if (!keys.includes('*|*')) problems.push(`faq ${f.id} has no default answer (tier and channel null)`);
  }
  if (problems.length) throw new Error(`demo knowledge is inconsistent:\n- ${problems.join('\n- ')}`);
}

/** The demo knowledge as an unpublished draft (version 0). Throws if a file is broken. */
export function demoKnowledge(): KnowledgeSnapshot {
  const snapshot: KnowledgeSnapshot = {
    version: 0,
    intents: parse('intents.json', z.array(intentSchema)),
    faqs: parse('faqs.json', z.array(faqSchema)),
    dictionaries: parse('dictionaries.json', dictionariesSchema),
  };
  checkConsistency(snapshot);
  return snapshot;
}

export type ChatLogLine = {
  conversation_id: string;
  /** ISO 8601 with offset */
  time: string;
  role: 'customer' | 'agent';
  text: string;
};

/** Splits CSV text (RFC 4180: quoted fields, doubled quotes, newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

const chatLineSchema = z.strictObject({
  conversation_id: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  role: z.enum(['customer', 'agent']),
  text: z.string().min(1),
});

/** Historical chat lines for the chat-log mining demo (chatlogs.csv). */
export function demoChatLogs(): ChatLogLine[] {
  const [header, ...rows] = parseCsv(readFileSync(new URL('./chatlogs.csv', import.meta.url), 'utf8'));
  const expected = ['conversation_id', 'time', 'role', 'text'];
  if (header?.join(',') !== expected.join(',')) throw new Error(`demo knowledge: chatlogs.csv header must be ${expected.join(',')}`);
  return rows.map((r, n) => {
    const result = chatLineSchema.safeParse(Object.fromEntries(expected.map((k, i) => [k, r[i]])));
    if (!result.success || r.length !== expected.length) {
      throw new Error(`demo knowledge: chatlogs.csv line ${n + 2} is invalid${result.success ? '' : `:\n${z.prettifyError(result.error)}`}`);
    }
    return result.data;
  });
}
