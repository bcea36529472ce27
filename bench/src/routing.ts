/**
 * Routing benchmark: decisions per second with BENCH_ROUTING_AGENTS agents (default 500, in 2
 * teams, 1–3 skills at levels 1–3, capacity 4), on the database under test, kefu in this process
 * (the measured path is kefu's own code on its real database; there is no network in it).
 *
 *   BENCH_ONLY=routing npm run bench                  # both databases
 *   BENCH_ONLY=routing BENCH_DB=sqlite npm run bench
 *
 * Phases, each BENCH_REPS times (median reported):
 *  - arrivals: BENCH_ROUTING_CONVERSATIONS website conversations (default 400) arrive at
 *    concurrency 16 while every agent is online; each one is stored by the hub and routed (all
 *    500 agents ranked, capacity taken with the conditional UPDATE, the decision stored).
 *    Rate = assignments / (first arrival → routing idle).
 *  - drain: the same number wait in the queue with everyone offline; all agents come online at
 *    once and the queue is pulled. Rate = assignments / (online → routing idle): routing alone.
 * Checked after each phase: nobody over capacity (the DB's own count per agent).
 * The ratio is to the echo server's req/s (the bare Fastify baseline of the same run).
 */
import { loadConfig } from '../../server/src/config.js';
import { startKefu, type Kefu } from '../../server/src/app.js';
import { createLogger } from '../../server/src/core/logger.js';
import { newId } from '../../server/src/core/ids.js';
import { createDb, envInt, freePort, median, PG_ADMIN_URL, pool, stageLog, type DbKind } from './lib.js';

const CFG = {
  agents: envInt('BENCH_ROUTING_AGENTS', 500),
  conversations: envInt('BENCH_ROUTING_CONVERSATIONS', 400),
  reps: envInt('BENCH_REPS', 3),
  capacity: 4,
  pgAdminUrl: PG_ADMIN_URL,
};
const SKILLS = ['退换货', '发票', '物流', '过敏处理', '产品咨询', '活动规则', 'English'];
const log = stageLog('routing');

export type RoutingResult = {
  db: DbKind;
  agents: number;
  conversations: number;
  /** decisions (assignments) per second, median of the reps, and each rep */
  arrivals?: { per_s: number; reps: number[] };
  drain?: { per_s: number; reps: number[] };
  over_capacity: number;
  /** rate ÷ the echo server's req/s */
  vs_echo?: { arrivals: number; drain: number } | null;
  error?: string;
};

type Tables = {
  users: { id: string; username: string; display_name: string; password_hash: string; role: string; created_at: string };
  agent_profiles: { user_id: string; team_id: string | null; skills_json: string; status: string; capacity: number; rating: number; load: number; last_assigned_at: string | null; status_changed_at: string; updated_at: string; wecom_userid: string | null };
  conversations: { id: string; status: string; assignee_id: string | null; closed_at: string | null };
};

/** 500 agents in one insert each (500 argon2 hashes through the API would take minutes, and are not what is measured). */
async function seedAgents(kefu: Kefu): Promise<void> {
  const db = kefu.db.withTables<Tables>();
  const now = new Date().toISOString();
  const teams = [await kefu.routing.service.teamId('售前'), await kefu.routing.service.teamId('售后')];
  for (let i = 0; i < CFG.agents; i += 250) {
    const batch = Array.from({ length: Math.min(250, CFG.agents - i) }, (_, k) => i + k);
    const ids = batch.map(() => newId('u'));
    await db.insertInto('users').values(batch.map((n, k) => ({ id: ids[k]!, username: `bench${n}`, display_name: `坐席${n}`, password_hash: 'x', role: 'agent', created_at: now }))).execute();
    await db.insertInto('agent_profiles').values(batch.map((n, k) => {
      const skills: Record<string, number> = {};
      for (let s = 0; s <= n % 3; s++) skills[SKILLS[(n + s * 3) % SKILLS.length]!] = 1 + ((n + s) % 3);
      return {
        user_id: ids[k]!, team_id: teams[n % 2]!, skills_json: JSON.stringify(skills), status: 'offline', capacity: CFG.capacity,
        rating: 3 + (n % 5) * 0.5, load: 0, last_assigned_at: null, status_changed_at: now, updated_at: now, wecom_userid: null,
      };
    })).execute();
  }
}

/** Closes the round's conversations and frees every agent, straight in the database (setup, not measured). */
async function resetRound(kefu: Kefu, online: boolean): Promise<void> {
  const db = kefu.db.withTables<Tables>();
  await db.updateTable('conversations').set({ status: 'closed', closed_at: new Date().toISOString() }).where('status', '<>', 'closed').execute();
  await db.updateTable('agent_profiles').set({ load: 0, status: online ? 'online' : 'offline' }).execute();
}

let seq = 0;
const arrive = (kefu: Kefu, n: number) => pool(n, 16, async () => {
  const ext = `bench-${++seq}`;
  await kefu.hub.ingest({ channel: 'web', channel_account: 'web', external_id: ext, customer: { display_name: `访客${seq}` }, dedupe_key: `bench:${ext}`, content: { type: 'text', text: seq % 3 ? '我要退货' : '发票怎么开' } });
});

async function assignedNow(kefu: Kefu): Promise<number> {
  const r = await kefu.db.withTables<Tables>().selectFrom('conversations').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'assigned').executeTakeFirstOrThrow();
  return Number(r.n);
}

async function overCapacity(kefu: Kefu): Promise<number> {
  const rows = await kefu.db.withTables<Tables>().selectFrom('conversations').select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'assigned').groupBy('assignee_id').execute();
  return rows.filter((r) => Number(r.n) > CFG.capacity).length;
}

export async function benchRouting(kind: DbKind, echoReqPerS: number | null): Promise<RoutingResult> {
  const db = await createDb(kind, CFG.pgAdminUrl);
  const port = await freePort();
  const config = loadConfig({
    KEFU_PORT: String(port), KEFU_HOST: '127.0.0.1', KEFU_DATABASE_URL: db.url, KEFU_DATA_DIR: db.dataDir, KEFU_LOG_LEVEL: 'error',
    KEFU_DEMO_DATA: 'false', WECOM_API_BASE: 'http://127.0.0.1:9', KEFU_SCHEDULER_POLL_MS: '0',
  });
  const kefu = await startKefu(config, { logger: createLogger('error'), soothingTickMs: 0 });
  const out: RoutingResult = { db: kind, agents: CFG.agents, conversations: CFG.conversations, over_capacity: 0 };
  try {
    kefu.hub.setNewConversationPolicy(() => 'queued'); // the bot would answer first; routing is measured
    log(`${kind}: seeding ${CFG.agents} agents`);
    await seedAgents(kefu);
    const arrivals: number[] = [];
    const drains: number[] = [];
    for (let rep = 0; rep < CFG.reps; rep++) {
      await resetRound(kefu, true);
      let t = performance.now();
      await arrive(kefu, CFG.conversations);
      await kefu.routing.service.idle();
      arrivals.push((await assignedNow(kefu)) / ((performance.now() - t) / 1000));
      out.over_capacity += await overCapacity(kefu);

      await resetRound(kefu, false);
      await arrive(kefu, CFG.conversations);
      await kefu.routing.service.idle();
      await kefu.db.withTables<Tables>().updateTable('agent_profiles').set({ status: 'online' }).execute();
      t = performance.now();
      kefu.routing.service.kick();
      await kefu.routing.service.idle();
      drains.push((await assignedNow(kefu)) / ((performance.now() - t) / 1000));
      out.over_capacity += await overCapacity(kefu);
      log(`${kind}: rep ${rep + 1}: arrivals ${arrivals.at(-1)!.toFixed(0)}/s, drain ${drains.at(-1)!.toFixed(0)}/s`);
    }
    out.arrivals = { per_s: median(arrivals), reps: arrivals };
    out.drain = { per_s: median(drains), reps: drains };
    out.vs_echo = echoReqPerS ? { arrivals: out.arrivals.per_s / echoReqPerS, drain: out.drain.per_s / echoReqPerS } : null;
    return out;
  } finally {
    await kefu.close();
    await db.drop();
  }
}

export function printRouting(r: RoutingResult): void {
  console.log(`\nrouting — ${r.db}, ${r.agents} agents × capacity ${CFG.capacity}, ${r.conversations} conversations per phase`);
  if (r.error) {
    console.log(`  failed: ${r.error}`);
    return;
  }
  const f0 = (x: number) => x.toFixed(0);
  const ratio = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(3));
  console.log(`  arrivals (store + route):  ${f0(r.arrivals!.per_s)} decisions/s  (reps ${r.arrivals!.reps.map(f0).join(', ')}; ÷ echo ${ratio(r.vs_echo?.arrivals)})`);
  console.log(`  queue drain (route only):  ${f0(r.drain!.per_s)} decisions/s  (reps ${r.drain!.reps.map(f0).join(', ')}; ÷ echo ${ratio(r.vs_echo?.drain)})`);
  console.log(`  agents over capacity:      ${r.over_capacity}`);
}
