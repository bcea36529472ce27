/**
 * Fetches the public benchmark data of the evaluation figures in docs/architecture.md and writes
 * CSV files for the eval CLI (the data is not ours to commit, so it is fetched, not stored):
 *
 *   node --import tsx server/src/bot/engine/eval-data.ts /tmp/kefu-eval
 *
 * - SMP2017-ECDT task 1 (31 domains of short Chinese requests), from the GitHub repository
 *   NOXITONG/SMP2017-ECDT-task1, preprocessing/Chinese_data.csv: the official training set
 *   (2,299 rows) followed by the official development set (770 rows), each sorted by label. The
 *   second block starts where the label order starts again; it is our test set.
 *   → smp-train.csv, smp-test.csv (text,label)
 * - ATEC 2018 / AFQMC paraphrase pairs (Ant Financial customer-service questions), from
 *   liuaiting/ATEC, data/atec_nlp_sim_train.csv, in three disjoint blocks of rows. In each, the
 *   first question of a paraphrase pair is a FAQ and the second its query; the first questions
 *   of the non-paraphrase pairs are extra FAQs that compete.
 *   → faq.csv, queries.csv: rows 1–454 (non-paraphrase FAQs from rows 1–273 only; 95 queries,
 *     312 FAQs), the first protocol;
 *   → faq-large.csv, queries-large.csv: rows 455–2,700 (434 queries, 2,246 FAQs);
 *   → faq-fit.csv, queries-fit.csv: rows 2,721–5,392 (586 queries, 2,668 FAQs), the data the
 *     re-ranker's weights were fitted on (fit-ranker.ts), never reported as a result.
 * A local file path instead of a URL (SMP_URL, ATEC_URL) works too.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SMP_URL = process.env.SMP_URL ?? 'https://raw.githubusercontent.com/NOXITONG/SMP2017-ECDT-task1/master/preprocessing/Chinese_data.csv';
const ATEC_URL = process.env.ATEC_URL ?? 'https://raw.githubusercontent.com/liuaiting/ATEC/master/data/atec_nlp_sim_train.csv';

async function fetchText(src: string): Promise<string> {
  if (!/^https?:/.test(src)) return readFileSync(src, 'utf8');
  const res = await fetch(src);
  if (!res.ok) throw new Error(`${src}: HTTP ${res.status}`);
  return res.text();
}

const cell = (s: string) => `"${s.replace(/"/g, '""')}"`;

async function main(): Promise<void> {
  const out = process.argv[2];
  if (!out) throw new Error('usage: eval-data.ts <output directory>');
  mkdirSync(out, { recursive: true });

  const rows = (await fetchText(SMP_URL))
    .split(/\r?\n/)
    .slice(1)
    .map((l) => l.split('\t'))
    .filter((r) => r.length >= 2 && r[0].trim() && r[1].trim())
    .map(([text, label]) => ({ text: text.trim().replace(/^\uFEFF/, ''), label: label.trim() }));
  // both blocks are sorted by label: the test block begins where the label goes back
  const split = rows.findIndex((r, i) => i > 0 && r.label < rows[i - 1].label);
  if (split < 0) throw new Error('SMP2017: no second block found');
  const csv = (part: typeof rows) => ['text,label', ...part.map((r) => `${cell(r.text)},${r.label}`)].join('\n') + '\n';
  writeFileSync(join(out, 'smp-train.csv'), csv(rows.slice(0, split)));
  writeFileSync(join(out, 'smp-test.csv'), csv(rows.slice(split)));

  const pairs = (await fetchText(ATEC_URL))
    .split(/\r?\n/)
    .map((l) => l.split('\t'))
    .filter((r) => r.length === 4)
    .map(([n, a, b, same]) => ({ n: Number(n), a: a.trim(), b: b.trim(), same: same.trim() === '1' }));
  const block = (name: string, from: number, to: number, extraTo = to) => {
    const ids = new Map<string, string>();
    const faq = ['id,question'];
    const id = (q: string) => {
      let v = ids.get(q);
      if (!v) {
        ids.set(q, (v = `f${ids.size + 1}`));
        faq.push(`${v},${cell(q)}`);
      }
      return v;
    };
    const queries = ['query,expected_id'];
    const inBlock = (n: number, end: number) => n >= from && n <= end;
    for (const p of pairs) if (inBlock(p.n, to) && p.same) queries.push(`${cell(p.b)},${id(p.a)}`);
    for (const p of pairs) if (inBlock(p.n, extraTo) && !p.same) id(p.a);
    writeFileSync(join(out, `faq${name}.csv`), faq.join('\n') + '\n');
    writeFileSync(join(out, `queries${name}.csv`), queries.join('\n') + '\n');
    return `${ids.size} FAQs / ${queries.length - 1} queries`;
  };
  const atec = [block('', 1, 454, 273), block('-large', 455, 2700), block('-fit', 2721, 5392)];
  process.stdout.write(`SMP2017: ${split} train, ${rows.length - split} test; ATEC: ${atec.join(', ')} → ${out}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`eval-data: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
