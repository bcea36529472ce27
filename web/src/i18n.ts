import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import 'dayjs/locale/zh-cn';
import 'dayjs/locale/en';
import { trainingEn, trainingZh } from './training/i18n';
import { ticketsEn, ticketsZh } from './tickets/i18n';
import { adminEn, adminZh } from './admin/i18n';
import { automationEn, automationZh } from './automation/i18n';
import { wsEn, wsZh } from './workspace/i18n';

dayjs.extend(relativeTime);

export type Lang = 'zh' | 'en';
export const LANG_KEY = 'kefu_lang';

const zh = {
  /** server failure reasons are Chinese; English replaces them by code (empty: keep the server's text) */
  failCodes: {
    window_closed: '',
    wecom_95001: '',
    wecom_95002: '',
    wecom_95018: '',
    wecom_native_servicer: '',
    channel_error: '',
  },
  brand: 'kefu 客服工作台',
  brandShort: '客服工作台',
  login: {
    title: '登录客服工作台',
    subtitle: '悦肤美妆 · 智能客服系统',
    username: '用户名',
    password: '密码',
    submit: '登录',
    required: '请输入{{field}}',
    invalid: '用户名或密码错误',
    failed: '登录失败：{{reason}}',
    demo: '演示账号：agent1 / kefu123',
  },
  header: { logout: '退出登录', switchLang: 'English' },
  nav: { workspace: '工作台', training: '知识库/训练', trainingShort: '训练', tickets: '工单', admin: '管理', automation: '自动化', notifications: '我的通知' },
  roles: { admin: '管理员', supervisor: '主管', agent: '客服', trainer: '训练师' },
  tiers: { 普通: '普通', 银卡: '银卡', 金卡: '金卡', VIP: 'VIP' },
  handoff: {
    title: '机器人转人工',
    reason: '转人工原因',
    summary: '机器人摘要',
    intent: '意图猜测',
    noIntent: '未识别',
    reasons: {
      explicit_request: '客户要求转人工',
      repeated_question: '客户重复提问',
      negative_sentiment: '客户情绪负面',
      unanswered: '机器人无法回答',
      vip: 'VIP 客户',
      keyword: '命中转人工关键词',
      intent: '意图需要人工处理',
      bot_off: '机器人已关闭',
    },
  },
  conn: { connected: '已连接', reconnecting: '重连中', connecting: '连接中' },
  list: {
    title: '进行中的会话',
    empty: '暂无进行中的会话',
    search: '搜索客户或消息',
    loadFailed: '会话列表加载失败：{{reason}}',
    urgent: '紧急',
  },
  channel: { wecom_kf: '微信客服', web: '网站' },
  status: { bot: '机器人', queued: '排队中', assigned: '已分配', closed: '已结束' },
  assist: { suggestions: '知识推荐', quickReplies: '快捷回复', editQuick: '设置快捷回复' },
  quick: {
    title: '快捷回复 F1–F12',
    hint: '同一按键上，个人话术优先于团队话术，团队话术优先于全员话术。主管可设置团队和全员话术。',
    key: '按键',
    template: '话术（生效的在最上）',
    edit: '编辑',
    editKey: '设置 {{key}}',
    for: '适用于',
    scope: { user: '仅自己', team: '我的团队', shared: '全员' },
    name: '名称',
    text: '内容',
    save: '保存',
    saved: '快捷回复已保存',
    failed: '操作失败：{{reason}}',
    remove: '删除',
    removeConfirm: '删除这条话术？',
  },
  chat: {
    empty: '从左侧选择一个会话开始接待',
    noMessages: '暂无消息',
    close: '结束会话',
    closed: '会话已结束',
    closeOk: '会话已结束',
    closeFailed: '结束会话失败：{{reason}}',
    placeholder: '输入回复，Enter 发送，Shift+Enter 换行',
    placeholderClosed: '会话已结束，无法回复',
    send: '发送',
    back: '返回',
    loadFailed: '消息加载失败：{{reason}}',
    sendFailed: '发送失败：{{reason}}',
    pending: '发送中',
    failed: '发送失败',
    retry: '重发',
    bot: '机器人',
    agent: '客服',
    you: '我',
    system: '系统',
    loadingOlder: '加载中…',
    image: '图片',
    imageHint: '发送图片（不超过 10 MB）',
    imageOnly: '请选择图片文件',
    imageTooLarge: '图片不能超过 10 MB',
    uploadFailed: '图片上传失败：{{reason}}',
  },
  msg: {
    mediaFailed: '媒体获取失败',
    image: '图片',
    file: '文件',
    download: '下载',
    location: '位置',
    card: '名片',
    miniprogram: '小程序',
    menuClick: '菜单点击',
    link: '链接',
    unknown: '不支持的消息类型',
    voice: '语音',
    play: '播放语音',
    pause: '暂停',
    voiceFailed: '语音无法播放，点击下载',
  },
  event: {
    enter_session: '客户进入会话',
    msg_send_fail: '消息发送失败',
    servicer_status_change: '接待人员状态变更',
    session_status_change: '会话状态变更',
    user_recall_msg: '客户撤回了一条消息',
    servicer_recall_msg: '客服撤回了一条消息',
    conversation_closed: '会话已结束',
    conversation_assigned: '会话已分配',
    conversation_queued: '客户进入排队',
    conversation_transferred: '会话已转接',
    handoff: '机器人转人工',
    visitor_joined: '访客进入网站客服',
    generic: '系统事件：{{event}}',
  },
};

type Dict = { [k: string]: string | Dict };

const en: typeof zh = {
  failCodes: {
    window_closed: "WeChat's reply window is closed (at most 5 messages within 48 h of the customer's last message). Wait for the customer to write again.",
    wecom_95001: 'WeCom refused: 5 replies already sent since the customer last wrote. Wait for the customer to write again.',
    wecom_95002: "WeCom refused: more than 48 hours since the customer's last message.",
    wecom_95018: 'WeCom refused: the session is not served by kefu (queued, taken over or ended).',
    wecom_native_servicer: 'This session was handed to a WeCom servicer; kefu can no longer send.',
    channel_error: 'The channel failed to send; please retry.',
  },
  brand: 'kefu Agent Console',
  brandShort: 'Agent Console',
  login: {
    title: 'Sign in to the agent console',
    subtitle: 'Yuefu Beauty · Intelligent customer service',
    username: 'Username',
    password: 'Password',
    submit: 'Sign in',
    required: 'Please enter your {{field}}',
    invalid: 'Wrong username or password',
    failed: 'Sign-in failed: {{reason}}',
    demo: 'Demo account: agent1 / kefu123',
  },
  header: { logout: 'Log out', switchLang: '中文' },
  nav: { workspace: 'Workspace', training: 'Knowledge & training', trainingShort: 'Training', tickets: 'Tickets', admin: 'Admin', automation: 'Automation', notifications: 'My notifications' },
  roles: { admin: 'Admin', supervisor: 'Supervisor', agent: 'Agent', trainer: 'Trainer' },
  tiers: { 普通: 'Regular', 银卡: 'Silver', 金卡: 'Gold', VIP: 'VIP' },
  handoff: {
    title: 'Bot hand-off',
    reason: 'Reason',
    summary: 'Bot summary',
    intent: 'Likely intent',
    noIntent: 'Not recognised',
    reasons: {
      explicit_request: 'Customer asked for a human',
      repeated_question: 'Customer repeated the question',
      negative_sentiment: 'Negative sentiment',
      unanswered: 'The bot could not answer',
      vip: 'VIP customer',
      keyword: 'Hand-off keyword',
      intent: 'Intent needs a human',
      bot_off: 'Bot is off',
    },
  },
  conn: { connected: 'Connected', reconnecting: 'Reconnecting', connecting: 'Connecting' },
  list: {
    title: 'Open conversations',
    empty: 'No open conversations',
    search: 'Search customers or messages',
    loadFailed: 'Could not load conversations: {{reason}}',
    urgent: 'Urgent',
  },
  channel: { wecom_kf: 'WeChat KF', web: 'Website' },
  status: { bot: 'Bot', queued: 'Queued', assigned: 'Assigned', closed: 'Closed' },
  assist: { suggestions: 'Suggested answers', quickReplies: 'Quick replies', editQuick: 'Edit quick replies' },
  quick: {
    title: 'Quick replies F1–F12',
    hint: 'On the same key your own template wins over your team\'s, which wins over the shared one. Supervisors set team and shared templates.',
    key: 'Key',
    template: 'Templates (the one in effect on top)',
    edit: 'Edit',
    editKey: 'Set {{key}}',
    for: 'For',
    scope: { user: 'Only me', team: 'My team', shared: 'Everybody' },
    name: 'Name',
    text: 'Text',
    save: 'Save',
    saved: 'Quick reply saved',
    failed: 'Failed: {{reason}}',
    remove: 'Remove',
    removeConfirm: 'Remove this template?',
  },
  chat: {
    empty: 'Pick a conversation on the left to start',
    noMessages: 'No messages yet',
    close: 'End conversation',
    closed: 'Conversation closed',
    closeOk: 'Conversation closed',
    closeFailed: 'Could not close: {{reason}}',
    placeholder: 'Type a reply — Enter to send, Shift+Enter for a new line',
    placeholderClosed: 'Conversation closed, replies disabled',
    send: 'Send',
    back: 'Back',
    loadFailed: 'Could not load messages: {{reason}}',
    sendFailed: 'Send failed: {{reason}}',
    pending: 'Sending',
    failed: 'Failed',
    retry: 'Resend',
    bot: 'Bot',
    agent: 'Agent',
    you: 'Me',
    system: 'System',
    loadingOlder: 'Loading…',
    image: 'Image',
    imageHint: 'Send a picture (up to 10 MB)',
    imageOnly: 'Please choose an image file',
    imageTooLarge: 'Images must be 10 MB or smaller',
    uploadFailed: 'Image upload failed: {{reason}}',
  },
  msg: {
    mediaFailed: 'Media unavailable',
    image: 'Image',
    file: 'File',
    download: 'Download',
    location: 'Location',
    card: 'Contact card',
    miniprogram: 'Mini program',
    menuClick: 'Menu click',
    link: 'Link',
    unknown: 'Unsupported message type',
    voice: 'Voice',
    play: 'Play voice message',
    pause: 'Pause',
    voiceFailed: 'Cannot play this voice message — download it',
  },
  event: {
    enter_session: 'Customer entered the chat',
    msg_send_fail: 'Message delivery failed',
    servicer_status_change: 'Agent status changed',
    session_status_change: 'Session status changed',
    user_recall_msg: 'Customer recalled a message',
    servicer_recall_msg: 'Agent recalled a message',
    conversation_closed: 'Conversation closed',
    conversation_assigned: 'Conversation assigned',
    conversation_queued: 'Customer is queued',
    conversation_transferred: 'Conversation transferred',
    handoff: 'Bot handed off to a human',
    visitor_joined: 'Visitor opened the website chat',
    generic: 'System event: {{event}}',
  },
};

const resources: Record<Lang, { translation: Dict }> = {
  zh: { translation: { ...zh, training: trainingZh, tickets: ticketsZh, ws: wsZh, admin: adminZh, automation: automationZh } },
  en: { translation: { ...en, training: trainingEn, tickets: ticketsEn, ws: wsEn, admin: adminEn, automation: automationEn } },
};

export function initialLang(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  return saved === 'en' ? 'en' : 'zh';
}

export function applyDayjsLocale(lang: Lang): void {
  dayjs.locale(lang === 'en' ? 'en' : 'zh-cn');
}

const lang = initialLang();
applyDayjsLocale(lang);
void i18n.use(initReactI18next).init({
  resources,
  lng: lang,
  fallbackLng: 'zh',
  interpolation: { escapeValue: false },
});

export default i18n;
