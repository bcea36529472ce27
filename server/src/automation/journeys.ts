/**
 * The built-in journeys of the demo (悦肤美妆), as ordinary rules an admin can edit or switch off.
 * Seeded once each (by their `builtin` key).
 */
import type { RuleInput } from './rules.js';

export const DEMO_LINKS = {
  gift: 'https://yuefu-demo.cn/gift/birthday',
  renew: 'https://yuefu-demo.cn/member/renew',
  group: 'https://yuefu-demo.cn/community/join',
};

export const BUILTIN_JOURNEYS: Record<string, RuleInput> = {
  birthday_greeting: {
    name: '生日祝福',
    description: '客户生日当天 00:00（客户所在时区）送上祝福和生日礼链接',
    trigger: { type: 'date_field', field: 'birthday', offset_days: 0, at: '00:00', yearly: true },
    conditions: {},
    actions: [{
      type: 'send_message',
      content: { type: 'link', title: '{{name}}，生日快乐！🎂', desc: '悦肤为您准备了一份生日礼，点击领取', url: DEMO_LINKS.gift },
      sms_text: '{{name}}，生日快乐！悦肤为您准备了生日礼，领取：' + DEMO_LINKS.gift,
    }],
  },
  renewal_reminder: {
    name: '会员续费提醒',
    description: '会员到期前 30 天 10:00 发送续费优惠券和续费步骤',
    trigger: { type: 'date_field', field: 'membership_expiry', offset_days: -30, at: '10:00' },
    conditions: {},
    actions: [{
      type: 'send_message',
      content: {
        type: 'text',
        text: '{{name}}您好，您的{{tier}}会员将于 {{membership_expiry}} 到期。续费专享券：RENEW30（满 300 减 30，30 天内有效）。\n续费方式：打开「悦肤会员」小程序 → 我的 → 会员续费 → 选择套餐并使用优惠券支付。\n也可直接点击：' + DEMO_LINKS.renew,
      },
      sms_text: '{{name}}您好，您的会员将于{{membership_expiry}}到期，续费券RENEW30（满300减30），续费：' + DEMO_LINKS.renew,
    }],
  },
  survey_on_thanks: {
    name: '满意度调查（客户致谢）',
    description: '客户说「谢谢 / 好的 / 没问题」时邀请评价（微信为菜单消息，网页为按钮）',
    trigger: { type: 'event', event: 'message.received' },
    conditions: { text_matches: '^\\s*(谢谢|谢谢你|谢谢您|多谢|好的|没问题)[啦了呀哈!！。.~～]*\\s*$' },
    actions: [{ type: 'send_survey', head: '感谢您的咨询！请为本次服务打分：' }],
  },
  survey_on_close: {
    name: '满意度调查（会话结束）',
    description: '人工接待过的会话结束时邀请评价（每个会话只邀请一次；留言转工单等未经人工的会话不邀请）',
    trigger: { type: 'event', event: 'conversation.closed' },
    conditions: { served_by_human: true },
    actions: [{ type: 'send_survey', head: '本次服务已结束，请为我们打分：' }],
  },
  five_star_group: {
    name: '五星好评邀请入群',
    trigger: { type: 'event', event: 'survey.rated' },
    conditions: { score: { min: 5, max: 5 } },
    actions: [
      { type: 'send_message', content: { type: 'link', title: '感谢五星好评！邀请您加入悦肤会员社群', desc: '新品试用、专属福利和护肤顾问都在群里', url: DEMO_LINKS.group }, fallback: 'none' },
      { type: 'tag', add: ['好评客户'] },
    ],
  },
  low_score_recovery: {
    name: '低分服务补救',
    trigger: { type: 'event', event: 'survey.rated' },
    conditions: { score: { min: 1, max: 2 } },
    actions: [
      { type: 'create_ticket', title: '服务补救：{{name}} 评分 {{score}}★', description: '客户对本次服务评价 {{score}} 星，请组长在 24 小时内回访并记录补救措施。', category_id: 'complaint', priority: 'high', assignee_username: 'lead' },
      { type: 'send_message', content: { type: 'text', text: '很抱歉没能让您满意，我们的服务主管会尽快联系您。' }, fallback: 'none' },
    ],
  },
};
