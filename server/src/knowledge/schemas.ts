import { z } from 'zod';

/**
 * The knowledge base's input shapes, shared by the HTTP routes and the file import (every row
 * of a CSV/Excel file goes through the same schema as a JSON body).
 */
export const kbId = z.string().trim().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'id: 1–64 letters, digits, _ . : or -');
const phrase = z.string().trim().min(1, '不能为空').max(500, '最多 500 字');
const category = z.string().trim().max(64, '分类最多 64 字').nullable().optional();

const mediaRef = z.looseObject({ media_id: z.string().optional(), mime: z.string().optional(), size: z.number().optional(), filename: z.string().optional() });
const menuItem = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('click'), id: z.string().min(1).max(64), content: z.string().min(1).max(128) }),
  z.strictObject({ type: z.literal('view'), url: z.url(), content: z.string().min(1).max(1024) }),
  z.strictObject({ type: z.literal('miniprogram'), appid: z.string().min(1).max(32), pagepath: z.string().min(1).max(1024), content: z.string().min(1).max(1024) }),
]);
/** rich answers: text, image, link, mini program card or a menu of choices */
export const answerContent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().trim().min(1, '答案不能为空').max(2000, '答案最多 2000 字') }),
  z.strictObject({ type: z.literal('image'), media: mediaRef }),
  z.strictObject({ type: z.literal('link'), title: z.string().min(1).max(128), desc: z.string().max(512).optional(), url: z.url(), pic_url: z.url().optional(), thumb: mediaRef.optional() }),
  z.strictObject({ type: z.literal('miniprogram'), title: z.string().min(1).max(64), appid: z.string().min(1).max(32), pagepath: z.string().min(1).max(1024), thumb: mediaRef.optional() }),
  z.strictObject({ type: z.literal('menu'), head: z.string().max(1024).optional(), items: z.array(menuItem).min(1).max(10), tail: z.string().max(1024).optional() }),
]);
export const faqAnswer = z.strictObject({
  tier: z.string().trim().min(1).max(32).nullable().optional().describe('customer tier (e.g. VIP); null = any'),
  channel: z.enum(['wecom_kf', 'web']).nullable().optional().describe('null = any channel'),
  content: answerContent,
});

export const intentInput = z.strictObject({
  id: kbId.optional().describe('optional: a stable id (generated when absent)'),
  name: z.string().trim().min(1, '名称不能为空').max(64, '名称最多 64 字'),
  category,
  examples: z.array(phrase).max(5000).default([]),
  action: z.enum(['answer', 'handoff']).default('answer'),
  skill: z.string().trim().max(32, '技能最多 32 字').nullable().transform((s) => s || null).optional()
    .describe('the agent skill a conversation about it needs when it goes to a human (e.g. 发票); empty or null: none'),
});
export type IntentInput = z.infer<typeof intentInput>;

export const faqInput = z.strictObject({
  id: kbId.optional().describe('optional: a stable id (generated when absent)'),
  intent_id: kbId.nullable().optional(),
  category,
  question: phrase,
  similar: z.array(phrase).max(1000).default([]),
  answers: z.array(faqAnswer).min(1, '至少需要一个答案').max(50),
});
export type FaqInput = z.infer<typeof faqInput>;

export const dictionariesSchema = z.strictObject({
  synonyms: z.array(z.strictObject({ term: phrase, synonyms: z.array(phrase).max(200) })).max(20_000).default([]),
  dialect: z.array(z.strictObject({ from: phrase, to: z.string().trim().max(500) })).max(20_000).default([]),
  domainTerms: z.array(phrase).max(50_000).default([]),
  sensitive: z.array(z.strictObject({ word: phrase, action: z.enum(['flag', 'block']) })).max(20_000).default([]),
  whitelist: z.array(phrase).max(20_000).default([]),
});

const cell = z.string().transform((s) => s.trim());
const optionalCell = z.string().optional().transform((s) => (s ?? '').trim() || undefined);
const pipeList = z.string().optional().transform((s) => [...new Set((s ?? '').split('|').map((x) => x.trim()).filter(Boolean))]);

/** one row of a FAQ file: id,category,intent,question,similar,answer */
export const faqFileRow = z.object({
  id: optionalCell.pipe(kbId.optional()),
  category: optionalCell.pipe(z.string().max(64, '分类最多 64 字').optional()),
  intent: optionalCell,
  question: cell.pipe(z.string().min(1, '问题不能为空').max(500, '问题最多 500 字')),
  similar: pipeList.pipe(z.array(z.string().max(500, '相似问最多 500 字'))),
  /** empty: keep the answers of an existing FAQ (a new one needs one) */
  answer: optionalCell.pipe(z.string().max(2000, '答案最多 2000 字').optional()),
});
export type FaqFileRow = z.infer<typeof faqFileRow>;

/** one row of an intents file: id,name,category,action,examples[,skill] */
export const intentFileRow = z.object({
  id: optionalCell.pipe(kbId.optional()),
  name: cell.pipe(z.string().min(1, '名称不能为空').max(64, '名称最多 64 字')),
  category: optionalCell.pipe(z.string().max(64, '分类最多 64 字').optional()),
  action: optionalCell.pipe(z.enum(['answer', 'handoff'], { message: 'action 只能是 answer 或 handoff' }).optional()),
  examples: pipeList.pipe(z.array(z.string().max(500, '例句最多 500 字')).min(1, '至少需要一个例句')),
  skill: optionalCell.pipe(z.string().max(32, '技能最多 32 字').optional()),
});
export type IntentFileRow = z.infer<typeof intentFileRow>;

/** one line of a historical conversation */
export const chatLogRow = z.object({
  conversation_id: cell.pipe(z.string().min(1, 'conversation_id 不能为空').max(128)),
  time: optionalCell,
  role: cell.transform((r) => r.toLowerCase()).pipe(
    z.string().transform((r, ctx) => {
      if (['customer', 'user', 'visitor', 'client', '客户', '顾客', '用户'].includes(r)) return 'customer' as const;
      if (['agent', 'servicer', 'staff', 'bot', '客服', '坐席', '机器人'].includes(r)) return 'agent' as const;
      ctx.addIssue({ code: 'custom', message: 'role 只能是 customer 或 agent' });
      return z.NEVER;
    }),
  ),
  text: cell.pipe(z.string().max(4000)),
});
export type ChatLogRow = z.infer<typeof chatLogRow>;

/** `path: message; …` for a row's problems */
export function describeIssues(e: z.ZodError): string {
  return e.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
}
