/**
 * Evaluation from the command line.
 *
 *   npm run --silent eval -- --train train.csv --test test.csv [--json]     (header text,label)
 *   npm run --silent eval -- --data data.csv --cv 5 [--json]               (k-fold on one file)
 *   npm run --silent eval -- --faq faq.csv --queries queries.csv [--json]  (id,question / query,expected_id)
 *   npm run --silent eval -- --knowledge dir|file.json --cv 5 [--json]     (a knowledge snapshot)
 *
 * Options: --dict dictionaries.json (synonyms, dialect, domainTerms, …), --seed n, --full (with
 * --json: include per-intent metrics, confusion matrix and bad cases). With --json exactly one
 * JSON object is printed on one line. In a FAQ file, several rows with the same id are one FAQ:
 * the first is its standard question, the others its similar questions.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { cliPath as path, readCsv, readFaqs, readQueries } from './eval-files.js';
import { crossValidate, evaluateFaq, evaluateSplit, type LabeledExample, type TimedReport } from './evaluate.js';
import { EMPTY_DICTIONARIES, intentExamples } from './model.js';
import type { Dictionaries, Faq, KnowledgeSnapshot } from './types.js';


function examples(file: string): LabeledExample[] {
  return readCsv(file, ['text', 'label'])
    .map((r) => ({ text: String(r.text ?? ''), label: String(r.label ?? '') }))
    .filter((e) => e.text && e.label);
}

const zDict = z.object({
  synonyms: z.array(z.object({ term: z.string(), synonyms: z.array(z.string()) })).default([]),
  dialect: z.array(z.object({ from: z.string(), to: z.string() })).default([]),
  domainTerms: z.array(z.string()).default([]),
  sensitive: z.array(z.object({ word: z.string(), action: z.enum(['flag', 'block']) })).default([]),
  whitelist: z.array(z.string()).default([]),
});

function dictionaries(file?: string): Dictionaries {
  if (!file) return EMPTY_DICTIONARIES;
  return zDict.parse(JSON.parse(readFileSync(path(file), 'utf8')));
}

/** a knowledge snapshot: one JSON file, or a folder of JSON files (intents / faqs / dictionaries) */
function knowledge(p: string): KnowledgeSnapshot {
  const full = path(p);
  const files = statSync(full).isDirectory()
    ? readdirSync(full)
        .filter((f) => f.endsWith('.json'))
        .map((f) => join(full, f))
    : [full];
  const snap: KnowledgeSnapshot = { version: 0, intents: [], faqs: [], dictionaries: { ...EMPTY_DICTIONARIES } };
  for (const f of files) {
    const data = JSON.parse(readFileSync(f, 'utf8')) as unknown;
    absorb(snap, data);
  }
  return snap;
}

function absorb(snap: KnowledgeSnapshot, data: unknown): void {
  if (Array.isArray(data)) {
    for (const item of data) {
      if (item && typeof item === 'object' && 'examples' in item) snap.intents.push(item as KnowledgeSnapshot['intents'][number]);
      else if (item && typeof item === 'object' && 'question' in item) snap.faqs.push({ similar: [], answers: [], ...(item as object) } as unknown as Faq);
    }
    return;
  }
  if (!data || typeof data !== 'object') return;
  const o = data as Record<string, unknown>;
  if (Array.isArray(o.intents)) absorb(snap, o.intents);
  if (Array.isArray(o.faqs)) absorb(snap, o.faqs);
  const d = (o.dictionaries ?? (['synonyms', 'dialect', 'domainTerms', 'sensitive', 'whitelist'].some((k) => k in o) ? o : null)) as Partial<Dictionaries> | null;
  if (d) {
    const p = zDict.partial().parse(d);
    for (const k of Object.keys(p) as (keyof Dictionaries)[]) {
      (snap.dictionaries[k] as unknown[]) = [...(snap.dictionaries[k] as unknown[]), ...((p[k] as unknown[]) ?? [])];
    }
  }
}

function summary(r: TimedReport, full: boolean): Record<string, unknown> {
  const { per_intent, confusion, bad_cases, labels, ...head } = r;
  return full ? { ...head, labels, per_intent, confusion, bad_cases } : { ...head, labels: labels.length, bad_cases: bad_cases.slice(0, 20) };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      train: { type: 'string' },
      test: { type: 'string' },
      data: { type: 'string' },
      cv: { type: 'string' },
      faq: { type: 'string' },
      queries: { type: 'string' },
      knowledge: { type: 'string' },
      dict: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean', default: false },
      full: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const seed = values.seed ? Number(values.seed) : 42;
  const train = { seed };
  let out: Record<string, unknown>;
  if (values.train && values.test) {
    const r = evaluateSplit(examples(values.train), examples(values.test), { dictionaries: dictionaries(values.dict), train, seed, maxBadCases: 200 });
    out = { mode: 'split', n_train: examples(values.train).length, n_test: r.n, ...summary(r, values.full) };
  } else if (values.faq && values.queries) {
    const queries = readQueries(values.queries);
    out = { mode: 'faq', ...evaluateFaq(readFaqs(values.faq), queries, { dictionaries: dictionaries(values.dict), train, seed }) };
  } else if ((values.data || values.knowledge) && values.cv) {
    const k = Number(values.cv);
    let ex: LabeledExample[];
    let dict = dictionaries(values.dict);
    let names: Record<string, string> | undefined;
    if (values.knowledge) {
      const snap = knowledge(values.knowledge);
      ex = intentExamples(snap);
      if (!values.dict) dict = snap.dictionaries;
      names = Object.fromEntries(snap.intents.map((i) => [i.id, i.name]));
    } else ex = examples(values.data!);
    const r = crossValidate(ex, k, { dictionaries: dict, train, seed, names, maxBadCases: 200 });
    const { folds, k: kk, ...rest } = r;
    out = { mode: 'cv', k: kk, folds, ...summary(rest, values.full) };
  } else {
    process.stderr.write(
      'usage: eval --train train.csv --test test.csv [--json]\n' +
        '       eval --faq faq.csv --queries queries.csv [--json]\n' +
        '       eval --data data.csv --cv 5 [--json]   |   eval --knowledge dir --cv 5 [--json]\n' +
        '       options: --dict dictionaries.json --seed n --full\n',
    );
    process.exitCode = values.help ? 0 : 2;
    return;
  }
  if (values.json) {
    process.stdout.write(JSON.stringify(out) + '\n');
    return;
  }
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'object' || v === null) process.stdout.write(`${k.padEnd(30)} ${String(v)}\n`);
  }
  const bad = (out.bad_cases ?? out.misses) as unknown[] | undefined;
  if (bad?.length) {
    process.stdout.write(`\nfirst errors:\n`);
    for (const b of bad.slice(0, 15)) process.stdout.write(`  ${JSON.stringify(b)}\n`);
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`eval: ${(e as Error).message}\n`);
  process.exitCode = 1;
}
