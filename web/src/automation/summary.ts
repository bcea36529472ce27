import type { TFunction } from 'i18next';
import type { Action, Rule, Trigger } from './types';

/** the first n characters (whole code points: an emoji is never cut in half) */
const clip = (s: string, n: number) => {
  const cs = [...s];
  return cs.length > n ? `${cs.slice(0, n).join('')}…` : s;
};

/** 收到客户消息 / 每天 09:00（cron）/ 会员到期前 30 天 10:00 */
export function triggerText(t: TFunction, tr: Trigger): string {
  if (tr.type === 'event') return t(`automation.events.${tr.event}`);
  if (tr.type === 'cron') return t('automation.trigger.cronText', { cron: tr.cron, zone: tr.timezone });
  const when = tr.offset_days === 0 ? t('automation.trigger.onDay') : tr.offset_days < 0 ? t('automation.trigger.daysBefore', { n: -tr.offset_days }) : t('automation.trigger.daysAfter', { n: tr.offset_days });
  return t('automation.trigger.dateText', { field: t(`automation.fields.${tr.field}`), when, at: tr.at, yearly: (tr.yearly ?? tr.field === 'birthday') ? t('automation.trigger.yearlyShort') : '' });
}

export function conditionsText(t: TFunction, r: Rule): string[] {
  const c = r.conditions;
  const out: string[] = [];
  if (c.text_matches) out.push(t('automation.cond.textShort', { re: clip(c.text_matches, 20) }));
  if (c.tiers) out.push(`${t('automation.cond.tiers')}: ${c.tiers.join('/')}`);
  if (c.tags_any) out.push(`${t('automation.cond.tagsAny')}: ${c.tags_any.join('/')}`);
  if (c.tags_all) out.push(`${t('automation.cond.tagsAll')}: ${c.tags_all.join('/')}`);
  if (c.tags_none) out.push(`${t('automation.cond.tagsNone')}: ${c.tags_none.join('/')}`);
  if (c.channels) out.push(c.channels.map((x) => t(`automation.channels.${x}`)).join('/'));
  if (c.intents) out.push(`${t('automation.cond.intents')}: ${c.intents.join('/')}`);
  if (c.score) out.push(t('automation.cond.scoreShort', { min: c.score.min, max: c.score.max }));
  if (c.time_window) out.push(`${c.time_window.start}–${c.time_window.end}`);
  if (c.ticket_categories) out.push(`${t('automation.cond.ticketCategories')}: ${c.ticket_categories.join('/')}`);
  if (c.ticket_priorities) out.push(c.ticket_priorities.map((p) => t(`tickets.priority.${p}`)).join('/'));
  if (c.served_by_human !== undefined) out.push(`${t('automation.cond.servedByHuman')}: ${t(c.served_by_human ? 'automation.cond.servedYes' : 'automation.cond.servedNo')}`);
  return out;
}

export function actionText(t: TFunction, a: Action): string {
  const name = t(`automation.actions.${a.type}`);
  switch (a.type) {
    case 'tag':
      return `${name} ${[...a.add.map((x) => `+${x}`), ...a.remove.map((x) => `−${x}`)].join(' ')}`;
    case 'send_message':
      return `${name}（${a.content.type === 'text' ? clip(a.content.text, 22) : a.content.type === 'link' ? clip(a.content.title, 22) : t('automation.content.menu')}）`;
    case 'create_ticket':
      return `${name}「${clip(a.title, 22)}」`;
    case 'assign':
      return `${name} → ${a.to_username ?? a.to_team ?? ''}`;
    case 'notify':
      return `${name} ${a.to.username ?? a.to.wecom_userid ?? a.to.email ?? a.to.phone ?? ''}`;
    case 'webhook':
      return `${name} ${new URL(a.url).host}`;
    default:
      return name;
  }
}
