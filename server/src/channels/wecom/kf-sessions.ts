import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Conversation } from '../../core/message.js';
import { newId } from '../../core/ids.js';
import type { HubService } from '../../hub/index.js';
import type { KfServiceState, WecomApiClient } from './api-client.js';

/** kf service_state values (fact sheet C7). */
export const KF_STATE = { untreated: 0, bot: 1, pool: 2, servicer: 3, ended: 4 } as const;

/**
 * The WeCom side of a conversation's life: who serves it (service_state), the welcome
 * message, and the customer's WeChat profile. kefu's own bot and agents serve through the
 * API in state 1, the only state besides 0 in which send_msg works.
 */
export class KfSessions {
  constructor(private readonly deps: { api: WecomApiClient; hub: HubService; clock: Clock; log: Logger }) {}

  /** A new conversation: fill the customer's nickname/avatar and take the session (0 → 1). */
  async started(conversation: Conversation, external_userid: string): Promise<void> {
    const { api, hub, log } = this.deps;
    await Promise.all([
      api.batchGetCustomers([external_userid]).then(
        ([c]) => c && hub.updateCustomerProfile('wecom_kf', external_userid, { display_name: c.nickname || undefined, avatar_url: c.avatar || null }, c),
        (err) => log.warn({ err }, 'kf customer/batchget failed'),
      ),
      conversation.service_state === KF_STATE.untreated ? this.trans(conversation, external_userid, KF_STATE.bot) : undefined,
    ]);
  }

  /** Sends the welcome on enter_session (code valid 20 s, once) and keeps it in the conversation. */
  async welcome(conversation: Conversation, code: string, text: string): Promise<void> {
    const content = { type: 'text' as const, text };
    try {
      await this.deps.api.sendMsgOnEvent({ code, msgid: newId('w'), msgtype: 'text', text: { content: text } });
      await this.deps.hub.recordOutbound(conversation.id, content, { type: 'bot', id: null }, { status: 'sent' });
    } catch (err) {
      const e = err as { errcode?: number; errmsg?: string };
      await this.deps.hub.recordOutbound(conversation.id, content, { type: 'bot', id: null }, {
        status: 'failed', fail_code: `wecom_${e.errcode ?? 'error'}`, fail_reason: '欢迎语发送失败（欢迎语 code 已过期或已使用）',
      });
    }
  }

  /**
   * Moves the WeCom session to `state` and mirrors it; a refused transition is logged, not fatal.
   * Returns WeCom's msg_code (the one message allowed after the change, e.g. after ending), or
   * null when WeCom refused.
   */
  async trans(conversation: Conversation, external_userid: string, state: number, servicer_userid?: string): Promise<{ msg_code?: string } | null> {
    try {
      const r = await this.deps.api.transServiceState({ open_kfid: conversation.channel_account, external_userid, service_state: state as KfServiceState, ...(servicer_userid ? { servicer_userid } : {}) });
      await this.deps.hub.setServiceState(conversation.id, state);
      return r;
    } catch (err) {
      this.deps.log.warn({ err, conversation_id: conversation.id, state }, 'kf service_state/trans refused');
      return null;
    }
  }
}
