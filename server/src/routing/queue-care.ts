import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { HubService } from '../hub/index.js';
import type { Scheduler } from '../scheduler/index.js';
import type { QueueNotices } from './notices.js';
import type { QueueListener, RoutingService } from './service.js';
import type { RoutingSettings, RoutingSettingsStore } from './settings.js';
import { estimateWaitMinutes, type WaitStats } from './wait.js';

export type LeaveWhy = 'outside_hours' | 'queue_long' | 'wait_long' | 'waited';

/** What the customer is told before the ticket number ({why} in the leave-message text). */
const WHY_TEXT: Record<LeaveWhy, string> = {
  outside_hours: '现在是非人工服务时间',
  queue_long: '当前排队人数较多',
  wait_long: '当前预计等待时间较长',
  waited: '让您久等了，暂时没有客服可以接待',
};

const OVERFLOW = 'routing.overflow';
const LEAVE = 'routing.leave';

export type QueueCareDeps = {
  routing: RoutingService;
  hub: HubService;
  scheduler: Scheduler;
  settings: RoutingSettingsStore;
  notices: QueueNotices;
  wait: WaitStats;
  clock: Clock;
  log: Logger;
  /** whether humans work now (the bot settings' business calendar) */
  humanTime: () => Promise<boolean>;
  /** opens a ticket from the conversation, fields prefilled (tickets module) */
  openTicket: (conversationId: string) => Promise<{ id: string; number: string }>;
};

/**
 * Everything around a waiting customer besides the pick itself:
 * - leave-a-message: when nobody can serve — outside human hours, too many waiting, too long an
 *   estimated wait, or waited too long — the customer is told, a ticket is opened from the
 *   conversation, the decision recorded, and the conversation ends;
 * - overflow: waiting for team A longer than a rule's minutes → team B (a durable scheduler job
 *   per conversation, so a restart or another instance still fires it; it re-checks on firing);
 * - position notices (notices.ts), run after every change, one pass at a time.
 */
export class QueueCare implements QueueListener {
  private readonly leaving = new Set<string>();
  private notifying: Promise<void> | undefined;
  private notifyAgain = false;

  constructor(private readonly d: QueueCareDeps) {
    d.scheduler.register<{ conversation_id: string; team_id: string; since: string }>(OVERFLOW, async (job) => this.overflowDue(job.payload));
    d.scheduler.register<{ conversation_id: string }>(LEAVE, async (job) => {
      const c = await d.hub.getConversation(job.payload.conversation_id);
      const s = (await d.settings.get()).leave_message;
      if (c?.status === 'queued' && s.max_wait_minutes !== null) await this.leave(c.id, 'waited', `已等待超过 ${s.max_wait_minutes} 分钟`);
    });
  }

  async queued(conversationId: string): Promise<void> {
    const settings = await this.d.settings.get();
    const why = await this.cannotServe(conversationId, settings);
    if (why) await this.leave(conversationId, why.why, why.detail);
    else await this.scheduleTimers(conversationId, settings);
    this.moved();
  }

  /** Positions changed: one notices pass now, another right after if more changes came in. */
  moved(): void {
    if (this.notifying) {
      this.notifyAgain = true;
      return;
    }
    this.notifying = (async () => {
      do {
        this.notifyAgain = false;
        await this.d.notices.pass().catch((err) => this.d.log.error({ err }, 'queue notices failed'));
      } while (this.notifyAgain);
    })().finally(() => (this.notifying = undefined));
  }

  async idle(): Promise<void> {
    while (this.notifying) await this.notifying;
  }

  /** Why nobody can serve this customer now, checked when they join the queue. */
  private async cannotServe(conversationId: string, settings: RoutingSettings): Promise<{ why: LeaveWhy; detail: string } | null> {
    const s = settings.leave_message;
    if (s.outside_hours && !(await this.d.humanTime())) return { why: 'outside_hours', detail: '人工服务时间外' };
    if (s.max_queue_length === null && s.max_wait_minutes === null) return null;
    const item = (await this.d.routing.queue()).find((q) => q.conversation_id === conversationId);
    if (!item) return null;
    const ahead = item.position - 1;
    if (s.max_queue_length !== null && ahead >= s.max_queue_length) return { why: 'queue_long', detail: `前面已有 ${ahead} 位客户排队，上限 ${s.max_queue_length}` };
    if (s.max_wait_minutes !== null) {
      const { slots, avgHandleS } = await this.d.wait.current();
      const minutes = estimateWaitMinutes(item.position, slots, avgHandleS);
      if (minutes !== null && minutes > s.max_wait_minutes) return { why: 'wait_long', detail: `预计等待 ${minutes} 分钟，上限 ${s.max_wait_minutes} 分钟` };
    }
    return null;
  }

  private async scheduleTimers(conversationId: string, settings: RoutingSettings): Promise<void> {
    const { scheduler, routing, clock } = this.d;
    const target = await routing.targetOf(conversationId);
    const maxWait = settings.leave_message.max_wait_minutes;
    if (maxWait !== null) {
      const c = await this.d.hub.getConversation(conversationId);
      // waiting since the transfer, or the hand-off, or the start (as the queue orders it)
      const since = target?.since ?? c?.handoff?.at ?? c?.created_at ?? clock.now().toISOString();
      await scheduler.schedule(LEAVE, `${LEAVE}:${conversationId}`, new Date(Date.parse(since) + maxWait * 60_000), { conversation_id: conversationId });
    }
    const rule = target && settings.overflow.find((r) => r.from_team === target.team);
    if (target && rule) {
      await scheduler.schedule(OVERFLOW, `${OVERFLOW}:${conversationId}`, new Date(Date.parse(target.since) + rule.after_minutes * 60_000),
        { conversation_id: conversationId, team_id: target.team_id, since: target.since });
    }
  }

  private async overflowDue(p: { conversation_id: string; team_id: string; since: string }): Promise<void> {
    const target = await this.d.routing.targetOf(p.conversation_id);
    if (!target || target.team_id !== p.team_id || target.since !== p.since) return; // moved on meanwhile
    const rule = (await this.d.settings.get()).overflow.find((r) => r.from_team === target.team);
    if (rule) await this.d.routing.overflow(p.conversation_id, target, rule.to_team, rule.after_minutes);
  }

  /**
   * Leave-a-message: ticket first (its number goes into the message), then the customer is told
   * while the conversation is still open (on WeCom, within the reply window), then the
   * conversation ends — only if it is still waiting: an agent who took it meanwhile keeps it,
   * and the decision says so.
   */
  async leave(conversationId: string, why: LeaveWhy, detail: string): Promise<void> {
    const { hub, log } = this.d;
    if (this.leaving.has(conversationId)) return;
    this.leaving.add(conversationId);
    try {
      const before = await hub.getConversation(conversationId);
      if (before?.status !== 'queued') return;
      const ticket = await this.d.openTicket(conversationId);
      const s = (await this.d.settings.get()).leave_message;
      const text = s.text.replaceAll('{why}', WHY_TEXT[why]).replaceAll('{ticket}', ticket.number);
      const told = await hub.send({ conversation_id: conversationId, sender: { type: 'system', id: null }, content: { type: 'text', text } })
        .then((r) => r.message.status === 'sent', (err) => (log.warn({ err, conversation_id: conversationId }, 'leave-message notice failed'), false));
      const closed = await hub.closeFrom(conversationId, ['queued']);
      await this.d.routing.record({
        conversation_id: conversationId, outcome: 'left_message', agent_id: null, team_id: null,
        reason: `${WHY_TEXT[why]}（${detail}），已转为留言工单 ${ticket.number}${closed ? '，会话结束' : '；会话已被坐席接入'}。`,
        context: { why, detail, ticket_id: ticket.id, ticket_number: ticket.number, customer_told: told, closed: !!closed }, note: null, by_user_id: null,
      });
      await Promise.all([this.d.scheduler.cancel(`${LEAVE}:${conversationId}`), this.d.scheduler.cancel(`${OVERFLOW}:${conversationId}`)]);
    } finally {
      this.leaving.delete(conversationId);
    }
  }
}
