import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api, eventually, login, wechatCustomers, type Json } from '../server/test/harness.js';
import { antInput, browserStack, dismissToasts, fieldError, loginAs, newPage, screenshot } from './browser.js';

/**
 * 管理 in a real browser: a company day off on the office calendar moves a ticket's SLA due
 * time (seen on the ticket page), an SLA policy is created and edited (with the server's field
 * error shown next to the field), and the notification pages show what was sent.
 */

const s = browserStack();
let token: string;

const beijingDate = (iso: string) => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
/** the ticket page's due text (sla.tsx formatDue: MM-DD HH:mm within the year) */
const dueText = (iso: string) => {
  const b = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return `${b.slice(5, 10)} ${b.slice(11, 16)}`;
};

beforeAll(async () => {
  token = await login(s.kefu.url, 'admin');
});

describe('admin (browser)', () => {
  it('a company day off on the calendar moves a ticket\'s SLA due time on the ticket page', async () => {
    // a normal ticket gets the standard policy on the office calendar (工作日 9-18)
    const created = await api(s.kefu.url, 'POST', '/api/tickets', { title: '发票抬头开错了，需要重开', priority: 'normal' }, token);
    expect(created.status).toBe(201);
    const ticket = created.body;
    expect(ticket.sla.policy.id).toBe('sla_standard');
    const before: string = ticket.sla.first_response.due_at;
    const dueDay = beijingDate(before);

    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page, 'admin');
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByTestId('sla-first_response').waitFor();
    expect(await page.getByTestId('sla-first_response').textContent()).toContain(dueText(before));

    // 管理 → 工作日历 → the office calendar: mark the due day as a company day off
    await page.keyboard.press('Escape');
    await page.getByTestId('ticket-drawer').waitFor({ state: 'hidden' });
    await page.getByTestId('nav-admin').click();
    await page.getByTestId('admin-calendars').waitFor();
    await page.getByTestId('calendar-item').and(page.locator('[data-id="office-9-18"]')).click();
    await expect.poll(() => page.getByTestId('calendar-name').inputValue()).toBe('工作日 9:00-18:00');
    const year = Number(dueDay.slice(0, 4));
    while (Number(await page.getByTestId('year-label').textContent()) < year) await page.getByTestId('year-next').click();
    const day = page.getByTestId('cal-day').and(page.locator(`[data-date="${dueDay}"]`));
    expect(['workday', 'makeup']).toContain(await day.getAttribute('data-kind'));
    await day.click();
    await expect.poll(() => day.getAttribute('data-kind')).toBe('company_off');
    await page.getByTestId('day-off-tag').filter({ hasText: dueDay }).waitFor();
    // public holidays and 调休 make-up workdays from the data source are marked in the year view
    if (year === 2026) {
      expect(await page.getByTestId('cal-day').and(page.locator('[data-date="2026-10-01"]')).getAttribute('data-kind')).toBe('holiday');
      expect(await page.locator('[data-testid="cal-day"][data-kind="makeup"]').count()).toBeGreaterThan(3);
    }
    await page.mouse.move(700, 10);
    await page.locator('.tr-main').evaluate((e) => e.scrollTo(0, 0));
    await screenshot(page, 'admin-calendars.png');
    await page.getByTestId('calendar-save').click();
    await page.getByText('已保存').first().waitFor();

    // the server counts the day off at once: the due time moves to a later working day
    const after = (await api(s.kefu.url, 'GET', `/api/tickets/${ticket.id}`, undefined, token)).body.sla.first_response.due_at as string;
    expect(Date.parse(after)).toBeGreaterThan(Date.parse(before));
    expect(beijingDate(after)).not.toBe(dueDay);
    await page.goto(`/tickets/${ticket.id}`);
    await page.getByTestId('sla-first_response').waitFor();
    await expect.poll(() => page.getByTestId('sla-first_response').textContent()).toContain(dueText(after));
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('creates and edits an SLA policy; a bad warning time shows the server\'s error next to the field', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page, 'lead'); // a supervisor may administer too
    await page.goto('/admin/sla');
    await page.getByTestId('sla-row').first().waitFor();

    await page.getByTestId('sla-new').click();
    await page.getByTestId('sla-field-name').fill('金卡客户加急');
    await antInput(page, 'sla-field-first').fill('45');
    await antInput(page, 'sla-field-resolution').fill('600');
    await antInput(page, 'sla-field-warn').fill('90');
    await page.getByTestId('sla-save').click();
    // the server's rule (warning must come before the target), next to the field
    await expect.poll(() => fieldError(page, 'sla-field-warn').textContent()).toContain('预警提前量必须小于时限');
    await antInput(page, 'sla-field-warn').fill('10');
    await page.getByTestId('sla-add-level').click();
    expect(await page.getByTestId('sla-level').count()).toBe(2);
    await dismissToasts(page);
    await page.locator('.ant-drawer-body').evaluate((e) => e.scrollTo(0, 0));
    await screenshot(page, 'admin-sla-edit.png');
    await page.getByTestId('sla-save').click();
    const row = page.getByTestId('sla-row').filter({ hasText: '金卡客户加急' });
    await row.waitFor();
    expect(await row.getByTestId('sla-first-response').textContent()).toBe('45分');

    // edit: 45 → 60 minutes
    await row.getByTestId('sla-edit').click();
    await expect.poll(() => page.getByTestId('sla-field-name').inputValue()).toBe('金卡客户加急');
    await antInput(page, 'sla-field-first').fill('60');
    await page.getByTestId('sla-save').click();
    await expect.poll(() => row.getByTestId('sla-first-response').textContent()).toBe('1小时');
    const policies: Json[] = (await api(s.kefu.url, 'GET', '/api/admin/sla-policies', undefined, token)).body.items;
    const mine = policies.find((p) => p.name === '金卡客户加急')!;
    expect(mine).toMatchObject({ first_response_minutes: 60, resolution_minutes: 600, warn_before_minutes: 10 });
    expect(mine.escalation).toHaveLength(2);
    await page.mouse.move(700, 700);
    await screenshot(page, 'admin-sla.png');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('shows categories, departments, templates, the notification log and my preferences', async () => {
    // something to log: a rule that notifies the team lead when a customer mentions 投诉
    const rule = await api(s.kefu.url, 'POST', '/api/automation/rules', {
      name: '投诉提醒主管',
      trigger: { type: 'event', event: 'message.received' },
      conditions: { text_matches: '投诉' },
      actions: [{ type: 'notify', to: { username: 'lead' }, summary: '客户提到投诉', detail: '请关注会话', channels: ['wecom', 'email', 'sms'] }],
    }, token);
    expect(rule.status).toBe(201);
    const wechat = await wechatCustomers(s.sim.url);
    await wechat.says(await wechat.create('孙先生'), '再不处理我就投诉了');
    const log = await eventually(async () => {
      const items: Json[] = (await api(s.kefu.url, 'GET', '/api/notifications/log', undefined, token)).body.items;
      return items.some((i) => i.channel === 'wecom' && i.outcome === 'sent') ? items : null;
    }, 'the notification to be logged');
    expect(log.some((i) => i.channel === 'email' && i.outcome === 'skipped')).toBe(true);

    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page, 'admin');
    await page.goto('/admin/categories');
    await page.getByTestId('category-row').first().waitFor();
    expect(await page.getByTestId('category-row').filter({ hasText: '售后维修' }).textContent()).toContain('订单号');
    await page.getByTestId('category-row').filter({ hasText: '售后维修' }).getByTestId('category-edit').click();
    await page.getByTestId('custom-field').first().waitFor();
    expect(await page.getByTestId('custom-field').count()).toBe(3);
    await screenshot(page, 'admin-categories.png');
    await page.keyboard.press('Escape');

    await page.getByTestId('admin-nav-departments').click();
    await page.getByTestId('department-row').first().waitFor();
    expect(await page.getByTestId('department-row').filter({ hasText: '售后部' }).getByTestId('department-chain').textContent()).toMatch(/部门负责人：王主管.*上级负责人：系统管理员/);
    await screenshot(page, 'admin-departments.png');

    await page.getByTestId('admin-nav-templates').click();
    await page.getByTestId('template-card').first().waitFor();
    await page.getByTestId('template-card').and(page.locator('[data-name="sla_warning"]')).getByTestId('template-edit').click();
    await page.getByTestId('template-subject').fill('【SLA预警】{{ticketNo}} 快超时了 {{nosuch}}');
    await page.getByTestId('template-save').click();
    await expect.poll(() => fieldError(page, 'template-subject').textContent()).toContain('{{nosuch}}');
    await page.getByTestId('template-subject').fill('【SLA预警】{{ticketNo}} 快超时了');
    expect(await page.getByTestId('template-preview').textContent()).toContain('T20261124-0007 快超时了');
    await screenshot(page, 'admin-templates.png');
    await page.getByTestId('template-save').click();
    await page.getByTestId('template-card').and(page.locator('[data-name="sla_warning"]')).filter({ hasText: '已修改' }).waitFor();

    await page.getByTestId('admin-nav-log').click();
    await page.getByTestId('log-row').first().waitFor();
    expect(await page.getByTestId('log-row').and(page.locator('[data-channel="wecom"]')).first().getByTestId('log-outcome').getAttribute('data-outcome')).toBe('sent');
    expect(await page.getByTestId('log-row').and(page.locator('[data-channel="email"]')).first().textContent()).toContain('渠道未配置');
    await screenshot(page, 'admin-notification-log.png');

    await page.getByTestId('admin-nav-preferences').click();
    await page.getByTestId('preferences-form').waitFor();
    await page.getByTestId('pref-quiet').click();
    await page.getByTestId('pref-save').click();
    await page.getByText('已保存').first().waitFor();
    const prefs = (await api(s.kefu.url, 'GET', '/api/notifications/preferences', undefined, token)).body;
    expect(prefs.quietHours).toMatchObject({ start: '22:00', end: '08:00', timeZone: 'Asia/Shanghai' });
    await screenshot(page, 'admin-preferences.png');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('works on a phone; agents only set their own notifications', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'phone');
    await loginAs(page, 'admin');
    await page.getByTestId('nav-admin-menu').click();
    await page.getByRole('menuitem', { name: '管理' }).click();
    await page.getByTestId('admin-calendars').waitFor();
    await page.getByTestId('calendar-item').first().waitFor();
    await page.getByTestId('calendar-item').and(page.locator('[data-id="office-9-18"]')).click();
    await page.getByTestId('cal-day').first().waitFor();
    await page.getByTestId('year-calendar').scrollIntoViewIfNeeded();
    await screenshot(page, 'admin-calendars-phone.png');
    expect(errors).toEqual([]);
    await ctx.close();

    const agent = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(agent.page, 'agent1');
    expect(await agent.page.getByTestId('nav-admin').count()).toBe(0);
    expect(await agent.page.getByTestId('nav-automation').count()).toBe(0);
    await agent.page.getByTestId('nav-my-notifications').click();
    await agent.page.getByTestId('preferences-form').waitFor();
    expect(await agent.page.getByTestId('admin-nav-sla').count()).toBe(0);
    await agent.page.getByTestId('pref-channels').getByText('短信').click();
    await agent.page.getByTestId('pref-save').click();
    await agent.page.getByText('已保存').first().waitFor();
    const agentToken = await login(s.kefu.url, 'agent1');
    expect((await api(s.kefu.url, 'GET', '/api/notifications/preferences', undefined, agentToken)).body.channels).toEqual(['wecom', 'email']);
    await agent.page.goto('/admin/sla');
    await agent.page.waitForURL((u) => u.pathname === '/');
    expect(agent.errors).toEqual([]);
    await agent.ctx.close();
  });

  it('routing and the queue: a skill given a team, position notices switched on and an overflow rule saved from the page', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url);
    await loginAs(page, 'admin');
    await page.goto('/admin/routing');
    await page.getByTestId('admin-routing').waitFor();
    await expect.poll(() => page.getByTestId('routing-notices').getAttribute('aria-checked')).toBe('false');
    await page.getByTestId('routing-notices').click();
    await page.getByTestId('overflow-add').click();
    const rule = page.getByTestId('overflow-rule').first();
    // one dropdown open at a time: the first must have finished closing before the second opens
    const pick = async (within: typeof rule, testId: string, team: string) => {
      await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
      await within.getByTestId(testId).click();
      await page.locator('.ant-select-dropdown:visible').getByTitle(team).click();
    };
    await pick(rule, 'overflow-from', '售前');
    await antInput(page, 'overflow-minutes').fill('7');
    await pick(rule, 'overflow-to', '售后');
    // the demo's skill → team list is there; a company skill of its own gets a team
    const skills = page.getByTestId('skill_teams');
    await expect.poll(() => skills.locator('input').count()).toBeGreaterThanOrEqual(6);
    await skills.getByRole('button', { name: '添加技能 → 团队' }).click();
    const row = skills.getByTestId('team-row').last();
    await row.locator('input').first().fill('售后维修');
    await pick(row, 'team-select', '售后');
    await expect.poll(() => page.locator('.ant-select-dropdown:visible').count()).toBe(0);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, 'admin-routing.png');
    await page.getByTestId('routing-save').click();
    const saved = await eventually(async () => {
      const r = (await api(s.kefu.url, 'GET', '/api/routing/settings', undefined, token)).body;
      return r.queue_notice.enabled && r.overflow.length ? r : undefined;
    }, 'routing settings saved');
    expect(saved.overflow).toEqual([{ from_team: '售前', to_team: '售后', after_minutes: 7 }]);
    expect(saved.skill_teams).toContainEqual({ skill: '售后维修', team: '售后' });
    expect(saved.skill_teams).toContainEqual({ skill: '发票', team: '售后' });
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
