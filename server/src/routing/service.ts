import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { AppError, forbidden, notFound } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { PRIORITY, type Conversation } from '../core/message.js';
import type { AuthUser } from '../auth/service.js';
import type { HubService, UnitOfWork } from '../hub/index.js';
import type { AgentStatus, RoutingTables } from './schema.js';
import { explainAssigned, explainQueued, rank, shortReason, type AgentSnapshot, type Candidate, type RoutingContext } from './score.js';
import { looksEnglish, needOf } from './skills.js';

type RDatabase = Database & RoutingTables;
type RDb = Kysely<RDatabase>;
type RTx = Transaction<RDatabase>;

export type RoutingDeps = {
  db: Kysely<Database>;
  hub: HubService;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  /** the knowledge-base category of an intent (e.g. 售后), for intents without a skill */
  intentCategory?: (intentId: string) => Promise<string | null>;
};

export type AgentView = {
  user_id: string;
  username: string;
  display_name: string;
  role: string;
  team: string | null;
  skills: Record<string, number>;
  status: AgentStatus;
  capacity: number;
  load: number;
  rating: number;
  last_assigned_at: string | null;
  status_changed_at: string;
};

export type Decision = {
  id: string;
  conversation_id: string;
  outcome: 'assigned' | 'queued' | 'transferred';
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

type StoredCandidate = Pick<Candidate, 'agent_id' | 'name' | 'eligible' | 'score' | 'parts' | 'load' | 'capacity'> & { excluded: string | null };

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
const DEFAULT_PROFILE = { capacity: 5, rating: 4 };
/** how many candidates a decision keeps (the eligible ones first) */
const KEEP_CANDIDATES = 12;

class CapacityConflict extends Error {}

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

  constructor(private readonly d: RoutingDeps) {
    this.db = d.db.withTables<RoutingTables>() as unknown as RDb;
  }

  start(): void {
    const { bus } = this.d;
    this.off.push(
      bus.on('conversation.handoff', ({ conversation }) => this.routeSoon(conversation.id)),
      bus.on('conversation.updated', ({ conversation }) => {
        if (conversation.status === 'queued') this.routeSoon(conversation.id);
        else if (conversation.assignee_id && (conversation.status === 'closed' || conversation.status === 'assigned')) this.recountSoon(conversation.assignee_id);
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
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
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
      try {
        do {
          state.again = false;
          await this.recount(agentId);
        } while (state.again);
      } finally {
        this.recounting.delete(agentId);
      }
      this.kick();
    })());
  }

  // ---------------------------------------------------------------- routing

  /**
   * Routes one queued conversation: the best candidate that still has room gets it. With
   * `quiet` (queue pulls) a conversation that stays queued records no new decision.
   */
  async route(conversationId: string, opts: { quiet?: boolean } = {}): Promise<RouteResult> {
    const conversation = await this.d.hub.getConversation(conversationId);
    if (!conversation || conversation.status !== 'queued') return { outcome: 'skipped' };
    const { ctx, info } = await this.contextOf(conversation);
    const ranked = rank(ctx, await this.snapshots());
    const skipped: Candidate[] = [];
    for (const c of ranked.filter((x) => x.eligible)) {
      const r = await this.tryAssign(conversation, c, () => ({
        outcome: 'assigned', agent_id: c.agent_id, team_id: null, reason: explainAssigned(ranked, c, skipped),
        context: info, candidates: ranked, note: null, by_user_id: null,
      }));
      if (r === 'gone') return { outcome: 'skipped' };
      if (r !== 'full') return { outcome: 'assigned', agent_id: c.agent_id, decision_id: r };
      skipped.push(c);
    }
    const reason = explainQueued(ctx, ranked);
    if (!opts.quiet) await this.recordQueued(conversationId, reason, info, ranked);
    return { outcome: 'queued', reason };
  }

  /** One atomic attempt: conversation queued → assigned and the agent's load +1 if below capacity. */
  private async tryAssign(conversation: Conversation, c: Candidate, decision: () => Omit<DecisionRow, 'conversation_id'>): Promise<string | 'gone' | 'full'> {
    const { hub, clock } = this.d;
    try {
      return await hub.transaction(async (uow) => {
        const assigned = await hub.assignIn(uow, conversation.id, { id: c.agent_id, name: c.name }, { from: [{ status: 'queued' }], reason: shortReason(c) });
        if (!assigned) return 'gone' as const;
        const tx = txOf(uow);
        if (!(await takeSlot(tx, c.agent_id, clock.now().toISOString()))) throw new CapacityConflict();
        await tx.deleteFrom('routing_targets').where('conversation_id', '=', conversation.id).execute();
        return insertDecision(tx, { ...decision(), conversation_id: conversation.id }, clock);
      });
    } catch (e) {
      if (e instanceof CapacityConflict) return 'full';
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
    const category = intent && this.d.intentCategory ? await this.d.intentCategory(intent.id).catch(() => null) : null;
    const recent = await this.db.selectFrom('messages').select('content_json').where('conversation_id', '=', conversation.id)
      .where('direction', '=', 'in').where('msgtype', '=', 'text').orderBy('created_at', 'desc').limit(5).execute();
    const texts = recent.map((r) => (JSON.parse(r.content_json) as { text?: string }).text ?? '');
    const need = needOf(intent, category, texts.length > 0 && looksEnglish(texts));
    const last = await this.db.selectFrom('conversations').select('assignee_id').where('customer_id', '=', conversation.customer_id)
      .where('id', '<>', conversation.id).where('assignee_id', 'is not', null).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    const target = await this.db.selectFrom('routing_targets').leftJoin('teams', 'teams.id', 'routing_targets.team_id')
      .select(['teams.name as team', 'routing_targets.exclude_agent_id']).where('conversation_id', '=', conversation.id).executeTakeFirst();
    const vip = conversation.customer.tier === 'VIP' || conversation.priority === PRIORITY.vip;
    const ctx: RoutingContext = { need, vip, last_agent_id: last?.assignee_id ?? null, only_team: target?.team ?? null, exclude_agent_id: target?.exclude_agent_id ?? null };
    const info = {
      intent, need: need.source, skills: need.skills, team: need.team, vip, tier: conversation.customer.tier,
      priority: conversation.priority, last_agent_id: ctx.last_agent_id, only_team: ctx.only_team, channel: conversation.channel,
    };
    return { ctx, info };
  }

  private async snapshots(onlyUser?: string): Promise<AgentSnapshot[]> {
    let q = this.db.selectFrom('agent_profiles')
      .innerJoin('users', 'users.id', 'agent_profiles.user_id')
      .leftJoin('teams', 'teams.id', 'agent_profiles.team_id')
      .select(['agent_profiles.user_id', 'users.display_name', 'teams.name as team', 'agent_profiles.skills_json', 'agent_profiles.status',
        'agent_profiles.capacity', 'agent_profiles.load', 'agent_profiles.rating', 'agent_profiles.last_assigned_at']);
    if (onlyUser) q = q.where('agent_profiles.user_id', '=', onlyUser);
    const rows = await q.execute();
    return rows.map((r) => ({
      id: r.user_id, name: r.display_name, team: r.team, skills: parseSkills(r.skills_json), status: r.status,
      capacity: Number(r.capacity), load: Number(r.load), rating: Number(r.rating), last_assigned_at: r.last_assigned_at,
    }));
  }

  // ---------------------------------------------------------------- queue

  /** Pulls from the queue until no agent has room or nothing queued fits (one pull at a time per process). */
  kick(): void {
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
    for (const item of await this.queue()) {
      const r = await this.route(item.conversation_id, { quiet: true });
      if (r.outcome === 'assigned' && --slots <= 0) return;
    }
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
   * snapshot, so no committed assignment is missed.
   */
  async recount(agentId: string, executor?: RTx): Promise<void> {
    const run = async (tx: RTx) => {
      await tx.updateTable('agent_profiles').set((eb) => ({ load: eb.ref('load') })).where('user_id', '=', agentId).execute();
      await tx.updateTable('agent_profiles')
        .set({ load: sql<number>`(select count(*) from conversations where conversations.assignee_id = ${agentId} and conversations.status = 'assigned')` })
        .where('user_id', '=', agentId).execute();
    };
    if (executor) await run(executor);
    else await this.db.transaction().execute(run);
  }

  // ---------------------------------------------------------------- transfer

  async transfer(conversationId: string, by: AuthUser, body: { to_agent_id?: string; to_team?: string; note?: string }): Promise<{ conversation: Conversation; decision: Decision }> {
    const { hub, clock } = this.d;
    const conversation = await hub.getConversation(conversationId);
    if (!conversation) throw notFound('conversation');
    if (conversation.status === 'closed') throw new AppError(409, 'conversation_closed', '会话已结束，无法转接');
    if (conversation.status === 'bot') throw new AppError(409, 'with_bot', '会话仍由机器人接待，无法转接');
    if (conversation.assignee_id !== by.id && !['admin', 'supervisor'].includes(by.role) && conversation.status !== 'queued') {
      throw forbidden('只能转接分配给自己的会话');
    }
    const note = body.note?.trim() || null;
    const fromAgent = conversation.assignee_id;
    const from = [{ status: conversation.status, assignee_id: conversation.assignee_id }];
    let decisionId: string;
    if (body.to_agent_id) {
      const [target] = await this.snapshots(body.to_agent_id);
      if (!target) throw notFound('agent');
      if (target.id === fromAgent) throw new AppError(409, 'same_agent', '会话已在该坐席名下');
      if (target.status !== 'online') throw new AppError(409, 'agent_unavailable', `${target.name} 当前不在线，无法转接`);
      const text = `${by.display_name} 转接给 ${target.name}${note ? `，备注：${note}` : ''}`;
      const reason = `${by.display_name} 手动转接给 ${target.name}${note ? `：${note}` : ''}。`;
      try {
        decisionId = await hub.transaction(async (uow) => {
          const moved = await hub.assignIn(uow, conversationId, target, { from, event: 'transferred', text, reason: `转接：${note ?? '无备注'}`, data: { note, from_agent_id: fromAgent, to_agent_id: target.id, by: by.id } });
          if (!moved) throw new AppError(409, 'conversation_changed', '会话状态已变化，请刷新后重试');
          const tx = txOf(uow);
          if (!(await takeSlot(tx, target.id, clock.now().toISOString()))) throw new CapacityConflict();
          await tx.deleteFrom('routing_targets').where('conversation_id', '=', conversationId).execute();
          return insertDecision(tx, {
            conversation_id: conversationId, outcome: 'transferred', agent_id: target.id, team_id: null, reason,
            context: { from_agent_id: fromAgent }, candidates: [], note, by_user_id: by.id,
          }, clock);
        });
      } catch (e) {
        if (e instanceof CapacityConflict) throw new AppError(409, 'agent_full', `${target.name} 已满员（${target.capacity} 个会话），无法转接`);
        throw e;
      }
    } else if (body.to_team) {
      const team = await this.db.selectFrom('teams').select(['id', 'name']).where((eb) => eb.or([eb('id', '=', body.to_team!), eb('name', '=', body.to_team!)])).executeTakeFirst();
      if (!team) throw notFound('team');
      const text = `${by.display_name} 转接到「${team.name}」组${note ? `，备注：${note}` : ''}`;
      decisionId = await hub.transaction(async (uow) => {
        const moved = await hub.requeueIn(uow, conversationId, text, { fromAgentId: fromAgent ?? undefined, data: { note, from_agent_id: fromAgent, to_team: team.name, by: by.id } });
        if (!moved) throw new AppError(409, 'conversation_changed', '会话状态已变化，请刷新后重试');
        const tx = txOf(uow);
        const now = clock.now().toISOString();
        await tx.insertInto('routing_targets').values({ conversation_id: conversationId, team_id: team.id, exclude_agent_id: fromAgent, note, created_at: now })
          .onConflict((oc) => oc.column('conversation_id').doUpdateSet({ team_id: team.id, exclude_agent_id: fromAgent, note, created_at: now })).execute();
        return insertDecision(tx, {
          conversation_id: conversationId, outcome: 'transferred', agent_id: null, team_id: team.id,
          reason: `${by.display_name} 转接到「${team.name}」组${note ? `：${note}` : ''}，由该组重新分配。`,
          context: { from_agent_id: fromAgent, to_team: team.name }, candidates: [], note, by_user_id: by.id,
        }, clock);
      });
      await this.route(conversationId);
    } else {
      throw new AppError(400, 'validation_error', '请指定 to_agent_id 或 to_team');
    }
    // the previous agent has a free slot now: the queue moves at once
    if (fromAgent) await this.recount(fromAgent);
    this.kick();
    const decision = (await this.decisions(conversationId, 50)).find((x) => x.id === decisionId)!;
    return { conversation: (await hub.getConversation(conversationId))!, decision };
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

  async conversationExists(id: string): Promise<boolean> {
    return !!(await this.db.selectFrom('conversations').select('id').where('id', '=', id).executeTakeFirst());
  }

  // ---------------------------------------------------------------- agents

  /** The agent's profile, created with defaults the first time (any user may take conversations). */
  async ensureProfile(userId: string): Promise<void> {
    const now = this.d.clock.now().toISOString();
    await this.db.insertInto('agent_profiles')
      .values({ user_id: userId, team_id: null, skills_json: '{}', status: 'offline', capacity: DEFAULT_PROFILE.capacity, rating: DEFAULT_PROFILE.rating, load: 0, last_assigned_at: null, status_changed_at: now, updated_at: now })
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
      last_assigned_at: r.last_assigned_at, status_changed_at: r.status_changed_at,
    }));
  }

  async agent(userId: string): Promise<AgentView> {
    const user = await this.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
    if (!user) throw notFound('agent');
    return (await this.agents({ userId }))[0]!;
  }

  /** Sets an agent's status; going online pulls from the queue at once. */
  async setStatus(userId: string, status: AgentStatus): Promise<AgentView> {
    await this.ensureProfile(userId);
    const now = this.d.clock.now().toISOString();
    await this.db.updateTable('agent_profiles').set({ status, status_changed_at: now, updated_at: now }).where('user_id', '=', userId).where('status', '<>', status).execute();
    if (status === 'online') {
      await this.recount(userId);
      this.kick();
    }
    return this.agent(userId);
  }

  /** Supervisors/admins edit an agent's team, skills, capacity and rating. */
  async updateAgent(userId: string, patch: { team?: string | null; skills?: Record<string, number>; capacity?: number; rating?: number }): Promise<AgentView> {
    await this.agent(userId);
    const now = this.d.clock.now().toISOString();
    const set: Partial<RoutingTables['agent_profiles']> = { updated_at: now };
    if (patch.team !== undefined) set.team_id = patch.team === null ? null : await this.teamId(patch.team);
    if (patch.skills) set.skills_json = JSON.stringify(patch.skills);
    if (patch.capacity !== undefined) set.capacity = patch.capacity;
    if (patch.rating !== undefined) set.rating = patch.rating;
    await this.db.updateTable('agent_profiles').set(set).where('user_id', '=', userId).execute();
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

type DecisionRow = {
  conversation_id: string;
  outcome: Decision['outcome'];
  agent_id: string | null;
  team_id: string | null;
  reason: string;
  context: Record<string, unknown>;
  candidates: Candidate[];
  note: string | null;
  by_user_id: string | null;
};

function txOf(uow: UnitOfWork): RTx {
  return uow.tx as unknown as RTx;
}

/** The capacity check: one conditional UPDATE, so two routers cannot both take the last slot. */
async function takeSlot(tx: RTx, agentId: string, now: string): Promise<boolean> {
  const r = await tx.updateTable('agent_profiles')
    .set((eb) => ({ load: eb('load', '+', 1), last_assigned_at: now }))
    .where('user_id', '=', agentId)
    .where('status', '=', 'online')
    .whereRef('load', '<', 'capacity')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

async function insertDecision(db: RDb | RTx, d: DecisionRow, clock: Clock): Promise<string> {
  const id = newId('rd');
  const candidates: StoredCandidate[] = d.candidates.slice(0, KEEP_CANDIDATES).map((c) => ({
    agent_id: c.agent_id, name: c.name, eligible: c.eligible, excluded: c.excluded ?? null, score: c.score, parts: c.parts, load: c.load, capacity: c.capacity,
  }));
  await db.insertInto('routing_decisions').values({
    id, conversation_id: d.conversation_id, outcome: d.outcome, agent_id: d.agent_id, team_id: d.team_id, reason: d.reason,
    context_json: JSON.stringify(d.context), candidates_json: JSON.stringify(candidates), note: d.note, by_user_id: d.by_user_id,
    created_at: clock.now().toISOString(),
  }).execute();
  return id;
}

function parseSkills(json: string): Record<string, number> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, number>) : {};
  } catch {
    return {};
  }
}
