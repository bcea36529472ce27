/**
 * Chinese public holidays and make-up workdays (调休) from the chinese-days package
 * (github.com/vsme/chinese-days, data from the State Council's yearly notices, 2004 → 2026
 * as of 1.5.7). Update the package when a new notice is out (usually in November); until
 * then admins enter the next year by hand (CalendarDefinition.customYears).
 *
 * We read the package's published data file rather than calling `isWorkday()`: the data is
 * all we need, it is a pure lookup, and it keeps the library's own date parsing (which
 * depends on the machine's zone for some inputs) out of our arithmetic. The shape is checked
 * on load so a changed file fails loudly instead of silently giving "no holidays".
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { isCivilDate, yearOf, type CivilDate } from './civil-date.js';

export type YearArrangement = {
  /** days off, including the weekend days inside a holiday block */
  holidays: ReadonlyMap<CivilDate, string>;
  /** make-up workdays (调休上班), usually a Saturday or Sunday */
  workdays: ReadonlyMap<CivilDate, string>;
};

// value: "Spring Festival,春节,4" (English name, Chinese name, length in days)
const dayMap = z.record(z.string().refine(isCivilDate, 'date key YYYY-MM-DD'), z.string());
const fileSchema = z.object({ holidays: dayMap, workdays: dayMap });

function chineseName(value: string): string {
  return value.split(',')[1]?.trim() || value;
}

function load(): Map<number, YearArrangement> {
  const require = createRequire(import.meta.url);
  const raw: unknown = require('chinese-days/dist/chinese-days.json');
  const r = fileSchema.safeParse(raw);
  if (!r.success) throw new Error(`chinese-days data has an unexpected shape: ${r.error.issues[0]?.message}`);
  const years = new Map<number, { holidays: Map<string, string>; workdays: Map<string, string> }>();
  const year = (y: number) => {
    let e = years.get(y);
    if (!e) years.set(y, (e = { holidays: new Map(), workdays: new Map() }));
    return e;
  };
  for (const [d, v] of Object.entries(r.data.holidays)) year(yearOf(d)).holidays.set(d, chineseName(v));
  for (const [d, v] of Object.entries(r.data.workdays)) year(yearOf(d)).workdays.set(d, chineseName(v));
  return years;
}

let cache: Map<number, YearArrangement> | undefined;

/** The package's arrangement for a year, or undefined when the package does not cover it. */
export function cnArrangement(year: number): YearArrangement | undefined {
  cache ??= load();
  return cache.get(year);
}

/** Years the package covers, ascending. */
export function cnYears(): number[] {
  cache ??= load();
  return [...cache.keys()].sort((a, b) => a - b);
}
