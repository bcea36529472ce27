import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import { AppError, forbidden, notFound } from '../core/errors.js';
import type { Conversation } from '../core/message.js';
import type { AuthUser } from '../auth/service.js';
import type { AgentClaim, HubService } from '../hub/index.js';
import type { Decision, RoutingService } from './service.js';
import { CapacityConflict, insertDecision, MANAGER_ROLES, takeSlot, txOf, WECOM_NATIVE, type RDb } from './store.js';

/** who automation rules act as: allowed to move any conversation, like a supervisor */
const RULES_ACTOR: AuthUser = { id: 'automation', username: 'automation', display_name: '自动化规则', role: 'admin' };

/**
 * Conversations changing hands on purpose: transfers (to an agent, to a team), an agent's reply
 * taking a waiting conversation, supervisors taking over, hand-over to a WeCom-native servicer.
 * Every one is recorded as a routing decision with who did it and why, and keeps the load
 * counters true (the agent row first, then the conversation: the router's lock order).
 */
export class Handovers {
  private readonly db: RDb;

  constructor(private readonly d: { db: Kysely<Database>; hub: HubService; clock: Clock; routing: RoutingService }) {
    this.db = d.db as unknown as RDb;
  }

  /** An automation rule's `assign` action: a transfer like a supervisor's, recorded as the rules'. */
  async transferByRule(conversationId: string, to: { username: string } | { team: string }, note: string | undefined): Promise<{ decision_id: string; reason: string }> {
    const agentId = async (username: string) => {
      const user = await this.db.selectFrom('users').select('id').where('username', '=', username).executeTakeFirst();
      if (!user) throw notFound(`agent ${username}`);
      return user.id;
    };
    const body = 'username' in to ? { to_agent_id: await agentId(to.username), note } : { to_team: to.team, note };
    const { decision } = await this.transfer(conversationId, RULES_ACTOR, body);
    return { decision_id: decision.id, reason: decision.reason };
  }

  async transfer(conversationId: string, by: AuthUser, body: { to_agent_id?: string; to_team?: string; note?: string }): Promise<{ conversation: Conversation; decision: Decision }> {
    const { hub, clock } = this.d;
    const conversation = await hub.getConversation(conversationId);
    if (!conversation) throw notFound('conversation');
    if (conversation.status === 'closed') throw new AppError(409, 'conversation_closed', '会话已结束，无法转接');
    if (conversation.status === 'bot') throw new AppError(409, 'with_bot', '会话仍由机器人接待，无法转接');
    if (conversation.service_state === WECOM_NATIVE) throw new AppError(409, 'served_in_wecom', '该会话正由企业微信客服人员接待，企业微信不允许转回 kefu 坐席（可在企业微信中继续转接或结束）');
    if (conversation.assignee_id !== by.id && !MANAGER_ROLES.has(by.role) && conversation.status !== 'queued') {
      throw forbidden('只能转接分配给自己的会话');
    }
    const note = body.note?.trim() || null;
    const fromAgent = conversation.assignee_id;
    const from = [{ status: conversation.status, assignee_id: conversation.assignee_id }];
    let decisionId: string;
    if (body.to_agent_id) {
      const [target] = await this.d.routing.agentSnapshots(body.to_agent_id);
      if (!target) throw notFound('agent');
      if (target.id === fromAgent) throw new AppError(409, 'same_agent', '会话已在该坐席名下');
      if (target.status !== 'online') throw new AppError(409, 'agent_unavailable', `${target.name} 当前不在线，无法转接`);
      const text = `${by.display_name} 转接给 ${target.name}${note ? `，备注：${note}` : ''}`;
      const reason = `${by.display_name} 手动转接给 ${target.name}${note ? `：${note}` : ''}。`;
      try {
        decisionId = await hub.transaction(async (uow) => {
          const tx = txOf(uow);
          if (!(await takeSlot(tx, target.id, clock.now().toISOString()))) throw new CapacityConflict();
          const moved = await hub.assignIn(uow, conversationId, target, { from, event: 'transferred', text, reason: `转接：${note ?? '无备注'}`, data: { note, from_agent_id: fromAgent, to_agent_id: target.id, by: by.id } });
          if (!moved) throw new AppError(409, 'conversation_changed', '会话状态已变化，请刷新后重试');
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
      await this.d.routing.route(conversationId);
    } else {
      throw new AppError(400, 'validation_error', '请指定 to_agent_id 或 to_team');
    }
    // the previous agent has a free slot now: the queue moves at once
    if (fromAgent) await this.d.routing.recount(fromAgent);
    this.d.routing.kick();
    const decision = (await this.d.routing.decisions(conversationId, 50)).find((x) => x.id === decisionId)!;
    return { conversation: (await hub.getConversation(conversationId))!, decision };
  }

  /**
   * The race "agent reply vs routing": an agent replying in a conversation nobody has (queued,
   * or with the bot) takes it in the send's own transaction — the same conditional
   * queued→assigned update the router uses, and the same `load < capacity` slot — so exactly one
   * of them wins. The loser's reply is refused with a clear error and nothing is sent; so is an
   * agent's reply in another agent's conversation (supervisors and admins may write there).
   */
  readonly claimForReply: AgentClaim = async (uow, conversation, agentId) => {
    const tx = txOf(uow);
    const now = this.d.clock.now().toISOString();
    await this.d.routing.ensureProfile(agentId, tx);
    const me = await tx.selectFrom('users').select(['display_name', 'role']).where('id', '=', agentId).executeTakeFirstOrThrow();
    // read after the conditional UPDATE waited for the row: the load as it is now
    const load = () => tx.selectFrom('agent_profiles').select(['load', 'capacity']).where('user_id', '=', agentId).executeTakeFirstOrThrow();
    if (conversation.status === 'assigned') {
      // served outside kefu (a WeCom-native servicer): the channel says why nothing can be sent
      if (MANAGER_ROLES.has(me.role) || !conversation.assignee_id) return;
      const holder = conversation.assignee_id && await tx.selectFrom('users').select('display_name').where('id', '=', conversation.assignee_id).executeTakeFirst();
      throw new AppError(409, 'conversation_taken', holder ? `会话已由 ${holder.display_name} 接入，您的消息未发送` : '会话不在您名下，您的消息未发送');
    }
    // the agent's row first, then the conversation (the router's lock order)
    this.d.routing.invalidate();
    const took = await takeSlot(tx, agentId, now, { anyStatus: true });
    const after = await load();
    if (!took) throw new AppError(409, 'agent_full', `您正在接待 ${after.load}/${after.capacity} 个会话，已达上限，无法再接入；消息未发送`);
    const assigned = await this.d.hub.assignIn(uow, conversation.id, { id: agentId, name: me.display_name }, { from: [{ status: 'queued' }, { status: 'bot' }], reason: '回复客户接入' });
    if (!assigned) {
      const holder = await tx.selectFrom('conversations').leftJoin('users', 'users.id', 'conversations.assignee_id')
        .select(['conversations.status', 'users.display_name']).where('conversations.id', '=', conversation.id).executeTakeFirst();
      throw new AppError(409, 'conversation_taken', holder?.display_name ? `会话已由 ${holder.display_name} 接入，您的消息未发送` : '会话状态已变化，您的消息未发送');
    }
    await tx.deleteFrom('routing_targets').where('conversation_id', '=', conversation.id).execute();
    await insertDecision(tx, {
      conversation_id: conversation.id, outcome: 'assigned', agent_id: agentId, team_id: null,
      reason: `${me.display_name} 回复客户，接入了${conversation.status === 'bot' ? '机器人接待中' : '排队中'}的会话（负载 ${after.load}/${after.capacity}）。`,
      context: { by: 'reply', from_status: conversation.status }, candidates: [], note: null, by_user_id: agentId,
    }, this.d.clock);
  };

  /**
   * A supervisor takes the conversation over (from its agent or from the queue). Deliberately
   * not limited by the supervisor's capacity — stepping in must always work — but counted in
   * their load; the previous agent's slot is freed and the queue moves.
   */
  async takeOver(conversationId: string, by: AuthUser, note?: string): Promise<{ conversation: Conversation; decision: Decision }> {
    const { hub, clock } = this.d;
    if (!MANAGER_ROLES.has(by.role)) throw forbidden('只有主管或管理员可以接管会话');
    const conversation = await hub.getConversation(conversationId);
    if (!conversation) throw notFound('conversation');
    if (conversation.status === 'closed') throw new AppError(409, 'conversation_closed', '会话已结束，无法接管');
    if (conversation.assignee_id === by.id) throw new AppError(409, 'same_agent', '会话已在您名下');
    if (conversation.service_state === WECOM_NATIVE) throw new AppError(409, 'served_in_wecom', '该会话正由企业微信客服人员在企业微信中接待，无法在 kefu 接管');
    await this.d.routing.ensureProfile(by.id);
    const fromAgent = conversation.assignee_id;
    const fromName = fromAgent ? (await this.db.selectFrom('users').select('display_name').where('id', '=', fromAgent).executeTakeFirst())?.display_name ?? fromAgent : null;
    const cleanNote = note?.trim() || null;
    const text = `${by.display_name} 接管了会话${fromName ? `（原坐席 ${fromName}）` : ''}${cleanNote ? `，备注：${cleanNote}` : ''}`;
    const decisionId = await hub.transaction(async (uow) => {
      const tx = txOf(uow);
      const now = clock.now().toISOString();
      await tx.updateTable('agent_profiles').set((eb) => ({ load: eb('load', '+', 1), last_assigned_at: now })).where('user_id', '=', by.id).execute();
      const moved = await hub.assignIn(uow, conversationId, { id: by.id, name: by.display_name }, {
        from: [{ status: conversation.status, assignee_id: conversation.assignee_id }], event: 'taken_over', text, reason: '主管接管',
        data: { note: cleanNote, from_agent_id: fromAgent, by: by.id },
      });
      if (!moved) throw new AppError(409, 'conversation_changed', '会话状态已变化，请刷新后重试');
      await tx.deleteFrom('routing_targets').where('conversation_id', '=', conversationId).execute();
      return insertDecision(tx, {
        conversation_id: conversationId, outcome: 'taken_over', agent_id: by.id, team_id: null,
        reason: `${by.display_name} 接管了${fromName ? ` ${fromName} 的` : '排队中的'}会话${cleanNote ? `：${cleanNote}` : ''}。`,
        context: { from_agent_id: fromAgent, from_status: conversation.status }, candidates: [], note: cleanNote, by_user_id: by.id,
      }, clock);
    });
    if (fromAgent) await this.d.routing.recount(fromAgent);
    this.d.routing.kick();
    const decision = (await this.d.routing.decisions(conversationId, 50)).find((x) => x.id === decisionId)!;
    return { conversation: (await hub.getConversation(conversationId))!, decision };
  }

  /**
   * The conversation went to a WeCom-native servicer (service_state 3): it is served from the
   * WeCom client now. It stays open in kefu, with the kefu agent mapped to that WeCom userid
   * (if any) as assignee; the previous agent's slot is freed; the decision is recorded.
   */
  async handedToWecom(conversationId: string, servicerUserid: string, by: AuthUser): Promise<void> {
    const { hub, clock } = this.d;
    const conversation = await hub.getConversation(conversationId);
    if (!conversation || conversation.status === 'closed') return;
    const mapped = await this.db.selectFrom('agent_profiles').innerJoin('users', 'users.id', 'agent_profiles.user_id')
      .select(['users.id', 'users.display_name']).where('agent_profiles.wecom_userid', '=', servicerUserid).executeTakeFirst();
    const fromAgent = conversation.assignee_id;
    const text = `${by.display_name} 转给企业微信客服人员 ${mapped?.display_name ?? servicerUserid}（在企业微信中接待）`;
    await hub.transaction(async (uow) => {
      const tx = txOf(uow);
      if (mapped) await hub.assignIn(uow, conversationId, { id: mapped.id, name: mapped.display_name }, { event: 'transferred', text, data: { wecom_servicer: servicerUserid, from_agent_id: fromAgent, by: by.id } });
      else await hub.releaseIn(uow, conversationId, text, { wecom_servicer: servicerUserid, from_agent_id: fromAgent, by: by.id });
      await tx.deleteFrom('routing_targets').where('conversation_id', '=', conversationId).execute();
      await insertDecision(tx, {
        conversation_id: conversationId, outcome: 'transferred', agent_id: mapped?.id ?? null, team_id: null,
        reason: `${by.display_name} 把会话转给企业微信客服人员 ${servicerUserid}${mapped ? `（kefu 坐席 ${mapped.display_name}）` : ''}，由其在企业微信中接待。`,
        context: { wecom_servicer: servicerUserid, from_agent_id: fromAgent, service_state: WECOM_NATIVE }, candidates: [], note: null, by_user_id: by.id,
      }, clock);
    });
    if (fromAgent) await this.d.routing.recount(fromAgent);
    if (mapped) await this.d.routing.recount(mapped.id);
    this.d.routing.kick();
  }
}
