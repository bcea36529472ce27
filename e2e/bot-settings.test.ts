import { describe, expect, it } from 'vitest';
import { api, login } from '../server/test/harness.js';
import { browserStack, loginAs, newPage, screenshot } from './browser.js';

/**
 * 机器人设置 in a real browser: a trainer changes the welcome text, a weekday's human hours, a
 * hand-off keyword and the FAQ margin; the form refuses invalid values; the website widget greets
 * with the new text.
 */

const s = browserStack({ bot: true });

describe('bot settings (browser)', () => {
  it('a trainer edits texts, triggers and human hours; the widget shows the new welcome', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page, 'trainer');
    await page.getByTestId('nav-training').click();
    await page.getByRole('menuitem', { name: '机器人设置' }).click();
    await page.waitForURL(/\/training\/bot$/);
    const welcome = page.getByTestId('bot-welcome_text');
    await expect.poll(() => welcome.inputValue()).toBe('您好，欢迎来到悦肤美妆！请问有什么可以帮您？');

    // an empty required text is refused before anything is sent
    await page.getByTestId('bot-fallback_text').fill('');
    await page.getByTestId('bot-settings-save').click();
    await page.getByText('请填写兜底回复').waitFor();
    await page.getByTestId('bot-fallback_text').fill('抱歉，这个问题我还没学会，回复「人工」联系客服。');

    // an end before the start is refused too
    const sat = page.getByTestId('bot-day-sat');
    await sat.getByRole('button', { name: '添加时段' }).click();
    await sat.getByPlaceholder('21:00').fill('08:00');
    await sat.getByPlaceholder('09:00').fill('10:00');
    await page.getByTestId('bot-settings-save').click();
    await sat.getByText('结束须晚于开始').waitFor();
    await sat.getByPlaceholder('21:00').fill('18:00');

    await welcome.fill('欢迎光临悦肤美妆官网！我是智能助手小悦，有什么可以帮您？');
    await page.getByTestId('bot-keywords').locator('input').fill('律师');
    await page.getByTestId('bot-keywords').locator('input').press('Enter');
    // the FAQ margin is off by default; the arrow keys move it by 0.01
    const faqMargin = page.locator('.ant-form-item', { hasText: '同一意图下问答的领先幅度' }).locator('.ant-slider-handle');
    await faqMargin.focus();
    for (let i = 0; i < 5; i++) await faqMargin.press('ArrowRight');
    await page.getByTestId('bot-settings-save').click();
    await page.getByText('机器人设置已保存，立即生效').waitFor();

    const token = await login(s.kefu.url, 'admin');
    const saved = (await api(s.kefu.url, 'GET', '/api/bot/settings', undefined, token)).body;
    expect(saved.welcome_text).toBe('欢迎光临悦肤美妆官网！我是智能助手小悦，有什么可以帮您？');
    expect(saved.fallback_text).toBe('抱歉，这个问题我还没学会，回复「人工」联系客服。');
    expect(saved.human_hours.weekly.sat).toEqual([{ start: '10:00', end: '18:00' }]);
    expect(saved.human_hours.weekly.mon).toEqual([{ start: '09:00', end: '21:00' }]);
    expect(saved.human_hours.publicHolidays).toBe('cn');
    expect(saved.triggers.keywords).toContain('律师');
    expect(saved.faq_margin).toBeCloseTo(0.05, 5);
    // the picture: the saved settings, freshly loaded, tall enough to show the human hours
    await page.setViewportSize({ width: 1440, height: 1700 });
    await page.reload();
    await expect.poll(() => welcome.inputValue()).toContain('我是智能助手小悦');
    await page.mouse.move(0, 0);
    await screenshot(page, 'training-bot-settings.png');

    // the website widget greets a new visitor with the saved welcome
    const visitor = await newPage(s.browser, s.kefu.url, 'pc');
    await visitor.page.goto('/demo-shop.html');
    await visitor.page.getByTestId('kefu-widget-bubble').click();
    await expect.poll(() => visitor.page.getByTestId('kefu-widget-welcome').textContent(), { message: 'server welcome in the widget' }).toContain('我是智能助手小悦');

    expect(errors).toEqual([]);
    expect(visitor.errors).toEqual([]);
    await visitor.ctx.close();
    await ctx.close();
  });
});
