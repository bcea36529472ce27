import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { badRequest } from '../core/errors.js';

/** One data row of an uploaded table: `row` is its 1-based number after the header. */
export type TableRow = { row: number; values: Record<string, string> };
export type FileFormat = 'csv' | 'xlsx' | 'json';

export function formatOf(filename: string | undefined, mime?: string): FileFormat | null {
  const name = (filename ?? '').toLowerCase();
  if (name.endsWith('.csv') || mime === 'text/csv') return 'csv';
  if (name.endsWith('.xlsx') || mime === 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet') return 'xlsx';
  if (name.endsWith('.json') || mime === 'application/json') return 'json';
  return null;
}

/** UTF-8 text (with or without BOM); files saved by Chinese Excel as GB18030 are decoded as such. */
export function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

/** Column aliases so files exported by other tools (or typed by hand in Chinese) are understood. */
const ALIASES: Record<string, string> = {
  编号: 'id', 分类: 'category', 类别: 'category', 意图: 'intent', 问题: 'question', 标准问题: 'question', 标准问: 'question',
  相似问: 'similar', 相似问题: 'similar', 答案: 'answer', 回答: 'answer', 名称: 'name', 意图名称: 'name', 动作: 'action',
  例句: 'examples', 示例: 'examples', 技能: 'skill', 会话: 'conversation_id', 会话id: 'conversation_id', 时间: 'time', 角色: 'role', 内容: 'text', 消息: 'text',
};
const headerKey = (h: string) => {
  const k = h.replace(/^\uFEFF/, '').trim().toLowerCase();
  return ALIASES[k] ?? k;
};

function toRows(matrix: string[][]): { columns: string[]; rows: TableRow[] } {
  const headerAt = matrix.findIndex((r) => r.some((c) => c.trim() !== ''));
  if (headerAt < 0) return { columns: [], rows: [] };
  const columns = matrix[headerAt].map(headerKey);
  const rows: TableRow[] = [];
  matrix.slice(headerAt + 1).forEach((cells, n) => {
    if (!cells.some((c) => c.trim() !== '')) return;
    const values: Record<string, string> = {};
    columns.forEach((c, j) => {
      if (c) values[c] = cells[j] ?? '';
    });
    rows.push({ row: n + 1, values });
  });
  return { columns, rows };
}

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('formula' in v || 'sharedFormula' in v) return cellText((v as { result?: ExcelJS.CellValue }).result ?? null);
    if ('hyperlink' in v) return String((v as { text?: unknown }).text ?? v.hyperlink);
    if ('error' in v) return '';
  }
  return String(v);
}

/** Reads the first sheet of an .xlsx or a .csv file into header-keyed rows. */
export async function readTable(bytes: Buffer, format: 'csv' | 'xlsx'): Promise<{ columns: string[]; rows: TableRow[] }> {
  if (format === 'csv') {
    let matrix: string[][];
    try {
      matrix = parse(decodeText(bytes), { bom: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: false }) as string[][];
    } catch (e) {
      throw badRequest('file_unreadable', `CSV 无法解析：${(e as Error).message}`);
    }
    return toRows(matrix);
  }
  const wb = new ExcelJS.Workbook();
  try {
    await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (e) {
    throw badRequest('file_unreadable', `Excel 文件无法读取：${(e as Error).message}`);
  }
  const ws = wb.worksheets[0];
  if (!ws) return { columns: [], rows: [] };
  const matrix: string[][] = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    const cells: string[] = [];
    for (let c = 1; c <= ws.columnCount; c++) cells.push(cellText(row.getCell(c).value));
    matrix[n - 1] = cells;
  });
  for (let i = 0; i < matrix.length; i++) matrix[i] ??= [];
  return toRows(matrix);
}

export function requireColumns(columns: string[], required: string[]): void {
  const missing = required.filter((c) => !columns.includes(c));
  if (missing.length) throw badRequest('bad_columns', `文件缺少列：${missing.join(', ')}（需要表头 ${required.join(',')}）`, { missing, found: columns });
}
