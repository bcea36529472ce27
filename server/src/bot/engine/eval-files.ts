/**
 * The evaluation's CSV files, read the same way by the eval CLI and fit-ranker.ts: a FAQ file
 * (id,question — several rows with one id are one FAQ: its standard question, then its similar
 * questions; an optional intent_id column) and a query file (query,expected_id).
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FaqQuery } from './evaluate.js';
import type { Faq } from './types.js';

/** relative to where `npm run` was called (INIT_CWD), not to the workspace npm switches to */
export const cliPath = (p: string) => (isAbsolute(p) ? p : resolve(process.env.INIT_CWD ?? process.cwd(), p));

export function readCsv(file: string, columns: string[]): Record<string, string>[] {
  const rows = parse(readFileSync(cliPath(file)), { columns: true, bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as Record<string, string>[];
  if (rows.length > 0) {
    for (const c of columns) if (!(c in rows[0])) throw new Error(`${file}: missing column "${c}" (header must contain ${columns.join(',')})`);
  }
  return rows;
}

export function readFaqs(file: string): Faq[] {
  const byId = new Map<string, Faq>();
  for (const row of readCsv(file, ['id', 'question'])) {
    const id = String(row.id ?? '');
    const q = String(row.question ?? '');
    if (!id || !q) continue;
    const f = byId.get(id);
    if (f) f.similar.push(q);
    else byId.set(id, { id, question: q, similar: [], answers: [], intent_id: row.intent_id || null });
  }
  return [...byId.values()];
}

export function readQueries(file: string): FaqQuery[] {
  return readCsv(file, ['query', 'expected_id'])
    .map((r) => ({ query: String(r.query ?? ''), expected_id: String(r.expected_id ?? '') }))
    .filter((q) => q.query && q.expected_id);
}
