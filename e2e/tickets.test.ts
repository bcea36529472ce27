import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api, eventually, login, wechatCustomers, type Json } from '../server/test/harness.js';
import { browserStack, loginAs, newPage, screenshot, SCREENSHOTS } from './browser.js';

/**
 * Tickets in a real browser: an agent turns a WeChat conversation into a ticket, finds it in
 * the list with its SLA countdown, works it (处理中) and leaves an internal note in the trail.
 */

const s = browserStack();
let presales: string;

let wechat: Awaited<ReturnType<typeof wechatCustomers>>;
const newCustomer = (nickname: string) => wechat.create(nickname);
const customerSays = (ext: string, text: string) => wechat.says(ext, text);
const inboxTexts = (ext: string) => wechat.inboxTexts(ext);

const conversationItem = (page: Page, name: string) => page.getByTestId('conversation-item').filter({ hasText: name });

beforeAll(async () => {
  wechat = await wechatCustomers(s.sim.url);
  presales = wechat.presales;
});

describe('tickets (browser)', () => {
  it('an agent creates a ticket from a WeChat conversation, sees its SLA badge, works it and adds an internal note', async () => {
    const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, 'pc');
    await loginAs(page);

    const chen = await newCustomer('陈女士');
    await customerSays(chen, '我上周买的悦肤水光精华收到时瓶子破损了，漏了一半，想换货');
    const item = conversationItem(page, '陈女士');
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    await page.getByTestId('chat-message').filter({ hasText: '瓶子破损' }).waitFor();

    // 「创建工单」 in the chat header: prefilled from the conversation, then opened
    await page.getByTestId('create-ticket').click();
    const detail = page.getByTestId('ticket-detail');
    await detail.waitFor({ timeout: 10_000 });
    expect(new URL(page.url()).pathname).toMatch(/^\/tickets\/t/);
    const number = (await detail.getAttribute('data-number'))!;
    expect(number).toMatch(/^T\d{8}-\d{4}$/);
    expect(await detail.getAttribute('data-status')).toBe('new');
    expect(await page.getByTestId('detail-title').textContent()).toContain('瓶子破损');
    // the category guessed from the words (破损 → 售后维修) attaches the customer's orders
    expect(await detail.getByTestId('ticket-fields').textContent()).toContain('售后维修');
    await detail.getByTestId('context-orders').waitFor();
    expect(await detail.getByTestId('context-orders').locator('tbody tr.ant-table-row').count()).toBeGreaterThanOrEqual(1);
    // both SLA clocks with a due time
    expect(['ok', 'warning']).toContain(await detail.getByTestId('sla-first_response').getAttribute('data-state'));
    expect(await detail.getByTestId('sla-first_response').textContent()).toMatch(/剩余.*截止/);
    await detail.getByTestId('sla-resolution').waitFor();
    expect(await detail.getByTestId('timeline-item').filter({ hasText: number }).getAttribute('data-action')).toBe('created');

    // the list behind the drawer has it, with a live SLA countdown badge
    const row = page.getByTestId('ticket-row').and(page.locator(`[data-number="${number}"]`));
    await row.waitFor();
    expect(await row.textContent()).toContain('陈女士');
    const badge = row.getByTestId('sla-badge');
    expect(['ok', 'warning']).toContain(await badge.getAttribute('data-state'));
    expect(await badge.textContent()).toMatch(/^剩余 (\d+小时)?(\d+分)?$/);
    expect(await row.getByTestId('ticket-status').textContent()).toBe('新建');

    // 处理中, with a note
    await detail.getByTestId('transition-in_progress').click();
    await page.getByTestId('transition-note').fill('已联系仓库核实破损批次');
    await page.getByTestId('transition-confirm').click();
    await expect.poll(() => detail.getAttribute('data-status')).toBe('in_progress');
    const moved = detail.getByTestId('timeline-item').and(page.locator('[data-action="status"][data-to="in_progress"]'));
    await moved.waitFor();
    expect(await moved.textContent()).toContain('新建 → 处理中');
    expect(await moved.textContent()).toContain('已联系仓库核实破损批次');
    // the row follows over the live connection
    await expect.poll(() => row.getByTestId('ticket-status').textContent(), { timeout: 10_000 }).toBe('处理中');
    expect(await detail.getByTestId('transition-pending_customer').isVisible()).toBe(true);
    expect(await detail.getByTestId('transition-resolved').isVisible()).toBe(true);

    // an internal note: yellow, marked as hidden from the customer, and in the audit trail
    const note = '客户情绪稳定，先按换货处理，仓库今天补发';
    expect(await detail.getByTestId('comment-composer').getAttribute('data-visibility')).toBe('internal');
    await detail.getByTestId('comment-input').fill(note);
    expect(await detail.getByTestId('comment-submit').textContent()).toContain('添加内部备注');
    await detail.getByTestId('comment-submit').click();
    const comment = detail.getByTestId('ticket-comment').filter({ hasText: note });
    await comment.waitFor();
    expect(await comment.getAttribute('data-visibility')).toBe('internal');
    expect(await comment.textContent()).toContain('内部备注');
    const noted = detail.getByTestId('timeline-item').and(page.locator('[data-action="comment"][data-to="internal"]'));
    await noted.waitFor();
    expect(await noted.textContent()).toContain(note);
    // the public mode reads as sending to the customer
    await detail.getByTestId('comment-mode-public').click();
    expect(await detail.getByTestId('comment-submit').textContent()).toContain('发送给客户');
    await detail.getByTestId('comment-mode-internal').click();

    // an internal note never reaches the customer
    expect(await inboxTexts(chen)).not.toContain(note);

    // the server agrees
    const token = await login(s.kefu.url);
    const id = new URL(page.url()).pathname.split('/').pop()!;
    const t = (await api(s.kefu.url, 'GET', `/api/tickets/${id}`, undefined, token)).body;
    expect(t.status).toBe('in_progress');
    expect(t.comments.map((c: Json) => [c.visibility, c.body])).toEqual([['internal', note]]);

    if (SCREENSHOTS) {
      // a realistic list for the picture: other tickets in other states
      const mk = async (body: Json) => {
        const r = await api(s.kefu.url, 'POST', '/api/tickets', body, token);
        expect(r.status, JSON.stringify(r.body)).toBe(201);
        return r.body;
      };
      await mk({ title: '申请开具增值税专用发票（2 月订单）', category_id: 'finance', priority: 'high', custom_fields: { invoice_title: '杭州美丽汇贸易有限公司', amount: 12800 } });
      await mk({ title: '光子嫩肤仪充不进电，指示灯不亮', category_id: 'technical', priority: 'urgent' });
      const waiting = await mk({ title: '面膜少发了 2 片，要求补发', category_id: 'after_sales', priority: 'normal' });
      await api(s.kefu.url, 'POST', `/api/tickets/${waiting.id}/transition`, { to: 'in_progress' }, token);
      await api(s.kefu.url, 'POST', `/api/tickets/${waiting.id}/transition`, { to: 'pending_customer', note: '等待客户提供开箱照片' }, token);
      await mk({ title: '快递员态度差，投诉物流', category_id: 'complaint', priority: 'low' });
      await eventually(async () => (await page.getByTestId('ticket-row').count()) >= 5, 'the other tickets in the list');
      // no toasts in the pictures; the detail from its top
      await page.addStyleTag({ content: '.ant-message { display: none !important; }' });
      await page.locator('.ant-drawer-body').evaluate((el) => el.scrollTo(0, 0));
      await page.mouse.move(0, 0);
      await screenshot(page, 'tickets-detail.png');
      await detail.getByTestId('ticket-close').click();
      await detail.waitFor({ state: 'detached' });
      await page.mouse.move(0, 0);
      await screenshot(page, 'tickets.png');
    }
    expect(errors).toEqual([]);
    await ctx.close();
  });
});
