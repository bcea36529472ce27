import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { api, eventually, login, wechatCustomers, type Json } from '../server/test/harness.js';
import { browserStack, loginAs, newPage, screenshot, SCREENSHOTS } from './browser.js';

/**
 * The full agent workspace in a real browser against a real kefu and WeCom simulator: tabs and
 * unread counts, search, the customer 360 panel, internal notes, 「为什么分配给我」, transfer,
 * the status switch with the capacity indicator, the typing indicator, and the phone's stacked views.
 * The tests run in order on one stack: each builds on the conversations the previous ones left.
 */

const s = browserStack();
let wechat: Awaited<ReturnType<typeof wechatCustomers>>;
let agent1: { page: Page; close: () => Promise<void>; errors: string[] };
const ids: Record<string, string> = {};
const tokens: Record<string, string> = {};

const item = (page: Page, name: string) => page.getByTestId('conversation-item').filter({ hasText: name });
const tab = (page: Page, view: string) => page.getByTestId(`view-tab-${view}`);
const tabCount = async (page: Page, view: string, what: 'total' | 'unread') => Number(await tab(page, view).getAttribute(`data-${what}`));
const as = (user: string) => tokens[user]!;
/** a customer's message travels simulator → kefu → browser: more than expect.poll's default second on a busy machine */
const live = { timeout: 10_000 };

async function agentPage(user: string, device: 'pc' | 'phone' = 'pc') {
  const { ctx, page, errors } = await newPage(s.browser, s.kefu.url, device);
  await loginAs(page, user);
  return { page, errors, close: () => ctx.close() };
}

/** The open conversation of a simulator customer, by display name, as the API sees it. */
async function conversationOf(name: string): Promise<Json> {
  return eventually(async () => {
    const r = await api(s.kefu.url, 'GET', `/api/conversations?status=open&q=${encodeURIComponent(name)}`, undefined, as('admin'));
    return (r.body.items as Json[]).find((c) => c.customer.display_name === name);
  }, `conversation of ${name}`);
}

async function pickStatus(page: Page, status: string): Promise<void> {
  await page.getByTestId('agent-status').click();
  await page.getByTestId(`status-option-${status}`).click();
  await expect.poll(() => page.getByTestId('agent-status').getAttribute('data-status'), live).toBe(status);
}

beforeAll(async () => {
  wechat = await wechatCustomers(s.sim.url);
  for (const u of ['admin', 'lead', 'agent1', 'agent2', 'agent3']) tokens[u] = await login(s.kefu.url, u);
  for (const u of ['agent1', 'agent2', 'agent3']) ids[u] = (await api(s.kefu.url, 'GET', '/api/me', undefined, as(u))).body.id;
  agent1 = await agentPage('agent1');
});
afterAll(async () => {
  await agent1?.close();
});

describe('agent workspace UI (browser)', () => {
  it('tabs and unread counts change live when a customer writes; search finds names and message text', async () => {
    const { page } = agent1;
    await tab(page, 'team').waitFor();
    expect(await page.getByTestId('conversation-list').getAttribute('data-view'), 'agents open on their team tab').toBe('team');
    expect(await tab(page, 'all').count(), 'the all tab is for supervisors').toBe(0);
    expect(await tabCount(page, 'queue', 'total')).toBe(0);

    const zhao = await wechat.create('赵女士');
    await wechat.says(zhao, '你好，我的快递三天没动了');
    // nobody is online: the conversation waits in the queue, unread, with a live waiting time
    await expect.poll(() => tabCount(page, 'queue', 'total'), live).toBe(1);
    await expect.poll(() => tabCount(page, 'queue', 'unread'), live).toBe(1);
    const row = item(page, '赵女士');
    await row.waitFor();
    expect(await row.getAttribute('data-unread')).toBe('1');
    expect(await row.getByTestId('wait-time').count()).toBe(1);

    await wechat.says(zhao, '单号是 SF1402385719264');
    await expect.poll(() => tabCount(page, 'queue', 'unread'), live).toBe(2);
    await expect.poll(() => row.getAttribute('data-unread'), live).toBe('2');

    await tab(page, 'mine').click();
    await expect.poll(() => page.getByTestId('conversation-list').getAttribute('data-view'), live).toBe('mine');
    expect(await item(page, '赵女士').count(), 'not mine: nobody took it yet').toBe(0);
    await tab(page, 'queue').click();
    await item(page, '赵女士').waitFor();

    const qian = await wechat.create('钱先生');
    await wechat.says(qian, '发票抬头写错了，能重新开吗？');
    await item(page, '钱先生').waitFor();
    await expect.poll(() => tabCount(page, 'queue', 'total'), live).toBe(2);

    // search: message text (server-side, not only the preview) and names
    const search = page.getByTestId('conversation-search');
    await search.fill('抬头');
    await expect.poll(() => page.getByTestId('conversation-item').allTextContents(), live).toEqual([expect.stringContaining('钱先生')]);
    await search.fill('快递三天');
    await expect.poll(() => page.getByTestId('conversation-item').allTextContents(), { ...live, message: 'found by an earlier message, not the preview' }).toEqual([expect.stringContaining('赵女士')]);
    await search.fill('钱');
    await expect.poll(() => page.getByTestId('conversation-item').allTextContents(), live).toEqual([expect.stringContaining('钱先生')]);
    await search.fill('');
    await expect.poll(() => page.getByTestId('conversation-item').count(), live).toBe(2);

    // reading a conversation clears its unread messages from the tab's count
    await item(page, '赵女士').click();
    await page.getByTestId('chat-message').filter({ hasText: '单号是' }).waitFor();
    await expect.poll(() => tabCount(page, 'queue', 'unread'), live).toBe(1);
    await expect.poll(() => item(page, '赵女士').getAttribute('data-unread'), live).toBe('0');
    expect(agent1.errors).toEqual([]);
  });

  it('the status switch changes /api/agents/me/status; the queue comes in and the capacity indicator follows', async () => {
    const { page } = agent1;
    const capacity = page.getByTestId('capacity');
    expect(await capacity.getAttribute('data-load')).toBe('0');
    expect(await capacity.getAttribute('data-capacity')).toBe('6');

    // the page in the background with notifications allowed: each assignment becomes a desktop notification
    await page.evaluate(() => {
      const w = window as unknown as Json;
      w.__shown = [];
      w.Notification = class {
        static permission = 'granted';
        static requestPermission = async () => 'granted';
        onclick: (() => void) | null = null;
        constructor(title: string, o: { body: string }) {
          w.__shown.push({ title, body: o.body });
        }
        close() {}
      };
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    });
    await pickStatus(page, 'online');
    expect((await api(s.kefu.url, 'GET', '/api/agents/me/status', undefined, as('agent1'))).body.status).toBe('online');
    await expect.poll(() => page.evaluate(() => ((window as unknown as Json).__shown as Json[]).map((n) => n.body).sort()), live).toEqual([
      expect.stringContaining('赵女士'),
      expect.stringContaining('钱先生'),
    ]);
    await page.evaluate(() => delete (document as unknown as Json).visibilityState);
    await tab(page, 'mine').click();
    // going online pulls both waiting customers at once
    await expect.poll(() => capacity.getAttribute('data-load'), live).toBe('2');
    await expect.poll(() => tabCount(page, 'mine', 'total'), live).toBe(2);
    await expect.poll(() => tabCount(page, 'queue', 'total'), live).toBe(0);

    await pickStatus(page, 'busy');
    expect((await api(s.kefu.url, 'GET', '/api/agents/me/status', undefined, as('agent1'))).body.status).toBe('busy');
    await pickStatus(page, 'online');
  });

  it('「为什么分配给我」 shows the stored reason and each candidate\'s score', async () => {
    const { page } = agent1;
    const zhao = await conversationOf('赵女士');
    const stored = (await api(s.kefu.url, 'GET', `/api/conversations/${zhao.id}/routing`, undefined, as('agent1'))).body.decision;
    expect(stored.outcome).toBe('assigned');

    await item(page, '赵女士').click();
    await page.getByTestId('side-tab-why').click();
    const reason = page.getByTestId('why-reason');
    await reason.waitFor();
    expect(await reason.textContent()).toBe(stored.reason);
    expect(await page.getByTestId('why-candidates').textContent()).toContain('李小美');
    await page.getByTestId('why-chart').waitFor();
    if (SCREENSHOTS) await screenshot(page, 'workspace-why.png');
  });

  it('the customer 360 panel shows CRM orders and saves a tag, a note and the region', async () => {
    const { page } = agent1;
    const zhao = await conversationOf('赵女士');
    await item(page, '赵女士').click();
    await page.getByTestId('side-tab-customer').click();
    const panel = page.getByTestId('customer-panel');
    await panel.waitFor();
    expect(await panel.getAttribute('data-customer-id')).toBe(zhao.customer.id);
    const overview = (await api(s.kefu.url, 'GET', `/api/customers/${zhao.customer.id}/overview`, undefined, as('agent1'))).body;
    expect(overview.crm.orders.length).toBeGreaterThan(0);
    const orders = panel.getByTestId('crm-order');
    await expect.poll(() => orders.count(), live).toBe(overview.crm.orders.length);
    expect(await orders.first().textContent()).toContain(overview.crm.orders[0].order_no);
    // the WeChat profile from kf/customer/batchget
    expect(await panel.textContent()).toContain('external_userid');

    const tags = panel.getByTestId('customer-tags');
    await tags.click();
    await page.keyboard.type('回头客');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await eventually(async () => (await api(s.kefu.url, 'GET', `/api/customers/${zhao.customer.id}`, undefined, as('agent1'))).body.tags.includes('回头客'), 'the tag is saved');

    await panel.getByTestId('customer-note').fill('偏好顺丰，周末不方便收件');
    await panel.getByTestId('customer-note-save').click();
    await eventually(async () => (await api(s.kefu.url, 'GET', `/api/customers/${zhao.customer.id}`, undefined, as('agent1'))).body.note === '偏好顺丰，周末不方便收件', 'the note is saved');

    // the region routing prefers agents for (saved when the field is left)
    await panel.getByTestId('customer-region').fill('广东');
    await panel.getByTestId('customer-region').press('Enter');
    await eventually(async () => (await api(s.kefu.url, 'GET', `/api/customers/${zhao.customer.id}`, undefined, as('agent1'))).body.region === '广东', 'the region is saved');
    if (SCREENSHOTS) {
      await panel.locator('.c360-name').click();
      await page.locator('.ant-select-dropdown:visible').waitFor({ state: 'hidden' });
      await page.mouse.move(0, 0);
      await screenshot(page, 'workspace-360.png');
    }
  });

  it('an internal note reaches a second agent live and is never sent to the customer', async () => {
    const zhao = await conversationOf('赵女士');
    const colleague = await agentPage('agent3');
    await item(colleague.page, '赵女士').click();
    await colleague.page.getByTestId('side-tab-notes').click();
    await colleague.page.getByTestId('notes-panel').waitFor();

    const { page } = agent1;
    await item(page, '赵女士').click();
    await page.getByTestId('side-tab-notes').click();
    const text = '客户情绪有点急，物流已催顺丰，明早回电';
    await page.getByTestId('note-input').fill(text);
    await page.getByTestId('note-save').click();
    await page.getByTestId('internal-note').filter({ hasText: text }).waitFor();

    await colleague.page.getByTestId('internal-note').filter({ hasText: text }).waitFor({ timeout: 5_000 });
    expect(await colleague.page.getByTestId('internal-note').filter({ hasText: text }).textContent()).toContain('李小美');

    // not a message, not in the customer's WeChat
    const messages = (await api(s.kefu.url, 'GET', `/api/conversations/${zhao.id}/messages`, undefined, as('agent1'))).body.items as Json[];
    expect(messages.some((m) => JSON.stringify(m.content).includes('明早回电'))).toBe(false);
    const ext = (await api(s.kefu.url, 'GET', `/api/customers/${zhao.customer.id}`, undefined, as('agent1'))).body.identities[0].external_id;
    expect((await wechat.inboxTexts(ext)).some((x) => x?.includes('明早回电'))).toBe(false);
    expect(colleague.errors).toEqual([]);
    await colleague.close();
  });

  it('the transfer dialog moves the conversation to agent2 with a note; agent2 sees it and why', async () => {
    const second = await agentPage('agent2');
    await pickStatus(second.page, 'online');
    const { page } = agent1;
    await item(page, '赵女士').click();
    await page.getByTestId('transfer-button').click();
    const agent2Row = page.getByTestId('transfer-agent-agent2');
    await agent2Row.waitFor();
    expect(await agent2Row.textContent()).toContain('0/5');
    expect(await page.getByTestId('transfer-agent-agent4').locator('input').isDisabled(), 'offline agents cannot take it').toBe(true);
    await agent2Row.click();
    await page.getByTestId('transfer-note').fill('客户要查顺丰物流，单号已在对话里');
    if (SCREENSHOTS) await screenshot(page, 'workspace-transfer.png');
    await page.getByTestId('transfer-submit').click();

    const zhao = await conversationOf('赵女士');
    await eventually(async () => (await api(s.kefu.url, 'GET', `/api/conversations/${zhao.id}`, undefined, as('agent1'))).body.assignee_id === ids.agent2, 'assigned to agent2');
    await expect.poll(() => page.getByTestId('capacity').getAttribute('data-load'), { ...live, message: 'agent1 has a free slot again' }).toBe('1');

    const row = item(second.page, '赵女士');
    await row.waitFor({ timeout: 5_000 });
    await expect.poll(() => tabCount(second.page, 'mine', 'total'), live).toBe(1);
    await row.click();
    await second.page.getByTestId('side-tab-why').click();
    await expect.poll(() => second.page.getByTestId('why-reason').textContent(), live).toContain('客户要查顺丰物流');
    expect(second.errors).toEqual([]);
    await second.close();
    // agent2 leaves: later conversations come to agent1
    await api(s.kefu.url, 'PUT', '/api/agents/me/status', { status: 'offline' }, as('agent2'));
  });

  it('a supervisor opens on 全部: every open conversation, whoever has it', async () => {
    const lead = await agentPage('lead');
    await tab(lead.page, 'all').waitFor();
    expect(await lead.page.getByTestId('conversation-list').getAttribute('data-view')).toBe('all');
    const all = (await api(s.kefu.url, 'GET', '/api/conversations/counts', undefined, as('lead'))).body.views.all.total;
    expect(all).toBeGreaterThanOrEqual(2);
    await expect.poll(() => lead.page.getByTestId('conversation-item').count(), live).toBe(all);
    await expect.poll(() => tabCount(lead.page, 'all', 'total'), live).toBe(all);

    // 接管: agent2's conversation becomes the supervisor's, with the reason stored
    await item(lead.page, '赵女士').click();
    await lead.page.getByTestId('take-over-button').click();
    await lead.page.getByTestId('take-over-confirm').click();
    const zhao = await conversationOf('赵女士');
    const leadId = (await api(s.kefu.url, 'GET', '/api/me', undefined, as('lead'))).body.id;
    await eventually(async () => (await api(s.kefu.url, 'GET', `/api/conversations/${zhao.id}`, undefined, as('lead'))).body.assignee_id === leadId, 'taken over by lead');
    const why = (await api(s.kefu.url, 'GET', `/api/conversations/${zhao.id}/routing`, undefined, as('lead'))).body.decision;
    expect(why).toMatchObject({ outcome: 'taken_over', agent_id: leadId });
    await lead.page.getByTestId('take-over-button').waitFor({ state: 'detached' });
    expect(lead.errors).toEqual([]);
    await lead.close();
  });

  it('a website visitor typing shows 「正在输入…」 in the chat', async () => {
    const visitor = await newPage(s.browser, s.kefu.url, 'pc');
    const v = visitor.page;
    await v.goto('/demo-shop.html');
    await v.getByTestId('kefu-widget-bubble').click();
    await expect.poll(() => v.getByTestId('kefu-widget-status').getAttribute('data-state'), live).toBe('connected');
    await v.getByTestId('kefu-widget-input').fill('在吗？我想问下面霜');
    await v.getByTestId('kefu-widget-send').click();

    const { page } = agent1;
    const row = page.getByTestId('conversation-item').filter({ hasText: '我想问下面霜' });
    await row.waitFor({ timeout: 10_000 });
    await row.click();
    await page.getByTestId('chat-message').filter({ hasText: '我想问下面霜' }).waitFor();
    expect(await page.getByTestId('typing-indicator').count()).toBe(0);
    await v.getByTestId('kefu-widget-input').pressSequentially('敏感肌可以用吗', { delay: 200 });
    await page.getByTestId('typing-indicator').waitFor({ timeout: 5_000 });
    await v.getByTestId('kefu-widget-send').click();
    await page.getByTestId('chat-message').filter({ hasText: '敏感肌' }).waitFor();
    await expect.poll(() => page.getByTestId('typing-indicator').count(), { ...live, message: 'the message replaces the indicator' }).toBe(0);
    expect(visitor.errors).toEqual([]);
    await visitor.ctx.close();
  });

  it('every message type renders; WeChat voice (AMR) is decoded and plays in the page', async () => {
    const sun = await wechat.create('孙阿姨');
    const sim = (msgtype: string, body: Json = {}) => api(s.sim.url, 'POST', '/sim/kf/messages', { open_kfid: wechat.presales, external_userid: sun, msgtype, [msgtype]: body });
    await wechat.says(sun, '我发几样东西给你看看');
    for (const [type, body] of [
      ['image', {}], ['voice', {}], ['video', {}], ['file', {}],
      ['location', { latitude: 30.27415, longitude: 120.15515, name: '西湖银泰城', address: '杭州市上城区延安路98号' }],
      ['link', { title: '悦肤水光精华使用指南', desc: '三步用出水光肌', url: 'https://example.com/guide' }],
      ['business_card', { userid: 'zhangsan' }],
      ['miniprogram', { title: '悦肤商城', appid: 'wx1234567890abcdef', pagepath: 'pages/order/detail?id=1' }],
    ] as const) expect((await sim(type, body)).status).toBe(200);
    const conv = await conversationOf('孙阿姨');
    // a menu goes out from kefu (the bot's and agents' clarification buttons)
    const menu = await api(s.kefu.url, 'POST', `/api/conversations/${conv.id}/messages`, {
      client_msg_id: 'menu-1',
      content: { type: 'menu', head: '请选择您要咨询的问题', items: [{ type: 'click', id: 'm1', content: '物流查询' }, { type: 'view', url: 'https://example.com/faq', content: '常见问题' }], tail: '也可以直接输入' },
    }, as('agent1'));
    expect(menu.status).toBe(201);

    const { page } = agent1;
    await tab(page, 'mine').click();
    await item(page, '孙阿姨').click();
    const types = ['text', 'image', 'voice', 'video', 'file', 'location', 'link', 'business_card', 'miniprogram', 'menu'];
    for (const type of types) await page.locator(`[data-testid="chat-message"][data-type="${type}"]`).first().waitFor();
    expect(await page.locator('[data-type="location"]').textContent()).toContain('西湖银泰城');
    expect(await page.locator('[data-type="menu"]').textContent()).toContain('物流查询');
    await expect.poll(() => page.locator('[data-type="menu"]').getAttribute('data-status'), live).toBe('sent');

    const voice = page.getByTestId('voice-player');
    expect(await voice.getAttribute('data-state')).toBe('idle');
    await voice.click();
    // the sample is 50 AMR frames of 20 ms: one second once decoded
    await expect.poll(() => voice.getAttribute('data-duration'), live).toMatch(/^(0\.9|1)/);
    expect(await voice.getAttribute('data-state')).not.toBe('error');
    await screenshot(page, 'workspace-message-types.png');
  });

  it('in English: tabs, panels and the status switch are translated', async () => {
    const { page } = agent1;
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => tab(page, 'mine').textContent(), live).toContain('Mine');
    expect(await tab(page, 'team').textContent()).toContain('Team');
    expect(await page.getByTestId('agent-status').textContent()).toContain('Online');
    await item(page, '钱先生').click();
    expect(await page.getByTestId('side-tab-why').textContent()).toBe('Why me?');
    await page.getByTestId('side-tab-customer').click();
    await expect.poll(() => page.getByTestId('customer-panel').textContent(), live).toContain('Orders & contracts (CRM)');
    if (SCREENSHOTS) await screenshot(page, 'workspace-en.png');
    await page.getByTestId('lang-switch').click();
    await expect.poll(() => tab(page, 'mine').textContent(), live).toContain('我的');
  });

  it('on the phone: list → chat → customer panel, with back navigation', async () => {
    const phone = await agentPage('agent1', 'phone');
    const p = phone.page;
    await tab(p, 'mine').click();
    await item(p, '钱先生').waitFor();
    const mine = (await api(s.kefu.url, 'GET', '/api/conversations/counts', undefined, as('agent1'))).body.views.mine.total;
    await expect.poll(() => tabCount(p, 'mine', 'total'), live).toBe(mine);
    if (SCREENSHOTS) await screenshot(p, 'workspace-phone-list.png');
    await item(p, '钱先生').click();
    await p.getByTestId('chat-panel').waitFor();
    expect(await p.getByTestId('conversation-list').count(), 'one view at a time').toBe(0);
    if (SCREENSHOTS) await screenshot(p, 'workspace-phone-chat.png');
    await p.getByTestId('open-side').click();
    await p.getByTestId('customer-panel').waitFor();
    await expect.poll(() => p.getByTestId('crm-order').count(), live).toBeGreaterThan(0);
    expect(await p.getByTestId('chat-panel').count()).toBe(0);
    if (SCREENSHOTS) await screenshot(p, 'workspace-phone-360.png');
    await p.getByTestId('side-back').click();
    await p.getByTestId('chat-panel').waitFor();
    await p.getByTestId('chat-back').click();
    await p.getByTestId('conversation-list').waitFor();
    expect(phone.errors).toEqual([]);
    await phone.close();
    expect(agent1.errors).toEqual([]);
  });
});
