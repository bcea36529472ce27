import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { KnowledgeService } from './service.js';
import { isDefaultText } from './import.js';

export type ExportKind = 'faqs' | 'intents';
export type ExportFormat = 'csv' | 'xlsx';

export const COLUMNS: Record<ExportKind, string[]> = {
  faqs: ['id', 'category', 'intent', 'question', 'similar', 'answer'],
  intents: ['id', 'name', 'category', 'action', 'examples', 'skill'],
};

/** The draft's FAQs or intents as rows of the import format (lists `|`-separated). */
export async function exportRows(k: KnowledgeService, kind: ExportKind): Promise<string[][]> {
  if (kind === 'intents') {
    return (await k.listIntents()).map((i) => [i.id, i.name, i.category ?? '', i.action ?? 'answer', i.examples.join('|'), i.skill ?? '']);
  }
  return (await k.listFaqs()).map((f) => {
    // only the default text answer: rich answers and tier/channel variants stay as they are on import
    const text = f.answers.find(isDefaultText);
    return [f.id, f.category ?? '', f.intent_id ?? '', f.question, f.similar.join('|'), text?.content.type === 'text' ? text.content.text : ''];
  });
}

export async function exportFile(k: KnowledgeService, kind: ExportKind, format: ExportFormat, now: Date): Promise<{ body: Buffer; contentType: string; filename: string }> {
  const rows = await exportRows(k, kind);
  const stamp = now.toISOString().slice(0, 10);
  if (format === 'csv') {
    // BOM: Excel opens UTF-8 CSV correctly only with it; the import skips it
    const body = Buffer.from('\uFEFF' + stringify([COLUMNS[kind], ...rows], { record_delimiter: '\r\n' }), 'utf8');
    return { body, contentType: 'text/csv; charset=utf-8', filename: `kefu-${kind}-${stamp}.csv` };
  }
  const wb = new ExcelJS.Workbook();
  wb.creator = 'kefu';
  const ws = wb.addWorksheet(kind);
  ws.addRow(COLUMNS[kind]);
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.columns.forEach((c, i) => {
    c.width = [14, 14, 14, 40, 50, 60][i] ?? 20;
  });
  const body = Buffer.from(await wb.xlsx.writeBuffer());
  return { body, contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', filename: `kefu-${kind}-${stamp}.xlsx` };
}
