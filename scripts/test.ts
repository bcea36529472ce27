import { execSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { ensureService } from './services.js';

/**
 * `npm test`: everything the README promises, in one run — services up, the browser installed,
 * the web app built, types checked, then unit, SQLite, PostgreSQL and browser tests.
 */
const run = (cmd: string) => execSync(cmd, { stdio: 'inherit', shell: '/bin/bash' });

await ensureService('postgresql');
await ensureService('redis');
run('bash scripts/ensure-browser.sh');
run('npm run --silent build -w web');
run('npm run --silent typecheck');

mkdirSync('.test-artifacts', { recursive: true });
const extra = process.argv.slice(2);
const r = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile.json=.test-artifacts/vitest.json', ...extra], { stdio: 'inherit' });

let summary = '';
try {
  const j = JSON.parse(readFileSync('.test-artifacts/vitest.json', 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
  summary = `${j.numPassedTests} passed, ${j.numFailedTests} failed, ${j.numPendingTests} skipped`;
} catch {
  summary = '0 passed, 1 failed';
}
console.log(`\n${summary}`);
process.exit(r.status ?? 1);
