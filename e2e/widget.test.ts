import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api, login, type Json } from '../server/test/harness.js';
import { browserStack, loginAs, newPage, screenshot } from './browser.js';

/**
 * The website channel end to end: a visitor on the demo shop chats through the widget (an open
 * shadow root, which Playwright's locators pierce) with an agent in the workspace.
 */

const s = browserStack();

const widgetMessage = (page: Page, text: string) => page.getByTestId('kefu-widget-message').filter({ hasText: text });
const storedVisitor = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('kefu_visitor') ?? 'null') as { visitor_id: string } | null);

describe('website widget (browser)', () => {
  it('a visitor chats with an agent from the shop page and keeps the history after a reload', async () => {
    const agent = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(agent.page);
    await agent.page.evaluate(() => ((window as unknown as Json).__noReload = true));

    const visitor = await newPage(s.browser, s.kefu.url, 'pc');
    const v = visitor.page;
    await v.goto('/demo-shop.html');
    await v.getByTestId('kefu-widget-bubble').click();
    const input = v.getByTestId('kefu-widget-input');
    await input.waitFor({ state: 'visible' });
    await expect.poll(() => v.getByTestId('kefu-widget-status').getAttribute('data-state'), { message: 'widget connects' }).toBe('connected');

    const question = '你好，玻尿酸精华敏感肌可以用吗？';
    await input.fill(question);
    await v.getByTestId('kefu-widget-send').click();
    const mine = widgetMessage(v, question);
    await mine.waitFor();
    expect(await mine.getAttribute('data-direction')).toBe('in');
    await expect.poll(() => mine.getAttribute('data-status'), { message: 'the visitor message is accepted' }).not.toMatch(/pending|failed/);
    expect(await input.inputValue()).toBe('');

    // the agent sees it arrive live, tagged as the website channel
    const item = agent.page.getByTestId('conversation-item').filter({ hasText: question });
    await item.waitFor({ timeout: 10_000 });
    expect(await item.getByTestId('channel-tag').textContent()).toContain('网站');
    expect(await agent.page.evaluate(() => (window as unknown as Json).__noReload)).toBe(true);
    await item.click();
    await agent.page.getByTestId('chat-message').filter({ hasText: question }).waitFor();

    const answer = '可以的，这款精华无香精无酒精，敏感肌也能放心用，建议先在耳后试用。';
    const box = agent.page.getByTestId('reply-input');
    await box.fill(answer);
    await box.press('Enter');
    const sent = agent.page.getByTestId('chat-message').filter({ hasText: answer });
    await expect.poll(() => sent.getAttribute('data-status'), { message: 'the agent reply is sent' }).toBe('sent');

    // the visitor gets the reply in the open widget
    const reply = widgetMessage(v, answer);
    await reply.waitFor({ timeout: 10_000 });
    expect(await reply.getAttribute('data-direction')).toBe('out');
    await v.mouse.move(0, 0);
    await screenshot(v, 'widget.png');

    // reload: same visitor, same history, same conversation
    const before = await storedVisitor(v);
    expect(before?.visitor_id).toMatch(/^w/);
    await v.reload();
    expect((await storedVisitor(v))?.visitor_id).toBe(before!.visitor_id);
    await v.getByTestId('kefu-widget-bubble').click();
    await widgetMessage(v, answer).waitFor({ timeout: 10_000 });
    const texts = (await v.getByTestId('kefu-widget-message').allTextContents()).filter((t) => t.trim());
    expect(texts.findIndex((t) => t.includes(question))).toBeGreaterThanOrEqual(0);
    expect(texts.findIndex((t) => t.includes(question))).toBeLessThan(texts.findIndex((t) => t.includes(answer)));
    expect(texts.filter((t) => t.includes(question))).toHaveLength(1);

    // writing again after the reload continues the same conversation for the agent
    const followUp = '好的，那我下单了，谢谢！';
    await v.getByTestId('kefu-widget-input').fill(followUp);
    await v.getByTestId('kefu-widget-input').press('Enter');
    await agent.page.getByTestId('chat-message').filter({ hasText: followUp }).waitFor({ timeout: 10_000 });
    const token = await login(s.kefu.url);
    const webConvs = (await api(s.kefu.url, 'GET', '/api/conversations?status=open', undefined, token)).body.items.filter((c: Json) => c.channel === 'web');
    expect(webConvs).toHaveLength(1);

    expect(visitor.errors).toEqual([]);
    expect(agent.errors).toEqual([]);
    await visitor.ctx.close();
    await agent.ctx.close();
  });

  it('a reply that arrives while the widget is closed shows an unread badge', async () => {
    const token = await login(s.kefu.url);
    const { ctx, page: v, errors } = await newPage(s.browser, s.kefu.url, 'phone');
    await v.goto('/demo-shop.html');
    await v.getByTestId('kefu-widget-bubble').click();
    await v.getByTestId('kefu-widget-input').fill('请问今天下单什么时候发货？');
    await v.getByTestId('kefu-widget-input').press('Enter');
    await expect.poll(() => widgetMessage(v, '什么时候发货').getAttribute('data-status')).not.toMatch(/pending|failed/);
    const { visitor_id } = (await storedVisitor(v))!;

    const convs = (await api(s.kefu.url, 'GET', '/api/conversations?status=open', undefined, token)).body.items as Json[];
    const conv = convs.find((c) => c.channel === 'web' && c.last_message_preview?.includes('什么时候发货'));
    expect(conv, `conversation of visitor ${visitor_id}`).toBeTruthy();

    // on a phone the panel is full screen: close it with its header button, then the agent answers
    expect(await v.getByTestId('kefu-widget-bubble').isVisible()).toBe(false);
    await v.getByTestId('kefu-widget-panel').getByRole('button', { name: '关闭' }).click();
    await v.getByTestId('kefu-widget-panel').waitFor({ state: 'hidden' });
    const r = await api(s.kefu.url, 'POST', `/api/conversations/${conv!.id}/messages`, { text: '16 点前下单当天发货哦', client_msg_id: 'badge-1' }, token);
    expect(r.status).toBe(201);
    const badge = v.getByTestId('kefu-widget-bubble').locator('.badge');
    await badge.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await badge.textContent()).toBe('1');

    await v.getByTestId('kefu-widget-bubble').click();
    expect(await widgetMessage(v, '16 点前下单当天发货哦').isVisible()).toBe(true);
    expect(await badge.isVisible()).toBe(false);
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
