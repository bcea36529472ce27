import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './schema.js';
import * as m001 from './migrations/001_spine.js';
import * as m002 from './migrations/002_handoff.js';
import * as m003 from './migrations/003_knowledge.js';
import * as m004 from './migrations/004_bot.js';
import * as m006 from './migrations/006_routing.js';
import * as m007 from './migrations/007_quick_replies.js';
import * as m008 from './migrations/008_automation.js';
import * as m009 from './migrations/009_realtime.js';
import * as m005 from './migrations/005_tickets.js';
import * as notifyMigration from '../notify/migration.js';
import * as m010 from './migrations/010_queue.js';
import * as m012 from './migrations/012_workspace.js';
import * as m011 from './migrations/011_jobs.js';
import * as m013 from './migrations/013_admin.js';
import * as m014 from './migrations/014_region.js';
import * as m015 from './migrations/015_intent_skill.js';

export type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

const migrations: Record<string, Migration> = { '001_spine': m001, '002_handoff': m002, '003_knowledge': m003, '004_bot': m004, '005_notify': notifyMigration, '005_tickets': m005, '006_routing': m006, '007_quick_replies': m007, '008_automation': m008, '009_realtime': m009, '010_queue': m010, '012_workspace': m012, '011_jobs': m011, '013_admin': m013, '014_region': m014, '015_intent_skill': m015 };

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Opens the database named by a `sqlite:` path or `postgres://` URL. */
export async function openDb(url: string): Promise<{ db: Db; kind: DbKind }> {
  if (url.startsWith('postgres')) {
    const pg = await import('pg');
    // int8 (count(*)) as number, not string, so both dialects return the same types
    pg.default.types.setTypeParser(20, (v: string) => Number(v));
    const pool = new pg.default.Pool({ connectionString: url, max: 10 });
    // an idle connection that the server drops (PostgreSQL restart, admin termination) emits
    // 'error' on the pool; unhandled, that would crash the process. The pool discards the client
    // and opens a new one on the next query.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL idle connection lost: ${err.message}`));
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), kind: 'postgres' };
  }
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const { default: SQLite } = await import('better-sqlite3');
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) }), kind: 'sqlite' };
}

type SqliteDb = import('better-sqlite3').Database;

/**
 * Kysely prepares every query anew; preparing was a tenth of kefu's busy time in the ingest
 * benchmark. The same SQL text reuses its prepared statement (Kysely runs one query at a time
 * on the connection, so a statement is never in use twice).
 */
function withStatementCache(db: SqliteDb) {
  const cache = new Map<string, ReturnType<SqliteDb['prepare']>>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = db.prepare(sql);
        if (cache.size >= 1000) cache.delete(cache.keys().next().value!);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

export async function migrate(db: Db): Promise<void> {
  // modules add their own migrations; independent ones may land out of number order
  const { error, results } = await new Migrator({ db, provider, allowUnorderedMigrations: true }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
}

/** true when a write failed on a unique constraint, on either database */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === '23505' || err?.code === 'SQLITE_CONSTRAINT_UNIQUE' || err?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
