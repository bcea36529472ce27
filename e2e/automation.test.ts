import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openDb } from '../server/src/db/connect.js';
import { api, eventually, login, wechatCustomers, type Json } from '../server/test/harness.js';
import { browserStack, dismissToasts, fieldError, loginAs, newPage, screenshot } from './browser.js';

/**
 * 自动化 in a real browser: a journey is switched off, a rule built without code (customer
 * writes 投诉 → tag) runs on a real WeChat message and shows up in the run log, a bad cron
 * expression gets the server's error under the field, and an owner task is done and undone.
 */

const s = browserStack();
let token: string;

const rule = (page: Page, name: string) => page.getByTestId('rule-row').filter({ hasText: name });

beforeAll(async () => {
  token = await login(s.kefu.url, 'admin');
});

describe('automation (browser)', () => {
  it('switches a journey off, rejects a bad cron with the server\'s field error, and runs a rule built in the UI', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page, 'admin');
    await page.getByTestId('nav-automation').click();
    await page.getByTestId('automation-rules').waitFor();

    // the built-in journeys, on by default; switch the birthday greeting off
    await page.getByTestId('journey-card').first().waitFor();
    for (const key of ['birthday_greeting', 'renewal_reminder', 'survey_on_thanks', 'survey_on_close']) {
      expect(await page.getByTestId('journey-card').and(page.locator(`[data-builtin="${key}"]`)).count()).toBe(1);
    }
    const birthday = page.getByTestId('journey-card').and(page.locator('[data-builtin="birthday_greeting"]'));
    expect(await birthday.getAttribute('data-enabled')).toBe('1');
    await birthday.getByTestId('rule-toggle').click();
    await expect.poll(() => birthday.getAttribute('data-enabled')).toBe('0');
    const rules: Json[] = (await api(s.kefu.url, 'GET', '/api/automation/rules', undefined, token)).body.items;
    expect(rules.find((r) => r.builtin === 'birthday_greeting')!.enabled).toBe(false);

    // a schedule with a cron expression the server cannot read: its message under the field
    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-name').fill('每日早报');
    await page.getByTestId('trigger-type').getByText('定时').click();
    await page.getByTestId('trigger-cron').fill('every morning at nine');
    await page.getByTestId('rule-save').click();
    await expect.poll(() => fieldError(page, 'trigger-cron').textContent()).toContain('invalid cron expression');
    await screenshot(page, 'automation-rule-error.png');
    await page.keyboard.press('Escape');
    await page.getByTestId('rule-form').waitFor({ state: 'detached' });
    expect(await rule(page, '每日早报').count()).toBe(0);

    // message received + text matches 投诉|差评 → tag 投诉客户
    await page.getByTestId('rule-new').click();
    await page.getByTestId('rule-name').fill('投诉关键词打标签');
    expect(await page.getByTestId('trigger-event').textContent()).toContain('收到客户消息');
    await page.getByTestId('cond-text').fill('投诉|差评');
    expect(await page.getByTestId('action-card').getAttribute('data-type')).toBe('tag');
    await page.getByTestId('action-tag-add').click();
    await page.keyboard.type('投诉客户');
    await page.keyboard.press('Enter');
    await page.locator('.ant-drawer-body').evaluate((e) => e.scrollTo(0, 0));
    await screenshot(page, 'automation-rule-builder.png');
    await page.getByTestId('rule-save').click();
    await rule(page, '投诉关键词打标签').waitFor();
    expect(await rule(page, '投诉关键词打标签').textContent()).toContain('收到客户消息');
    const mine = ((await api(s.kefu.url, 'GET', '/api/automation/rules', undefined, token)).body.items as Json[]).find((r) => r.name === '投诉关键词打标签')!;
    expect(mine).toMatchObject({ enabled: true, trigger: { type: 'event', event: 'message.received' }, conditions: { text_matches: '投诉|差评' }, actions: [{ type: 'tag', add: ['投诉客户'] }] });

    // a WeChat customer writes it: the rule runs and tags them
    const wechat = await wechatCustomers(s.sim.url);
    await wechat.says(await wechat.create('周女士'), '快递一周都没到，我要投诉');
    const run = await eventually(async () => {
      const items: Json[] = (await api(s.kefu.url, 'GET', `/api/automation/runs?rule_id=${mine.id}`, undefined, token)).body.items;
      return items.find((r) => r.outcome === 'succeeded');
    }, 'the rule to run');
    const attrs = (await api(s.kefu.url, 'GET', `/api/automation/customers/${run.customer_id}/attributes`, undefined, token)).body;
    expect(attrs.tags).toContain('投诉客户');

    // its run log: the run, the tag action and the chart of runs per day
    await dismissToasts(page);
    await rule(page, '投诉关键词打标签').getByTestId('rule-runs').click();
    await page.getByTestId('automation-runs').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/automation/runs/${mine.id}`);
    const row = page.getByTestId('run-row').and(page.locator('[data-outcome="succeeded"]'));
    await row.waitFor();
    expect(await row.getByTestId('run-rule').textContent()).toBe('投诉关键词打标签');
    expect(await row.getByTestId('run-action').getAttribute('data-status')).toBe('succeeded');
    expect(await row.getByTestId('run-action').textContent()).toContain('投诉客户');
    await page.getByTestId('runs-chart').locator('canvas').waitFor();
    await page.mouse.move(700, 700);
    await screenshot(page, 'automation-runs.png');

    await page.getByTestId('automation-nav-rules').click();
    await rule(page, '投诉关键词打标签').waitFor();
    await screenshot(page, 'automation-rules.png');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('an owner employee marks a fallback task done and undoes it', async () => {
    // a journey's fallback task (made by the server when WeChat's window is closed; see server/test/automation.test.ts)
    const wechat = await wechatCustomers(s.sim.url);
    await wechat.says(await wechat.create('吴先生'), '你好');
    const customerId = await eventually(async () => {
      const r = await api(s.kefu.url, 'GET', '/api/conversations?status=all', undefined, token);
      return (r.body.items as Json[] | undefined)?.find((c) => c.customer?.display_name === '吴先生')?.customer_id as string | undefined;
    }, 'the customer');
    const { db } = await openDb(s.db.url);
    await db.insertInto('automation_tasks' as never).values({
      id: 'task-e2e-1', customer_id: customerId, owner_userid: 'zhangsan', run_id: null,
      text: '吴先生您好，您的会员将于 2026-12-24 到期，续费券 RENEW30（满 300 减 30）', reason: '已超过 48 小时未互动，微信客服无法主动发送', status: 'open', created_at: new Date().toISOString(),
    } as never).execute();
    await db.destroy();

    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page, 'lead');
    await page.goto('/automation/tasks');
    const task = page.getByTestId('task-row').filter({ hasText: '吴先生' });
    await task.waitFor();
    expect(await task.textContent()).toContain('zhangsan');
    expect(await task.textContent()).toContain('48 小时');
    await screenshot(page, 'automation-tasks.png');
    await task.getByTestId('task-done').click();
    await task.waitFor({ state: 'detached' }); // gone from 待办
    const status = async () => ((await api(s.kefu.url, 'GET', `/api/automation/tasks?customer_id=${customerId}`, undefined, token)).body.items as Json[])[0]!.status;
    expect(await status()).toBe('done');
    await page.getByTestId('tasks-filter').getByText('已完成').click();
    await task.getByTestId('task-undo').click();
    await expect.poll(status).toBe('open');
    expect(errors).toEqual([]);
    await ctx.close();
  });

  it('works on a phone', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'phone');
    await loginAs(page, 'admin');
    await page.getByTestId('nav-admin-menu').click();
    await page.getByRole('menuitem', { name: '自动化' }).click();
    await page.getByTestId('journey-card').first().waitFor();
    await screenshot(page, 'automation-rules-phone.png');
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
