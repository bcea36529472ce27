import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { api, startStack } from '../server/test/harness.js';
import { assertWebBuilt, launchBrowser, loginAs, newPage, screenshot, SCREENSHOTS } from './browser.js';

// Writing help in the agent's chat: F1 inserts the configured quick reply, and a knowledge
// suggestion appears for an FAQ-like question and goes into the reply box with one click.
type Stack = Awaited<ReturnType<typeof startStack>>;
let s: Stack;
let browser: Browser;

beforeAll(async () => {
  assertWebBuilt();
  s = await startStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('reply assistance (browser)', () => {
  it('F1 inserts 退换货流程; a suggestion for 发票 inserts the invoicing steps', async () => {
    const ext = (await api(s.sim.url, 'POST', '/sim/customers', { nickname: '王小姐' })).body.external_userid;
    const kfid = (await api(s.sim.url, 'GET', '/sim/kf/accounts')).body.accounts[0].open_kfid;
    await api(s.sim.url, 'POST', '/sim/kf/messages', { open_kfid: kfid, external_userid: ext, msgtype: 'text', text: { content: '你好，我想开个发票，怎么弄' } });

    const { page, ctx } = await newPage(browser, s.kefu.url);
    await loginAs(page);
    await page.getByTestId('conversation-item').filter({ hasText: '王小姐' }).click();
    const input = page.getByTestId('reply-input');
    await input.waitFor();

    await page.keyboard.press('F1');
    await expect.poll(() => input.inputValue()).toMatch(/退换货流程/);

    await input.fill('');
    const suggestion = page.getByTestId('suggestion').first();
    await suggestion.waitFor();
    expect(await suggestion.textContent()).toMatch(/发票/);
    if (SCREENSHOTS) await screenshot(page, 'workspace-assist.png');
    await suggestion.click();
    await expect.poll(() => input.inputValue()).toMatch(/申请开票/);
    await ctx.close();
  });
});
