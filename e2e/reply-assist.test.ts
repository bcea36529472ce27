import { describe, expect, it } from 'vitest';
import { api, login } from '../server/test/harness.js';
import { browserStack, loginAs, newPage, screenshot, SCREENSHOTS } from './browser.js';

// Writing help in the agent's chat: F1 inserts the configured quick reply, and a knowledge
// suggestion appears for an FAQ-like question and goes into the reply box with one click.
const s = browserStack();

describe('reply assistance (browser)', () => {
  it('F1 inserts 退换货流程; a suggestion for 发票 inserts the invoicing steps', async () => {
    const ext = (await api(s.sim.url, 'POST', '/sim/customers', { nickname: '王小姐' })).body.external_userid;
    const kfid = (await api(s.sim.url, 'GET', '/sim/kf/accounts')).body.accounts[0].open_kfid;
    await api(s.sim.url, 'POST', '/sim/kf/messages', { open_kfid: kfid, external_userid: ext, msgtype: 'text', text: { content: '你好，我想开个发票，怎么弄' } });

    const { page, ctx } = await newPage(s.browser, s.kefu.url);
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

  it('an agent sets their own F3 in the quick-reply editor and F3 then inserts it', async () => {
    const ext = (await api(s.sim.url, 'POST', '/sim/customers', { nickname: '赵女士' })).body.external_userid;
    const kfid = (await api(s.sim.url, 'GET', '/sim/kf/accounts')).body.accounts[0].open_kfid;
    await api(s.sim.url, 'POST', '/sim/kf/messages', { open_kfid: kfid, external_userid: ext, msgtype: 'text', text: { content: '在吗' } });

    const { page, ctx } = await newPage(s.browser, s.kefu.url);
    await loginAs(page, 'agent2');
    await page.getByTestId('conversation-item').filter({ hasText: '赵女士' }).click();
    await page.getByTestId('quick-settings').click();
    await page.getByTestId('quick-edit-F3').click();
    // an agent may only write their own templates: team and shared are offered to supervisors
    await expect.poll(() => page.getByRole('radio', { name: '全员' }).isDisabled()).toBe(true);
    await page.getByTestId('quick-title').fill('我的问候');
    await page.getByTestId('quick-text').fill('您好，我是小陈，很高兴为您服务～');
    await page.getByTestId('quick-save').click();
    await page.getByTestId('quick-layer-F3-user').waitFor();
    // the edit dialog has finished closing: only the editor's own dialog is left
    await expect.poll(() => page.locator('.ant-modal-wrap:visible').count()).toBe(1);
    if (SCREENSHOTS) await screenshot(page, 'workspace-quick-replies.png');
    const editor = page.getByRole('dialog', { name: '快捷回复 F1–F12' });
    await editor.getByRole('button', { name: 'Close' }).click();
    await editor.waitFor({ state: 'hidden' });

    const input = page.getByTestId('reply-input');
    await input.click();
    await page.keyboard.press('F3');
    await expect.poll(() => input.inputValue()).toBe('您好，我是小陈，很高兴为您服务～');
    // another agent still has the shared F3
    const mine = (await api(s.kefu.url, 'GET', '/api/quick-replies', undefined, await login(s.kefu.url, 'agent1'))).body.items;
    expect(mine.find((r: { hotkey: string }) => r.hotkey === 'F3').scope).toBe('shared');
    await ctx.close();
  });
});
