/**
 * SLA timer benchmark: BENCH_SLA_TICKETS open tickets (default 100,000), each with three SLA
 * timers on kefu's durable scheduler (300,000 pending jobs). The first escalations of
 * BENCH_SLA_DUE of them (default 3,000) fall due evenly within a window of BENCH_SLA_WINDOW_S
 * seconds (default 60: a peak of 50 escalations a second, each with its WeCom and e-mail
 * notification jobs); the others fall due from an hour later over 8 hours, so they are pending
 * throughout. One kefu process (its real scheduler, escalation handler and notifications to the
 * WeCom simulator) fires them; this process measures. BENCH_SLA_DUE=10000 is the stress case
 * (167 a second).
 *
 *   BENCH_ONLY=sla npm run bench                 # both databases
 *   BENCH_ONLY=sla BENCH_DB=postgres npm run bench
 *   BENCH_PROFILE=/tmp/prof …                    # + a V8 CPU profile of kefu
 *
 * Seeding is bulk inserts (the tickets as the API would store them, urgent on the 7×24 policy:
 * level 1 after 30 min → red flag + WeCom/e-mail to the department head; level 2 and the
 * resolution warning as further pending timers), not 100,000 API calls. created_at is set so
 * that the first-response clock reaches 30 min exactly at each ticket's due instant, so the
 * handler's own SLA arithmetic agrees the escalation is due (it re-checks).
 *
 * Measured:
 *  - lateness of each escalation: the escalation event's timestamp (taken by the handler when
 *    it escalates) minus the due instant; max and p99, fired vs expected, and that no ticket
 *    escalated twice; aim: every one within 1 s;
 *  - kefu's RSS and CPU (from /proc) while idle with all timers pending, and at the peak.
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { Kysely } from 'kysely';
import { migrate, openDb } from '../../server/src/db/connect.js';
import { createDb, envInt, freePort, launch, PG_ADMIN_URL, percentile, sleep, stageLog, type DbKind, type Proc } from './lib.js';

const env = process.env;
const CFG = {
  tickets: envInt('BENCH_SLA_TICKETS', 100_000),
  due: envInt('BENCH_SLA_DUE', 3_000),
  windowS: envInt('BENCH_SLA_WINDOW_S', 60),
  /** quiet time before the window, measured as "idle" */
  idleS: envInt('BENCH_SLA_IDLE_S', 8),
  pgAdminUrl: PG_ADMIN_URL,
};
const AIM_LATE_MS = 1000;
const LEVEL1_MIN = 30; // sla_urgent: first response, level 1 after 30 min (7×24 calendar)
const LATER_MS = 8 * 3_600_000; // where the tickets not due in the window fall due

const DEMO = { corpId: 'ww5823bf96d3bd56c7', token: 'kefuDemoToken', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', secret: 'kefu-demo-kf-secret' };
const log = stageLog('sla');

export type SlaResult = {
  db: DbKind;
  tickets: number;
  pending_jobs: number;
  window_s: number;
  seed_s: number;
  expected: number;
  fired: number;
  twice: number;
  late_ms: { p50: number; p99: number; max: number };
  within_1s: number;
  /** escalations per second kefu sustained in the busiest second */
  peak_per_s: number;
  idle: Usage;
  peak: Usage;
  error?: string;
};
type Usage = { rss_mb: number; cpu_pct: number };

// ---------------------------------------------------------------------------------------------
// /proc sampling of the kefu process
// ---------------------------------------------------------------------------------------------

function sample(pid: number): { t: number; ticks: number; rssKb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { t: performance.now(), ticks: Number(f[11]) + Number(f[12]), rssKb: rss ? Number(rss[1]) : 0 };
}

/** Samples every 250 ms; usage(from, to) = CPU % of one core over 1 s steps (the worst) and the largest RSS. */
function sampler(pid: number) {
  const samples = [sample(pid)];
  const timer = setInterval(() => {
    try {
      samples.push(sample(pid));
    } catch {
      /* exited */
    }
  }, 250);
  return {
    stop: () => clearInterval(timer),
    usage(from: number, to: number): Usage {
      const s = samples.filter((x) => x.t >= from && x.t <= to);
      let cpu = 0;
      for (let i = 0; i < s.length; i++) {
        const j = s.findIndex((y, k) => k > i && y.t - s[i]!.t >= 1000);
        if (j < 0) break;
        cpu = Math.max(cpu, ((s[j]!.ticks - s[i]!.ticks) * 10) / ((s[j]!.t - s[i]!.t) / 100)); // 100 ticks/s
      }
      return { rss_mb: Math.round(Math.max(0, ...s.map((x) => x.rssKb)) / 1024), cpu_pct: Math.round(cpu) };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Seeding
// ---------------------------------------------------------------------------------------------

/** Inserts tickets [first, end) with their three pending timers; `dueOf(i)`: ticket i's first escalation. */
async function seed(db: Kysely<any>, first: number, end: number, dueOf: (i: number) => number): Promise<void> {
  const chunk = 500;
  const at = (ms: number) => new Date(ms).toISOString();
  for (let from = first; from < end; from += chunk) {
    const tickets: Record<string, unknown>[] = [];
    const jobs: Record<string, unknown>[] = [];
    for (let i = from; i < Math.min(end, from + chunk); i++) {
      const dueAt = dueOf(i);
      const created = dueAt - LEVEL1_MIN * 60_000;
      const id = `tkbench${String(i).padStart(7, '0')}`;
      tickets.push({
        id, number: `B${String(i).padStart(7, '0')}`, title: `压测工单 ${i}`, description: '', category_id: null, custom_fields_json: '{}',
        priority: 'urgent', department_id: 'dept_service', assignee_id: null, cc_json: '[]', status: 'new', customer_id: null, conversation_id: null,
        context_json: '{}', sla_policy_id: 'sla_urgent', sla_history_json: JSON.stringify([{ status: 'new', from: at(created) }]),
        first_response_at: null, first_response_due_at: at(dueAt), resolution_due_at: at(created + 480 * 60_000), escalation_level: 0, flagged_red: 0,
        // the first-response warning (20 min) is behind these tickets already
        warned_json: JSON.stringify({ first_response: at(dueAt) }), created_by: null, created_at: at(created), updated_at: at(created), resolved_at: null, closed_at: null,
      });
      const job = (kind: string, key: string, runAt: number, payload: unknown) => ({
        id: `jb${key.replace(/[^a-z0-9]/gi, '')}`, kind, key, run_at: at(runAt), payload_json: JSON.stringify(payload), status: 'pending', attempts: 0, max_attempts: 5,
        locked_by: null, locked_until: null, last_error: null, created_at: at(created), updated_at: at(created),
      });
      jobs.push(
        job('ticket.escalate', `ticket:${id}:esc:1`, dueAt, { ticketId: id, level: 1 }),
        job('ticket.escalate', `ticket:${id}:esc:2`, created + 120 * 60_000, { ticketId: id, level: 2 }),
        job('ticket.sla_warning', `ticket:${id}:warn:resolution`, created + 470 * 60_000, { ticketId: id, target: 'resolution' }),
      );
    }
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('tickets').values(tickets).execute();
      await tx.insertInto('jobs').values(jobs).execute();
    });
  }
}

// ---------------------------------------------------------------------------------------------
// One database
// ---------------------------------------------------------------------------------------------

export async function benchSla(kind: DbKind): Promise<SlaResult> {
  const bdb = await createDb(kind, CFG.pgAdminUrl);
  const procs: Proc[] = [];
  const { db } = await openDb(bdb.url);
  try {
    const kefuPort = await freePort();
    const simPort = await freePort();
    const sim = await launch('simulator', 'simulator/src/main.ts', {
      SIM_PORT: String(simPort), SIM_HOST: '127.0.0.1', SIM_CALLBACK_URL: `http://127.0.0.1:${kefuPort}/api/wecom/callback`,
      SIM_CORP_ID: DEMO.corpId, SIM_TOKEN: DEMO.token, SIM_ENCODING_AES_KEY: DEMO.aesKey, SIM_KF_SECRET: DEMO.secret, SIM_LOG_LEVEL: 'warn',
    }, simPort, '/sim/clock');
    procs.push(sim);
    await migrate(db); // kefu would too; the bench inserts before kefu starts
    log(`${kind}: starting kefu`);
    const kefu = await launch('kefu', 'server/src/main.ts', {
      KEFU_PORT: String(kefuPort), KEFU_HOST: '127.0.0.1', KEFU_DATABASE_URL: bdb.url, KEFU_DATA_DIR: bdb.dataDir, KEFU_LOG_LEVEL: 'error', KEFU_DEMO_DATA: 'true',
      WECOM_API_BASE: sim.url, WECOM_CORP_ID: DEMO.corpId, WECOM_TOKEN: DEMO.token, WECOM_ENCODING_AES_KEY: DEMO.aesKey, WECOM_KF_SECRET: DEMO.secret,
    }, kefuPort, '/healthz', env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${env.BENCH_PROFILE}/kefu-sla-${kind}`] : []);
    procs.push(kefu);
    const pid = kefu.child.pid!;

    // seed while kefu runs (its scheduler sees the timers as they land, as in production)
    // the tickets due after the window first (an hour ahead and beyond: pending throughout), then
    // the window's, timed from how fast the first part went in, so that nothing falls due while seeding
    const due = Math.min(CFG.due, CFG.tickets);
    const later = Date.now() + 3_600_000;
    log(`${kind}: seeding ${CFG.tickets.toLocaleString('en-US')} tickets with 3 timers each`);
    const t0 = performance.now();
    await seed(db, due, CFG.tickets, (i) => later + Math.floor(((i - due) * LATER_MS) / Math.max(1, CFG.tickets - due)));
    const perTicketMs = Math.max(0.5, (performance.now() - t0) / Math.max(1, CFG.tickets - due));
    const windowStart = Date.now() + Math.ceil(due * perTicketMs * 1.5) + 2000 + CFG.idleS * 1000;
    await seed(db, 0, due, (i) => windowStart + Math.floor((i * CFG.windowS * 1000) / due));
    const seedS = (performance.now() - t0) / 1000;
    log(`${kind}: seeded in ${seedS.toFixed(1)} s; window starts in ${((windowStart - Date.now()) / 1000).toFixed(1)} s`);

    const probe = sampler(pid);
    await sleep(1500); // the writes' aftermath
    const idleFrom = performance.now();
    await sleep(Math.max(0, windowStart - Date.now() - 300));
    const idleTo = performance.now();
    log(`${kind}: window of ${CFG.windowS} s`);
    const peakFrom = performance.now();
    const expected = due;
    const deadline = windowStart + CFG.windowS * 1000 + 30_000; // the other tickets fall due an hour later at the earliest
    let fired = 0;
    while (Date.now() < deadline) {
      await sleep(1000);
      fired = Number((await db.selectFrom('tickets').select((eb) => eb.fn.countAll().as('n')).where('escalation_level', '>=', 1).executeTakeFirstOrThrow()).n);
      if (fired >= expected && Date.now() > windowStart + CFG.windowS * 1000) break;
    }
    const pending = Number((await db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'pending').executeTakeFirstOrThrow()).n);
    const peakTo = performance.now();
    probe.stop();

    const rows = await db.selectFrom('ticket_events as e').innerJoin('tickets as t', 't.id', 'e.ticket_id')
      .select(['e.ticket_id', 'e.created_at', 't.first_response_due_at']).where('e.action', '=', 'escalation').where('e.to_value', '=', '1')
      .where('t.first_response_due_at', '<', new Date(windowStart + CFG.windowS * 1000).toISOString()).execute();
    const per = new Map<string, number>();
    const late: number[] = [];
    const perSecond = new Map<number, number>();
    for (const r of rows) {
      per.set(r.ticket_id, (per.get(r.ticket_id) ?? 0) + 1);
      const t = Date.parse(r.created_at);
      late.push(t - Date.parse(r.first_response_due_at!));
      perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    }
    late.sort((a, b) => a - b);
    return {
      db: kind, tickets: CFG.tickets, pending_jobs: pending, window_s: CFG.windowS, seed_s: Math.round(seedS * 10) / 10,
      expected, fired: per.size, twice: [...per.values()].filter((c) => c > 1).length,
      late_ms: { p50: percentile(late, 50), p99: percentile(late, 99), max: late.at(-1) ?? NaN },
      within_1s: late.filter((x) => x <= AIM_LATE_MS).length,
      peak_per_s: Math.max(0, ...perSecond.values()),
      idle: probe.usage(idleFrom, idleTo), peak: probe.usage(peakFrom, peakTo),
    };
  } finally {
    await db.destroy();
    for (const p of procs.reverse()) await p.stop();
    await bdb.drop().catch((e) => log(`could not drop the bench database: ${(e as Error).message}`));
  }
}

export function printSla(r: SlaResult): void {
  const name = r.db === 'sqlite' ? 'SQLite' : 'PostgreSQL';
  console.log(`\nSLA timers on ${name} (${cpus().length} cores): ${r.tickets.toLocaleString('en-US')} open tickets (seeded in ${r.seed_s} s), ${r.expected.toLocaleString('en-US')} escalations due over ${r.window_s} s; ${r.pending_jobs?.toLocaleString('en-US')} timers still pending after`);
  if (r.error) return void console.log(`  ERROR: ${r.error}`);
  console.log(`  fired ${r.fired.toLocaleString('en-US')} of ${r.expected.toLocaleString('en-US')}; escalated twice: ${r.twice}; within 1 s: ${r.within_1s.toLocaleString('en-US')}`);
  console.log(`  lateness p50 / p99 / max: ${r.late_ms.p50} / ${r.late_ms.p99} / ${r.late_ms.max} ms; busiest second ${r.peak_per_s} escalations`);
  console.log(`  kefu idle (all timers pending): RSS ${r.idle.rss_mb} MB, CPU ${r.idle.cpu_pct}% of a core; at the peak: RSS ${r.peak.rss_mb} MB, CPU ${r.peak.cpu_pct}%`);
  const ok = r.fired === r.expected && r.twice === 0 && r.late_ms.max <= AIM_LATE_MS;
  console.log(`  aim: every escalation once, within 1 s of its due time: ${ok ? 'met' : 'MISSED'}`);
}
