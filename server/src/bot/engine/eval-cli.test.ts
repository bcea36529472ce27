import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = fileURLToPath(new URL('./eval-cli.ts', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function evalJson(args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', cli, ...args, '--json'], { timeout: 60_000 });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe('eval CLI', () => {
  it('evaluates a train / test split of text,label CSVs', async () => {
    const r = await evalJson(['--train', fixture('train.csv'), '--test', fixture('test.csv')]);
    for (const k of ['accuracy', 'macro_f1', 'train_ms', 'predict_p99_ms']) expect(typeof r[k], k).toBe('number');
    expect(r.n_test).toBe(6);
    expect(r.accuracy).toBeGreaterThanOrEqual(5 / 6);
  }, 60_000);

  it('evaluates FAQ matching with the character BM25 baseline', async () => {
    const r = await evalJson(['--faq', fixture('faq.csv'), '--queries', fixture('queries.csv')]);
    for (const k of ['hit_at_1', 'hit_at_3', 'mrr', 'query_p99_ms', 'baseline_bm25_char_hit_at_1', 'only_ours_at_1', 'only_baseline_at_1', 'sign_test_p']) expect(typeof r[k], k).toBe('number');
    expect(r.faqs).toBe(6);
    expect(r.hit_at_1).toBeGreaterThanOrEqual(5 / 6);
  }, 60_000);

  it('cross-validates one file', async () => {
    const r = await evalJson(['--data', fixture('train.csv'), '--cv', '3']);
    expect(r.k).toBe(3);
    expect(typeof r.accuracy).toBe('number');
  }, 60_000);

  it('fails with a message on a bad header', async () => {
    await expect(run(process.execPath, ['--import', 'tsx', cli, '--train', fixture('queries.csv'), '--test', fixture('test.csv'), '--json'])).rejects.toMatchObject({
      stderr: expect.stringContaining('missing column'),
    });
  }, 60_000);
});
