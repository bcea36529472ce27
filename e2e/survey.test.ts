import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_LINKS } from '../server/src/automation/index.js';
import { api, eventually, login, type Json } from '../server/test/harness.js';
import { browserStack, newPage } from './browser.js';

/**
 * The satisfaction survey on the website channel, in a real browser against a kefu process with
 * its scheduler running (the demo journeys on): a visitor who says 谢谢 gets 1★…5★ as buttons in
 * the widget; 5★ brings the community group invitation, 1★ a service-recovery ticket for the
 * team lead.
 */

const s = browserStack({ kefuEnv: { KEFU_SCHEDULER_POLL_MS: '100' } });
let token = '';

beforeAll(async () => {
  token = await login(s.kefu.url, 'admin');
});

const widgetMessage = (page: Page, text: string) => page.getByTestId('kefu-widget-message').filter({ hasText: text });

/** Opens the demo shop as a new visitor and says `text`. */
async function visitorSays(text: string): Promise<Page> {
  const { page } = await newPage(s.browser, s.kefu.url, 'pc');
  await page.goto('/demo-shop.html');
  await page.getByTestId('kefu-widget-bubble').click();
  await expect.poll(() => page.getByTestId('kefu-widget-status').getAttribute('data-state'), { message: 'widget connects' }).toBe('connected');
  await page.getByTestId('kefu-widget-input').fill(text);
  await page.getByTestId('kefu-widget-send').click();
  await widgetMessage(page, text).waitFor();
  return page;
}

/** The survey's buttons in the widget, once they arrived. */
async function surveyButtons(page: Page) {
  const survey = widgetMessage(page, '请为本次服务打分');
  await survey.waitFor({ timeout: 15_000 });
  const buttons = survey.getByTestId('kefu-widget-menu-item');
  expect(await buttons.allTextContents()).toEqual(['1★ 非常不满意', '2★', '3★', '4★', '5★ 非常满意']);
  return buttons;
}

describe('satisfaction survey in the website widget (browser)', () => {
  it('"谢谢" shows 1★…5★ as buttons; 5★ → the community group invitation', async () => {
    const page = await visitorSays('谢谢！');
    const buttons = await surveyButtons(page);
    await buttons.filter({ hasText: '5★' }).click();
    const invite = widgetMessage(page, '邀请您加入悦肤会员社群');
    await invite.waitFor({ timeout: 15_000 });
    expect(await invite.locator('a').getAttribute('href')).toBe(DEMO_LINKS.group);
    const runs: Json[] = (await api(s.kefu.url, 'GET', '/api/automation/runs', undefined, token)).body.items;
    expect(runs.find((r) => r.rule_name === '五星好评邀请入群')).toMatchObject({ trigger: 'survey.rated', outcome: 'succeeded', context: { score: 5, channel: 'web' } });
  });

  it('1★ → a service-recovery ticket assigned to the team lead, and an apology in the widget', async () => {
    const page = await visitorSays('好的');
    const buttons = await surveyButtons(page);
    await buttons.filter({ hasText: '1★' }).click();
    await widgetMessage(page, '很抱歉没能让您满意').waitFor({ timeout: 15_000 });
    const ticket = await eventually(async () => {
      const items: Json[] = (await api(s.kefu.url, 'GET', '/api/tickets?status=all', undefined, token)).body.items;
      return items.find((t) => /^服务补救：.* 评分 1★$/.test(t.title));
    }, 'the recovery ticket');
    const lead: Json = (await api(s.kefu.url, 'POST', '/api/auth/login', { username: 'lead', password: 'kefu123' })).body.user;
    expect(ticket).toMatchObject({ priority: 'high', category: { id: 'complaint' }, assignee: { id: lead.id } });
  });
});
