import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration from the environment', () => {
  it('runs the demo with no variables set', () => {
    const c = loadConfig({});
    expect(c.KEFU_PORT).toBe(3000);
    expect(c.KEFU_DATABASE_URL).toBe('sqlite:./data/kefu.db');
    expect(c.WECOM_API_BASE).toBe('http://127.0.0.1:3100');
  });

  it('switches to PostgreSQL with a postgres:// URL', () => {
    expect(loadConfig({ KEFU_DATABASE_URL: 'postgres://u@db:5432/kefu' }).KEFU_DATABASE_URL).toBe('postgres://u@db:5432/kefu');
  });

  it('names every bad value with a clear message', () => {
    let err: ConfigError | undefined;
    try {
      loadConfig({ KEFU_PORT: '99999', KEFU_DATABASE_URL: 'mysql://x', WECOM_ENCODING_AES_KEY: 'short', WECOM_API_BASE: 'not a url', WECOM_CORP_ID: 'bad id!' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const text = err!.problems.join('\n');
    for (const name of ['KEFU_PORT', 'KEFU_DATABASE_URL', 'WECOM_ENCODING_AES_KEY', 'WECOM_API_BASE', 'WECOM_CORP_ID']) expect(text).toContain(name);
    expect(text).toMatch(/43/);
    expect(err!.problems).toHaveLength(5);
  });

  it('refuses to start with a bad value and says which (exit code 78)', () => {
    const main = fileURLToPath(new URL('./main.ts', import.meta.url));
    const r = spawnSync(process.execPath, ['--import', 'tsx', main], { env: { ...process.env, KEFU_PORT: 'abc', WECOM_TOKEN: 'has spaces' }, encoding: 'utf8' });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('KEFU_PORT');
    expect(r.stderr).toContain('WECOM_TOKEN');
  });
});
