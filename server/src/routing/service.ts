import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { PRIORITY, type Conversation } from '../core/message.js';
import type { HubService } from '../hub/index.js';
import type { AgentStatus, AgentView, RoutingTables } from './schema.js';
import { explainAssigned, explainQueued, rank, shortReason, type AgentSnapshot, type Candidate, type RoutingContext } from './score.js';
import { CapacityConflict, insertDecision, takeSlot, txOf, type DecisionRow, type Outcome, type RDb, type RTx, type StoredCandidate } from './store.js';
import { looksEnglish, needOf, type TeamMaps } from './skills.js';


export type RoutingDeps = {
  db: Kysely<Database>;
  hub: HubService;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** the routing settings' skill → team and category → team lists */
  teamMaps: () => Promise<TeamMaps>;
};

export type Decision = {
  id: string;
  conversation_id: string;
  outcome: Outcome;
  agent_id: string | null;
  agent_name: string | null;
  team: string | null;
  reason: string;
  context: Record<string, unknown>;
  candidates: StoredCandidate[];
  note: string | null;
  by_user_id: string | null;
  created_at: string;
};


export type RouteResult = { outcome: 'assigned'; agent_id: string; decision_id: string } | { outcome: 'queued'; reason: string } | { outcome: 'skipped' };

export type QueueItem = {
  conversation_id: string;
  position: number;
  priority: number;
  waiting_s: number;
  since: string;
  channel: string;
  customer: { id: string; display_name: string; tier: string };
  team: string | null;
  preview: string | null;
};

export const AGENT_STATUSES = ['online', 'busy', 'away', 'offline'] as const;

/** What else happens around the queue (notices, overflow and leave-message timers: queue-care.ts). */
export interface QueueListener {
  /** the conversation was routed and waits */
  queued(conversationId: string): Promise<void>;
  /** positions moved: someone left the queue */
  moved(): void;
  /** waits for the work started so far */
  idle(): Promise<void>;
}
const DEFAULT_PROFILE = { capacity: 5, rating: 4 };
/** how long a decision may use the maintained agent snapshot (see route) */
const LIVE_MS = 1000;
/** refused attempts before routing gives up on a conversation (a bug, or a storm of changes) */
const MAX_ATTEMPTS = 200;
/** queued conversations a pull routes at once */
const DRAIN_BATCH = 16;

class ConversationGone extends Error {}

/**
 * Skills-based routing. A queued conversation goes to the best-scoring online agent with free
 * capacity (see score.ts); every decision is stored with its candidates and reason.
 *
 * Capacity is safe under concurrency: one transaction moves the conversation queued → assigned
 * (a conditional UPDATE: only one router wins a conversation) and raises the agent's load
 * counter with `WHERE load < capacity` (both databases serialise writes to the row, so two
 * routers cannot both take the last slot). When the counter refuses, the transaction rolls
 * back and the next candidate is tried. The counter is re-derived from the conversations after
 * a close/transfer/manual take (`recount`), so it heals itself whatever path changed them.
 *
 * Triggers: a hand-off and a new conversation starting 'queued' route that conversation; an
 * agent going online, getting more capacity or freeing a slot pulls from the queue at once
 * (priority first, then waiting time).
 */
export class RoutingService {
  private readonly db: RDb;
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly routing = new Set<string>();
  private readonly recounting = new Map<string, { again: boolean }>();
  private pumping = false;
  private pumpAgain = false;
  private readonly off: (() => void)[] = [];
  private listener: QueueListener | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  /** conversations this process just assigned with takeSlot (their load is counted) */
  private readonly counted = new Set<string>();
  private live: { at: number; agents: AgentSnapshot[] } | undefined;
  private profileCache: { version: string; at: number; byId: Map<string, Pick<AgentSnapshot, 'name' | 'team' | 'skills' | 'rating'>> } | undefined;

  constructor(private readonly d: RoutingDeps) {
    this.db = d.db.withTables<RoutingTables>() as unknown as RDb;
  }

  attach(listener: QueueListener): void {
    this.listener = listener;
  }

  start(): void {
    const { bus } = this.d;
    this.off.push(
      bus.on('conversation.handoff', ({ conversation }) => this.routeSoon(conversation.id)),
      bus.on('conversation.updated', ({ conversation }) => {
        if (conversation.status === 'queued') this.routeSoon(conversation.id);
        // routing's own assignments counted their slot already; anything else is recounted
        else if (conversation.status === 'assigned' && this.counted.delete(conversation.id)) return;
        else if (conversation.assignee_id && (conversation.status === 'closed' || conversation.status === 'assigned')) this.recountSoon(conversation.assignee_id);
        // a queued conversation closed: the others move up (an assigned one frees a slot: the drain tells)
        if (conversation.status === 'closed' && !conversation.assignee_id) this.listener?.moved();
      }),
    );
    this.kick();
  }

  async stop(): Promise<void> {
    for (const f of this.off.splice(0)) f();
    await this.idle();
  }

  /** Waits until the routing work started so far (and what it started) is done; tests use it. */
  async idle(): Promise<void> {
    do {
      while (this.inflight.size) await Promise.allSettled([...this.inflight]);
      await this.listener?.idle();
    } while (this.inflight.size);
  }

  private track(p: Promise<unknown>): void {
    const t = p.catch((err) => this.d.log.error({ err }, 'routing failed')).finally(() => this.inflight.delete(t));
    this.inflight.add(t);
  }

  private routeSoon(conversationId: string): void {
    // the conversation is already being routed in this process: that run reads the same state
    if (this.routing.has(conversationId)) return;
    this.routing.add(conversationId);
    this.track(this.route(conversationId).finally(() => this.routing.delete(conversationId)));
  }

  private recountSoon(agentId: string): void {
    const running = this.recounting.get(agentId);
    if (running) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.recounting.set(agentId, state);
    this.track((async () => {
      let changed = false;
      try {
        do {
          state.again = false;
          changed = (await this.recount(agentId)) || changed;
        } while (state.again);
      } finally {
        this.recounting.delete(agentId);
      }
      // a slot freed (or the counter healed): the queue moves; the router's own assignments change nothing
      if (changed) this.kick();
    })());
  }

  // ---------------------------------------------------------------- routing

  /**
   * Routes one queued conversation: the best candidate that still has room gets it. With
   * `quiet` (queue pulls) a conversation that stays queued records no new decision.
   *
   * The pick runs one at a time per process on a snapshot of the agents that this process keeps
   * current: the chosen agent's slot is reserved in the snapshot before the database write, so
   * concurrent decisions spread over agents instead of all chasing the same best one (a
   * thundering herd: with 500 agents most of the work had been refused attempts). The writes
   * themselves run concurrently. Capacity still rests on the conditional UPDATE, which also
   * covers other instances: a refusal marks the agent full and the next candidate is tried.
   * A conversation is only left queued on freshly read agents.
   */
  async route(conversationId: string, opts: { quiet?: boolean } = {}): Promise<RouteResult> {
    const r = await this.decide(conversationId, opts);
    if (r.outcome === 'queued' && !opts.quiet) await this.listener?.queued(conversationId);
    return r;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  private async decide(conversationId: string, opts: { quiet?: boolean }): Promise<RouteResult> {
    const conversation = await this.d.hub.getConversation(conversationId);
    if (!conversation || conversation.status !== 'queued') return { outcome: 'skipped' };
    const { ctx, info } = await this.contextOf(conversation);
    const skipped: Candidate[] = [];
    for (let maxAgeMs = LIVE_MS, attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const pick = await this.serial(async () => {
        const { agents, fresh } = await this.liveAgents(maxAgeMs);
        const ranked = rank(ctx, agents);
        const chosen = ranked.find((c) => c.eligible);
        const agent = chosen && agents.find((a) => a.id === chosen.agent_id);
        if (agent) agent.load++; // reserved until the write says otherwise
        return { ranked, chosen, agent, fresh };
      });
      const { ranked, chosen, agent } = pick;
      if (!chosen || !agent) {
        if (!pick.fresh) {
          maxAgeMs = 0;
          continue;
        }
        const reason = explainQueued(ctx, ranked);
        if (!opts.quiet) await this.recordQueued(conversationId, reason, info, ranked);
        return { outcome: 'queued', reason };
      }
      const r = await this.tryAssign(conversation, chosen, () => ({
        outcome: 'assigned', agent_id: chosen.agent_id, team_id: null, reason: explainAssigned(ranked, chosen, skipped),
        context: info, candidates: ranked, note: null, by_user_id: null,
      }));
      if (r === 'gone') {
        agent.load--;
        return { outcome: 'skipped' };
      }
      if (r === 'full') {
        agent.load = agent.capacity;
        skipped.push(chosen);
        continue;
      }
      agent.last_assigned_at = this.d.clock.now().toISOString();
      return { outcome: 'assigned', agent_id: chosen.agent_id, decision_id: r };
    }
    throw new Error(`routing ${conversationId}: no decision after ${MAX_ATTEMPTS} attempts`);
  }

  /**
   * The agents for a decision: the maintained snapshot when younger than `maxAgeMs`; 0 always
   * reads afresh (with `<=`, a snapshot read in the same millisecond counted as fresh enough, and
   * a burst of arrivals spun through every attempt without reading: no decision, no queue care).
   */
  private async liveAgents(maxAgeMs: number): Promise<{ agents: AgentSnapshot[]; fresh: boolean }> {
    if (this.live && maxAgeMs > 0 && Date.now() - this.live.at <= maxAgeMs) return { agents: this.live.agents, fresh: false };
    const agents = await this.agentSnapshots();
    this.live = { at: Date.now(), agents };
    return { agents, fresh: true };
  }

  /** Loads or statuses changed outside a decision: the next one reads the agents again. */
  invalidate(): void {
    this.live = undefined;
  }

  /** One atomic attempt: conversation queued → assigned and the agent's load +1 if below capacity. */
  private async tryAssign(conversation: Conversation, c: Candidate, decision: () => Omit<DecisionRow, 'conversation_id'>): Promise<string | 'gone' | 'full'> {
    const { hub, clock } = this.d;
    try {
      return await hub.transaction(async (uow) => {
        // the agent's row first (cheap to refuse), then the conversation: one lock order everywhere
        const tx = txOf(uow);
        if (!(await takeSlot(tx, c.agent_id, clock.now().toISOString()))) throw new CapacityConflict();
        const assigned = await hub.assignIn(uow, conversation.id, { id: c.agent_id, name: c.name }, { from: [{ status: 'queued' }], reason: shortReason(c) });
        if (!assigned) throw new ConversationGone();
        await tx.deleteFrom('routing_targets').where('conversation_id', '=', conversation.id).execute();
        const id = await insertDecision(tx, { ...decision(), conversation_id: conversation.id }, clock);
        this.counted.add(conversation.id);
        return id;
      });
    } catch (e) {
      if (e instanceof CapacityConflict) return 'full';
      if (e instanceof ConversationGone) return 'gone';
      throw e;
    }
  }

  private async recordQueued(conversationId: string, reason: string, info: Record<string, unknown>, ranked: Candidate[]): Promise<void> {
    const last = await this.db.selectFrom('routing_decisions').select(['outcome', 'reason']).where('conversation_id', '=', conversationId)
      .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
    if (last?.outcome === 'queued' && last.reason === reason) return;
    await insertDecision(this.db, { conversation_id: conversationId, outcome: 'queued', agent_id: null, team_id: null, reason, context: info, candidates: ranked, note: null, by_user_id: null }, this.d.clock);
  }

  /** What routing knows about the conversation: need (skills/team), VIP, last agent, transfer target. */
  private async contextOf(conversation: Conversation): Promise<{ ctx: RoutingContext; info: Record<string, unknown> }> {
    const intent = conversation.handoff?.intent ?? null;
    const recent = await this.db.selectFrom('messages').select('content_json').where('conversation_id', '=', conversation.id)
      .where('direction', '=', 'in').where('msgtype', '=', 'text').orderBy('created_at', 'desc').limit(5).execute();
    const texts = recent.map((r) => (JSON.parse(r.content_json) as { text?: string }).text ?? '');
    const need = needOf(intent, texts.length > 0 && looksEnglish(texts), await this.d.teamMaps());
    const last = await this.db.selectFrom('conversations').select('assignee_id').where('customer_id', '=', conversation.customer_id)
      .where('id', '<>', conversation.id).where('assignee_id', 'is not', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    const target = await this.db.selectFrom('routing_targets').leftJoin('teams', 'teams.id', 'routing_targets.team_id')
      .select(['teams.name as team', 'routing_targets.exclude_agent_id']).where('conversation_id', '=', conversation.id).executeTakeFirst();
    const vip = conversation.customer.tier === 'VIP' || conversation.priority === PRIORITY.vip;
    const region = (await (this.db as unknown as Kysely<{ customers: { id: string; region: string | null } }>).selectFrom('customers').select('region')
      .where('id', '=', conversation.customer_id).executeTakeFirst())?.region ?? null;
    const ctx: RoutingContext = { need, vip, last_agent_id: last?.assignee_id ?? null, only_team: target?.team ?? null, exclude_agent_id: target?.exclude_agent_id ?? null, region };
    const info = {
      intent, need: need.source, skills: need.skills, team: need.team, vip, tier: conversation.customer.tier, region,
      priority: conversation.priority, last_agent_id: ctx.last_agent_id, only_team: ctx.only_team, channel: conversation.channel,
    };
    return { ctx, info };
  }

  /**
   * Every agent as routing sees them. What changes per assignment (status, load) is read fresh;
   * names, teams, skills and ratings are cached per version of the profiles (their latest
   * `updated_at`, re-read at least every 5 s for renamed users): with 500 agents the join was
   * most of a decision's cost.
   */
  async agentSnapshots(onlyUser?: string): Promise<AgentSnapshot[]> {
    let q = this.db.selectFrom('agent_profiles').select(['user_id', 'status', 'capacity', 'load', 'last_assigned_at', 'updated_at']);
    if (onlyUser) q = q.where('user_id', '=', onlyUser);
    const live = await q.execute();
    const version = live.reduce((m, r) => (r.updated_at > m ? r.updated_at : m), '');
    let cache = this.profileCache;
    if (!cache || cache.version < version || Date.now() - cache.at > 5000 || live.some((r) => !cache!.byId.has(r.user_id))) {
      const rows = await this.db.selectFrom('agent_profiles').innerJoin('users', 'users.id', 'agent_profiles.user_id').leftJoin('teams', 'teams.id', 'agent_profiles.team_id')
        .select(['agent_profiles.user_id', 'users.display_name', 'teams.name as team', 'agent_profiles.skills_json', 'agent_profiles.rating']).execute();
      cache = this.profileCache = {
        version, at: Date.now(),
        byId: new Map(rows.map((r) => [r.user_id, { name: r.display_name, team: r.team, skills: parseSkills(r.skills_json), rating: Number(r.rating) }])),
      };
    }
    return live.flatMap((r) => {
      const p = cache!.byId.get(r.user_id);
      return p ? [{ id: r.user_id, ...p, status: r.status, capacity: Number(r.capacity), load: Number(r.load), last_assigned_at: r.last_assigned_at }] : [];
    });
  }

  // ---------------------------------------------------------------- queue

  /** Pulls from the queue until no agent has room or nothing queued fits (one pull at a time per process). */
  kick(): void {
    this.invalidate(); // a kick means capacity or the queue changed
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    this.track((async () => {
      try {
        do {
          this.pumpAgain = false;
          await this.drain();
        } while (this.pumpAgain);
      } finally {
        this.pumping = false;
      }
    })());
  }

  private async drain(): Promise<void> {
    const free = await this.db.selectFrom('agent_profiles').select((eb) => eb.fn.sum<number>(eb('capacity', '-', eb.ref('load'))).as('free'))
      .where('status', '=', 'online').whereRef('load', '<', 'capacity').executeTakeFirst();
    let slots = Number(free?.free ?? 0);
    if (slots <= 0) return;
    let pulled = 0;
    // in serving order, as many at once as there are free slots (so priority decides who gets them)
    const queue = await this.queue();
    for (let i = 0; i < queue.length && slots > 0;) {
      const batch = queue.slice(i, i + Math.min(slots, DRAIN_BATCH));
      i += batch.length;
      const results = await Promise.all(batch.map((item) => this.route(item.conversation_id, { quiet: true })));
      const n = results.filter((r) => r.outcome === 'assigned').length;
      pulled += n;
      slots -= n;
    }
    if (pulled) this.listener?.moved();
  }

  /** Queued conversations in serving order: priority (urgent > VIP > normal), then waiting time. */
  async queue(): Promise<QueueItem[]> {
    const rows = await this.db.selectFrom('conversations')
      .innerJoin('customers', 'customers.id', 'conversations.customer_id')
      .leftJoin('routing_targets', 'routing_targets.conversation_id', 'conversations.id')
      .leftJoin('teams', 'teams.id', 'routing_targets.team_id')
      .select(['conversations.id', 'conversations.priority', 'conversations.created_at', 'conversations.handoff_json', 'conversations.channel',
        'conversations.last_message_preview', 'customers.id as customer_id', 'customers.display_name', 'customers.tier', 'teams.name as team'])
      .where('conversations.status', '=', 'queued')
      .execute();
    const now = this.d.clock.now().getTime();
    const items = rows.map((r) => {
      const since = r.handoff_json ? (JSON.parse(r.handoff_json) as { at?: string }).at ?? r.created_at : r.created_at;
      const priority = Math.max(Number(r.priority), r.tier === 'VIP' ? PRIORITY.vip : PRIORITY.normal);
      return {
        conversation_id: r.id, position: 0, priority, since, waiting_s: Math.max(0, Math.round((now - Date.parse(since)) / 1000)),
        channel: r.channel, customer: { id: r.customer_id, display_name: r.display_name, tier: r.tier }, team: r.team, preview: r.last_message_preview,
      };
    });
    items.sort((a, b) => b.priority - a.priority || (a.since < b.since ? -1 : a.since > b.since ? 1 : a.conversation_id < b.conversation_id ? -1 : 1));
    items.forEach((it, i) => (it.position = i + 1));
    return items;
  }

  /**
   * Re-derives an agent's load from the conversations assigned to them. The first statement
   * takes the row lock (waiting for any assignment in flight), the second counts with a fresh
   * snapshot, so no committed assignment is missed. True when the counter changed.
   */
  async recount(agentId: string, executor?: RTx): Promise<boolean> {
    const run = async (tx: RTx) => {
      await tx.updateTable('agent_profiles').set((eb) => ({ load: eb.ref('load') })).where('user_id', '=', agentId).execute();
      const before = await tx.selectFrom('agent_profiles').select('load').where('user_id', '=', agentId).executeTakeFirst();
      const after = await tx.updateTable('agent_profiles')
        .set({ load: sql<number>`(select count(*) from conversations where conversations.assignee_id = ${agentId} and conversations.status = 'assigned')` })
        .where('user_id', '=', agentId).returning('load').executeTakeFirst();
      return Number(before?.load) !== Number(after?.load);
    };
    const changed = executor ? await run(executor) : await this.db.transaction().execute(run);
    if (changed) this.invalidate();
    return changed;
  }

  // ---------------------------------------------------------------- overflow, leave-message

  /** Where a queued conversation waits when it waits for one team (transfer, overflow). */
  async targetOf(conversationId: string): Promise<{ team_id: string; team: string; since: string } | undefined> {
    const t = await this.db.selectFrom('routing_targets').innerJoin('teams', 'teams.id', 'routing_targets.team_id')
      .select(['routing_targets.team_id', 'teams.name', 'routing_targets.created_at']).where('conversation_id', '=', conversationId).executeTakeFirst();
    return t && t.team_id ? { team_id: t.team_id, team: t.name, since: t.created_at } : undefined;
  }

  /**
   * Moves a conversation still waiting for `fromTeamId` (since `since`) on to `toTeam`, records
   * why, and routes it again. False when it is no longer waiting there (taken, moved, closed).
   */
  async overflow(conversationId: string, from: { team_id: string; team: string; since: string }, toTeam: string, minutes: number): Promise<boolean> {
    const { clock } = this.d;
    const toId = await this.teamId(toTeam);
    const moved = await this.db.transaction().execute(async (tx) => {
      const r = await tx.updateTable('routing_targets').set({ team_id: toId, created_at: clock.now().toISOString() })
        .where('conversation_id', '=', conversationId).where('team_id', '=', from.team_id).where('created_at', '=', from.since)
        .where((eb) => eb.exists(eb.selectFrom('conversations').select('id').where('id', '=', conversationId).where('status', '=', 'queued')))
        .executeTakeFirst();
      if (!Number(r.numUpdatedRows)) return false;
      await insertDecision(tx, {
        conversation_id: conversationId, outcome: 'overflowed', agent_id: null, team_id: toId,
        reason: `在「${from.team}」组排队已超过 ${minutes} 分钟无人接待，按溢出规则转到「${toTeam}」组。`,
        context: { from_team: from.team, to_team: toTeam, after_minutes: minutes, waiting_since: from.since }, candidates: [], note: null, by_user_id: null,
      }, clock);
      return true;
    });
    if (moved) await this.route(conversationId);
    return moved;
  }

  /** Records a decision made around the queue (e.g. leave-a-message). */
  async record(d: Omit<DecisionRow, 'candidates'>): Promise<string> {
    return insertDecision(this.db, { ...d, candidates: [] }, this.d.clock);
  }

  // ---------------------------------------------------------------- decisions

  async decisions(conversationId: string, limit = 20): Promise<Decision[]> {
    const rows = await this.db.selectFrom('routing_decisions')
      .leftJoin('users', 'users.id', 'routing_decisions.agent_id')
      .leftJoin('teams', 'teams.id', 'routing_decisions.team_id')
      .selectAll('routing_decisions').select(['users.display_name as agent_name', 'teams.name as team'])
      .where('conversation_id', '=', conversationId)
      .orderBy('routing_decisions.created_at', 'desc').orderBy('routing_decisions.id', 'desc').limit(limit).execute();
    return rows.map((r) => ({
      id: r.id, conversation_id: r.conversation_id, outcome: r.outcome as Decision['outcome'], agent_id: r.agent_id, agent_name: r.agent_name,
      team: r.team, reason: r.reason, context: JSON.parse(r.context_json) as Record<string, unknown>,
      candidates: JSON.parse(r.candidates_json) as StoredCandidate[], note: r.note, by_user_id: r.by_user_id, created_at: r.created_at,
    }));
  }

  /** The conversation, or 404. */
  async conversation(id: string): Promise<Conversation> {
    const c = await this.d.hub.getConversation(id);
    if (!c) throw notFound('conversation');
    return c;
  }

  async conversationExists(id: string): Promise<boolean> {
    return !!(await this.db.selectFrom('conversations').select('id').where('id', '=', id).executeTakeFirst());
  }

  // ---------------------------------------------------------------- agents

  /** The agent's profile, created with defaults the first time (any user may take conversations). */
  async ensureProfile(userId: string, executor: RDb | RTx = this.db): Promise<void> {
    const now = this.d.clock.now().toISOString();
    await executor.insertInto('agent_profiles')
      .values({ user_id: userId, team_id: null, skills_json: '{}', status: 'offline', capacity: DEFAULT_PROFILE.capacity, rating: DEFAULT_PROFILE.rating, load: 0, last_assigned_at: null, status_changed_at: now, updated_at: now, wecom_userid: null })
      .onConflict((oc) => oc.column('user_id').doNothing()).execute();
  }

  async agents(opts: { userId?: string } = {}): Promise<AgentView[]> {
    if (opts.userId) await this.ensureProfile(opts.userId);
    else {
      const missing = await this.db.selectFrom('users').leftJoin('agent_profiles', 'agent_profiles.user_id', 'users.id')
        .select('users.id').where('users.role', '=', 'agent').where('agent_profiles.user_id', 'is', null).execute();
      for (const m of missing) await this.ensureProfile(m.id);
    }
    let q = this.db.selectFrom('agent_profiles')
      .innerJoin('users', 'users.id', 'agent_profiles.user_id')
      .leftJoin('teams', 'teams.id', 'agent_profiles.team_id')
      .selectAll('agent_profiles').select(['users.username', 'users.display_name', 'users.role', 'teams.name as team']);
    if (opts.userId) q = q.where('agent_profiles.user_id', '=', opts.userId);
    const rows = await q.orderBy('users.username').execute();
    return rows.map((r) => ({
      user_id: r.user_id, username: r.username, display_name: r.display_name, role: r.role, team: r.team, skills: parseSkills(r.skills_json),
      status: r.status as AgentStatus, capacity: Number(r.capacity), load: Number(r.load), rating: Number(r.rating),
      last_assigned_at: r.last_assigned_at, status_changed_at: r.status_changed_at, wecom_userid: r.wecom_userid,
    }));
  }

  async agent(userId: string): Promise<AgentView> {
    const user = await this.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw notFound('agent');
    return (await this.agents({ userId }))[0]!;
  }

  /** the id of the agent's team (null when the agent has no profile or no team) */
  async teamIdOf(userId: string): Promise<string | null> {
    return (await this.db.selectFrom('agent_profiles').select('team_id').where('user_id', '=', userId).executeTakeFirst())?.team_id ?? null;
  }

  /** Sets an agent's status; going online pulls from the queue at once. */
  async setStatus(userId: string, status: AgentStatus): Promise<AgentView> {
    await this.ensureProfile(userId);
    const now = this.d.clock.now().toISOString();
    await this.db.updateTable('agent_profiles').set({ status, status_changed_at: now, updated_at: now }).where('user_id', '=', userId).where('status', '<>', status).execute();
    this.invalidate();
    if (status === 'online') {
      await this.recount(userId);
      this.kick();
    }
    return this.agent(userId);
  }

  /** Supervisors/admins edit an agent's team, skills, capacity and rating. */
  async updateAgent(userId: string, patch: { team?: string | null; skills?: Record<string, number>; capacity?: number; rating?: number; wecom_userid?: string | null }): Promise<AgentView> {
    await this.agent(userId);
    const now = this.d.clock.now().toISOString();
    const set: Partial<RoutingTables['agent_profiles']> = { updated_at: now };
    if (patch.team !== undefined) set.team_id = patch.team === null ? null : await this.teamId(patch.team);
    if (patch.skills) set.skills_json = JSON.stringify(patch.skills);
    if (patch.capacity !== undefined) set.capacity = patch.capacity;
    if (patch.rating !== undefined) set.rating = patch.rating;
    if (patch.wecom_userid !== undefined) set.wecom_userid = patch.wecom_userid;
    await this.db.updateTable('agent_profiles').set(set).where('user_id', '=', userId).execute();
    this.invalidate();
    this.kick();
    return this.agent(userId);
  }

  async teams(): Promise<{ id: string; name: string }[]> {
    return this.db.selectFrom('teams').select(['id', 'name']).orderBy('name').execute();
  }

  /** The team's id, created when new. */
  async teamId(name: string): Promise<string> {
    const found = await this.db.selectFrom('teams').select('id').where((eb) => eb.or([eb('name', '=', name), eb('id', '=', name)])).executeTakeFirst();
    if (found) return found.id;
    await this.db.insertInto('teams').values({ id: newId('t'), name, created_at: this.d.clock.now().toISOString() }).onConflict((oc) => oc.column('name').doNothing()).execute();
    return (await this.db.selectFrom('teams').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
  }
}

function parseSkills(json: string): Record<string, number> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}
