import type { Logger } from '../core/logger.js';
import { AppError, badRequest } from '../core/errors.js';
import type { FaqAnswer } from '../bot/engine/types.js';
import type { KnowledgeService } from './service.js';
import type { Jobs, JobProgress } from './jobs.js';
import * as repo from './repo.js';
import { describeIssues, faqFileRow, intentFileRow } from './schemas.js';
import { formatOf, readTable, requireColumns, type TableRow } from './table.js';

export type ImportKind = 'faqs' | 'intents';
export const MAX_IMPORT_BYTES = 10 * 1024 * 1024;

const REQUIRED: Record<ImportKind, string[]> = { faqs: ['question', 'answer'], intents: ['name', 'examples'] };

/**
 * Imports FAQs or intents from a CSV or Excel file. The file is read at once (so an unreadable
 * file or missing columns fail the request); rows are then validated one by one in a job: a bad
 * row is reported with its number and reason and skipped, good rows are created or updated
 * (matched by id, else by question / name), so importing the same file twice changes nothing.
 */
export async function startImport(
  deps: { knowledge: KnowledgeService; jobs: Jobs; log: Logger },
  kind: ImportKind,
  file: { filename?: string; mime?: string; bytes: Buffer },
  by: string | null,
): Promise<string> {
  const format = formatOf(file.filename, file.mime);
  if (format !== 'csv' && format !== 'xlsx') throw new AppError(415, 'unsupported_file', '只支持 .csv 或 .xlsx 文件');
  const { columns, rows } = await readTable(file.bytes, format);
  if (!rows.length) throw badRequest('file_empty', '文件中没有数据行');
  requireColumns(columns, REQUIRED[kind]);
  const job = await deps.jobs.create(`import_${kind}`, { filename: file.filename, total: rows.length, by });
  void runImport(deps.knowledge, kind, rows, job).catch(async (err) => {
    deps.log.error({ err, job: job.id }, 'knowledge import failed');
    await job.finish('failed', (err as Error).message).catch(() => undefined);
  });
  return job.id;
}

async function runImport(k: KnowledgeService, kind: ImportKind, rows: TableRow[], job: JobProgress): Promise<void> {
  for (const r of rows) {
    try {
      const outcome = kind === 'faqs' ? await importFaqRow(k, r) : await importIntentRow(k, r);
      if (outcome === 'created') job.created++;
      else job.updated++;
    } catch (e) {
      job.error(r.row, e instanceof RowProblem || e instanceof AppError ? e.message : `无法保存：${(e as Error).message}`);
    }
    job.processed++;
    await job.flush();
  }
  await job.finish('done');
}

class RowProblem extends Error {}

async function importFaqRow(k: KnowledgeService, r: TableRow): Promise<'created' | 'updated'> {
  const parsed = faqFileRow.safeParse(r.values);
  if (!parsed.success) throw new RowProblem(describeIssues(parsed.error));
  const row = parsed.data;
  let intentId: string | null = null;
  if (row.intent) {
    const byId = await repo.getIntent(k.db, row.intent);
    const byName = byId ? undefined : await k.db.selectFrom('kb_intents').select('id').where('name', '=', row.intent).executeTakeFirst();
    intentId = byId?.id ?? byName?.id ?? null;
    if (!intentId) throw new RowProblem(`intent: 意图「${row.intent}」不存在`);
  }
  const existing =
    (row.id ? await repo.getFaq(k.db, row.id) : undefined) ??
    (await k.db.selectFrom('kb_faqs').selectAll().where('question', '=', row.question).orderBy('created_at').limit(1).executeTakeFirst().then((x) => x && repo.toFaq(x)));
  if (!existing && !row.answer) throw new RowProblem('answer: 答案不能为空');
  const text: FaqAnswer = { tier: null, channel: null, content: { type: 'text', text: row.answer ?? '' } };
  if (existing) {
    // the file's answer is the default text answer; tier/channel variants and rich answers stay
    const at = existing.answers.findIndex(isDefaultText);
    const answers = !row.answer ? existing.answers : at >= 0 ? existing.answers.map((a, i) => (i === at ? text : a)) : [text, ...existing.answers];
    await k.updateFaq(existing.id, { question: row.question, similar: row.similar, category: row.category ?? null, intent_id: intentId, answers });
    return 'updated';
  }
  await k.createFaq({ id: row.id, question: row.question, similar: row.similar, category: row.category ?? null, intent_id: intentId, answers: [text] });
  return 'created';
}

async function importIntentRow(k: KnowledgeService, r: TableRow): Promise<'created' | 'updated'> {
  const parsed = intentFileRow.safeParse(r.values);
  if (!parsed.success) throw new RowProblem(describeIssues(parsed.error));
  const row = parsed.data;
  const existing =
    (row.id ? await repo.getIntent(k.db, row.id) : undefined) ??
    (await k.db.selectFrom('kb_intents').selectAll().where('name', '=', row.name).limit(1).executeTakeFirst().then((x) => x && repo.toIntent(x)));
  // a file without a skill column (older exports, other tools) keeps the skills already set
  const skill = 'skill' in r.values ? (row.skill ?? null) : (existing?.skill ?? null);
  const input = { name: row.name, category: row.category ?? null, action: row.action ?? 'answer', examples: row.examples, skill } as const;
  if (existing) {
    await k.updateIntent(existing.id, { ...input, examples: [...input.examples] });
    return 'updated';
  }
  await k.createIntent({ id: row.id, ...input, examples: [...input.examples] });
  return 'created';
}

/** the answer a CSV row stands for: plain text for any tier and channel */
export const isDefaultText = (a: FaqAnswer) => !a.tier && !a.channel && a.content.type === 'text';
