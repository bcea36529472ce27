import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { eventually, wechatCustomers, type Json } from '../server/test/harness.js';
import { browserStack, loginAs, newPage } from './browser.js';

/**
 * One agent on a PC and a phone at once, against a real kefu and WeCom simulator: both see the
 * customer live; the phone loses its network, the agent replies anyway (pending), and when the
 * network is back the reply reaches the customer exactly once and shows once on the PC, while
 * what the phone missed meanwhile arrives without a reload.
 */
const s = browserStack();
let wechat: Awaited<ReturnType<typeof wechatCustomers>>;

const conversationItem = (page: Page, name: string) => page.getByTestId('conversation-item').filter({ hasText: name });
const bubble = (page: Page, text: string) => page.getByTestId('chat-message').filter({ hasText: text });
const markNoReload = (page: Page) => page.evaluate(() => ((window as unknown as Json).__noReload = true));
const notReloaded = (page: Page) => page.evaluate(() => (window as unknown as Json).__noReload === true);

beforeAll(async () => {
  wechat = await wechatCustomers(s.sim.url);
});

describe('one agent on PC and phone', () => {
  it('both devices are live; a reply typed offline on the phone is sent once on reconnect', async () => {
    const pc = await newPage(s.browser, s.kefu.url, 'pc');
    const phone = await newPage(s.browser, s.kefu.url, 'phone');
    await loginAs(pc.page);
    await loginAs(phone.page);
    await markNoReload(pc.page);
    await markNoReload(phone.page);

    const ext = await wechat.create('多端王');
    await wechat.says(ext, '你好，我的订单什么时候发货？');
    for (const page of [pc.page, phone.page]) await conversationItem(page, '多端王').waitFor();
    for (const page of [pc.page, phone.page]) {
      // two windows of one browser: the one in front renders without throttling
      await page.bringToFront();
      await conversationItem(page, '多端王').click();
      await bubble(page, '什么时候发货').waitFor();
    }

    // the phone loses its network and the agent replies anyway
    const fills: string[] = [];
    phone.page.on('request', (r) => void (r.url().includes('/api/realtime/events') && fills.push(r.url())));
    await phone.ctx.setOffline(true);
    await expect.poll(() => phone.page.getByTestId('connection-status').getAttribute('data-state'), { message: 'the phone notices' }).not.toBe('connected');
    const reply = '您好，订单已打包，今天下午发货。';
    const input = phone.page.getByTestId('reply-input');
    await input.fill(reply);
    await input.press('Enter');
    const pending = bubble(phone.page, reply);
    await pending.waitFor();
    expect(await pending.getAttribute('data-status')).toBe('pending');
    // meanwhile the customer writes again: the PC sees it live
    await wechat.says(ext, '好的，能顺便开发票吗？');
    await bubble(pc.page, '能顺便开发票吗').waitFor();
    await new Promise((r) => setTimeout(r, 500));
    expect(await pending.getAttribute('data-status'), 'still waiting while offline').toBe('pending');
    expect(await wechat.inboxTexts(ext)).not.toContain(reply);
    expect(await bubble(phone.page, '能顺便开发票吗').count(), 'the phone is really cut off').toBe(0);
    // the outbox survives in localStorage
    expect(await phone.page.evaluate(() => Object.keys(localStorage).some((k) => k.startsWith('kefu_outbox:') && localStorage.getItem(k)!.includes('订单已打包')))).toBe(true);

    await phone.ctx.setOffline(false);
    await expect.poll(() => bubble(phone.page, reply).getAttribute('data-status'), { message: 'sent after reconnecting', timeout: 15_000 }).toBe('sent');
    await eventually(async () => (await wechat.inboxTexts(ext)).includes(reply), 'the reply at the customer');
    await bubble(pc.page, reply).waitFor();
    // what the phone missed while offline, fetched by number (no reload)
    await bubble(phone.page, '能顺便开发票吗').waitFor();
    expect(fills.length).toBeGreaterThan(0);

    // exactly once everywhere, once things have settled
    await new Promise((r) => setTimeout(r, 1000));
    expect((await wechat.inboxTexts(ext)).filter((t) => t === reply)).toHaveLength(1);
    expect(await bubble(pc.page, reply).count()).toBe(1);
    expect(await bubble(phone.page, reply).count()).toBe(1);
    expect(await bubble(pc.page, reply).getAttribute('data-status')).toBe('sent');
    expect(await phone.page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('kefu_outbox:')))).toEqual([]);
    expect(await notReloaded(pc.page)).toBe(true);
    expect(await notReloaded(phone.page)).toBe(true);
    expect(pc.errors).toEqual([]);
    expect(phone.errors).toEqual([]);
    await pc.ctx.close();
    await phone.ctx.close();
  });
});
