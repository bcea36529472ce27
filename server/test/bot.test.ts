import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Json } from './harness.js';
import { botStack } from './bot-stack.js';

// The bot end to end: kefu in-process (so the test can move its clock), the WeCom simulator as
// a real process, the demo knowledge of 悦肤美妆 published as version 1.
const stack = botStack();
const { clock, simApi, kefuApi, customer, say, received, conversationOf } = stack;
const lastText = async (ext: string) => {
  const r = await received(ext);
  const m = r.at(-1);
  return m?.text?.content ?? (m?.msgtype === 'msgmenu' ? `[menu] ${m.msgmenu.head_content}` : `[${m?.msgtype}]`);
};

beforeAll(() => stack.start());
afterAll(() => stack.close());

describe('the bot answers what it knows', () => {
  it('"怎么开发票" gets the concrete invoicing steps, not "请提供税号"', async () => {
    const ext = await customer('开票客户');
    await say(ext, '怎么开发票');
    const text = await lastText(ext);
    expect(text).toMatch(/申请开票/);
    expect(text).not.toMatch(/^请提供税号/);
    expect((await conversationOf('开票客户')).status).toBe('bot');
  });

  it('tells an allergic reaction apart from blush colour', async () => {
    const ext = await customer('过敏客户');
    await say(ext, '用了你们的精华脸上起了红疹，还有点刺痛');
    expect(await lastText(ext)).toMatch(/停用/);
    await say(ext, '这个腮红上脸效果怎么样');
    expect(await lastText(ext)).not.toMatch(/停用/);
  });

  it('understands traditional characters and dialect', async () => {
    const ext = await customer('繁體客户');
    await say(ext, '你們的發票怎麼開');
    expect(await lastText(ext)).toMatch(/申请开票/);
  });

  it('clarifies with a WeChat menu when unsure, and a click answers the chosen FAQ', async () => {
    const ext = await customer('模糊客户');
    await say(ext, '会员');
    const menu = (await received(ext)).at(-1)!;
    expect(menu.msgtype).toBe('msgmenu');
    const item = menu.msgmenu.list[0].click;
    expect(item.id).toMatch(/^faq:/);
    await say(ext, item.content, item.id);
    expect((await received(ext)).at(-1)!.msgtype).toBe('text');
    expect((await conversationOf('模糊客户')).status).toBe('bot');
  });

  it("offers the intent's FAQs as a menu when two of them fit alike, and a click answers the chosen one", async () => {
    const settings = (await kefuApi('GET', '/api/bot/settings')).body;
    expect(settings.faq_margin).toBe(0);
    expect((await kefuApi('PUT', '/api/bot/settings', { ...settings, faq_margin: 0.05 })).status).toBe(200);
    try {
      const ext = await customer('过敏二选一客户');
      // 过敏反应 for sure, but care steps or the refund rules? (0.72 against 0.73: within the FAQ margin)
      await say(ext, '用了你们的面霜过敏了怎么处理');
      const menu = (await received(ext)).at(-1)!;
      expect(menu.msgtype).toBe('msgmenu');
      const items = menu.msgmenu.list.map((l: Json) => l.click);
      expect(items.map((i: Json) => i.content).sort()).toEqual(['使用后过敏（红疹、刺痛、发痒）怎么办？', '过敏的产品可以退吗？']);
      const care = items.find((i: Json) => i.content.startsWith('使用后过敏'));
      await say(ext, care.content, care.id);
      expect(await lastText(ext)).toMatch(/停用/);
      expect((await conversationOf('过敏二选一客户')).status).toBe('bot');
    } finally {
      await kefuApi('PUT', '/api/bot/settings', settings);
    }
  });

  it('falls back with a useful message on something it does not know', async () => {
    const ext = await customer('闲聊客户');
    await say(ext, '今天天气怎么样');
    expect(await lastText(ext)).toMatch(/人工/);
    expect((await conversationOf('闲聊客户')).status).toBe('bot');
  });
});

describe('hand-off to humans', () => {
  it('on an explicit request, with reason and summary; then the bot stays silent', async () => {
    const ext = await customer('转人工客户');
    await say(ext, '我的快递到哪了');
    await say(ext, '转人工');
    const c = await conversationOf('转人工客户');
    expect(c.status).toBe('queued');
    expect(c.handoff).toMatchObject({ reason: 'explicit_request', urgent: false });
    expect(c.handoff.summary).toMatch(/快递/);
    const before = (await received(ext)).length;
    await say(ext, '你好，还在吗');
    expect((await received(ext)).length).toBe(before);
    const msgs = (await kefuApi('GET', `/api/conversations/${c.id}/messages`)).body.items;
    expect(msgs.some((m: Json) => m.content.type === 'event' && m.content.event === 'handoff')).toBe(true);
  });

  it('urgently when the customer complains (我要投诉 / 找你们领导)', async () => {
    for (const [nick, text] of [['投诉客户', '你们太差劲了，我要投诉！'], ['领导客户', '叫你们领导出来']]) {
      const ext = await customer(nick);
      await say(ext, text);
      const c = await conversationOf(nick);
      expect(c.status).toBe('queued');
      expect(c.handoff.urgent).toBe(true);
      expect(c.priority).toBe(2);
    }
  });

  it('urgently when the same question comes three times', async () => {
    const ext = await customer('重复客户');
    await say(ext, '我的快递到哪了');
    await say(ext, '快递到底到哪里了');
    expect((await conversationOf('重复客户')).status).toBe('bot');
    await say(ext, '物流怎么查');
    const c = await conversationOf('重复客户');
    expect(c.handoff).toMatchObject({ reason: 'repeated_question', urgent: true });
    // the intent's skill (set in the knowledge base) travels with the hand-off and routing reads it
    expect(c.handoff.intent).toMatchObject({ name: '物流查询', skill: '物流' });
    const decision = await eventually(async () => (await kefuApi('GET', `/api/conversations/${c.id}/routing`)).body.decision as Json | null, 'a routing decision');
    expect(decision.context).toMatchObject({ skills: ['物流'], need: '意图「物流查询」→ 技能「物流」' });
  });

  it('after repeated unanswered turns', async () => {
    const ext = await customer('答不上客户');
    await say(ext, '今天天气怎么样');
    await say(ext, '华为手机怎么刷机');
    await say(ext, 'asdfgh qwerty');
    expect((await conversationOf('答不上客户')).handoff).toMatchObject({ reason: 'unanswered' });
  });

  it('at once for VIP customers', async () => {
    const ext = await customer('VIP客户');
    await say(ext, '你好');
    const c = await conversationOf('VIP客户');
    expect((await kefuApi('PATCH', `/api/customers/${c.customer.id}`, { tier: 'VIP' })).status).toBe(200);
    await say(ext, '会员怎么续费');
    expect((await conversationOf('VIP客户')).handoff).toMatchObject({ reason: 'vip' });
  });

  it('on a configured keyword', async () => {
    const ext = await customer('关键词客户');
    await say(ext, '再不处理我就打12315了');
    expect((await conversationOf('关键词客户')).handoff?.reason).toMatch(/keyword|negative_sentiment|complaint/);
  });

  it('soothes the waiting customer at intervals, at most the configured number of times', async () => {
    const ext = await customer('等待客户');
    await say(ext, '人工客服');
    const n0 = (await received(ext)).length;
    expect(await stack.kefu.bot.service.tickSoothing()).toBe(0);
    for (let i = 1; i <= 4; i++) {
      clock.advance(121_000);
      await stack.kefu.bot.service.tickSoothing();
    }
    const soothing = (await received(ext)).slice(n0).filter((m) => /稍等|稍候/.test(m.text?.content ?? ''));
    expect(soothing).toHaveLength(3);
  });

  it('outside human hours says so and still hands over for later', async () => {
    const settings = (await kefuApi('GET', '/api/bot/settings')).body;
    expect((await kefuApi('PUT', '/api/bot/settings', { ...settings, human_hours: { ...settings.human_hours, mode: 'weekly' } })).status).toBe(200);
    // move kefu's clock to the next 02:00 in Shanghai (18:00 UTC): nobody is on duty
    const now = clock.now();
    const night = new Date(now);
    night.setUTCHours(18, 0, 0, 0);
    if (night <= now) night.setUTCDate(night.getUTCDate() + 1);
    clock.advance(night.getTime() - now.getTime());
    await stack.relogin(); // the old token may have expired on the way
    try {
      const ext = await customer('夜间客户');
      await say(ext, '转人工');
      expect(await lastText(ext)).toMatch(/工作时间/);
      expect((await conversationOf('夜间客户')).handoff.reason_text).toMatch(/非人工服务时间/);
    } finally {
      await kefuApi('PUT', '/api/bot/settings', settings);
    }
  });
});

describe('the bot on the website widget', () => {
  it('answers a visitor, and clarification comes as buttons', async () => {
    const { got, send } = await stack.visitor();
    await send('怎么开发票', 'b1');
    await eventually(async () => got.find((m) => m.sender_type === 'bot' && /申请开票/.test(m.content.text ?? '')), 'bot answer on the widget');
    await send('会员', 'b2');
    const menu = await eventually(async () => got.find((m) => m.content.type === 'menu'), 'menu on the widget');
    expect(menu.content.items[0].id).toMatch(/^faq:/);
  });
});

/** the conversation's system event lines of one kind (what agents see) */
async function eventsOf(conversationId: string, event: string): Promise<Json[]> {
  const msgs: Json[] = (await kefuApi('GET', `/api/conversations/${conversationId}/messages`)).body.items;
  return msgs.filter((m) => m.direction === 'system' && m.content.type === 'event' && m.content.event === event);
}

describe('sensitive words on customer input (flag for agents)', () => {
  it('a flagged word leaves a 敏感词提示 for the agents, never for the customer', async () => {
    const ext = await customer('敏感客户');
    await say(ext, '用了你们的面膜烂脸了，我要去曝光你们');
    const c = await conversationOf('敏感客户');
    const flags = await eventsOf(c.id, 'sensitive_flag');
    expect(flags).toHaveLength(1);
    expect(flags[0].content.data.words).toEqual(expect.arrayContaining(['烂脸', '曝光']));
    expect(flags[0].content.data.text).toMatch(/^敏感词提示：/);
    expect(flags[0].sender_type).toBe('system');
    expect((await received(ext)).some((m) => /敏感词/.test(m.text?.content ?? ''))).toBe(false);
  });

  it('also while humans serve the conversation (the bot is silent but still screens)', async () => {
    const ext = await customer('人工敏感客户');
    await say(ext, '转人工');
    const c = await conversationOf('人工敏感客户');
    expect(c.status).toBe('queued');
    const before = (await received(ext)).length;
    await say(ext, '再不给我处理我就找律师起诉你们');
    const flags = await eventsOf(c.id, 'sensitive_flag');
    expect(flags).toHaveLength(1);
    expect(flags[0].content.data.words).toEqual(expect.arrayContaining(['律师', '起诉']));
    expect((await received(ext)).length).toBe(before);
  });

  it('whitelisted phrases (鉴别假货, 社交媒体 — like 抗癌药物咨询) are not flagged', async () => {
    const ext = await customer('白名单客户');
    await say(ext, '请问怎么鉴别假货');
    await say(ext, '你们在社交媒体上有官方账号吗');
    const c = await conversationOf('白名单客户');
    expect(await eventsOf(c.id, 'sensitive_flag')).toEqual([]);
    // the same words outside the whitelisted phrases are flagged
    await say(ext, '你们卖的是假货吧');
    expect((await eventsOf(c.id, 'sensitive_flag')).map((m) => m.content.data.words)).toEqual([['假货']]);
  });
});

describe('sensitive words on outgoing answers (block)', () => {
  it('a published FAQ answer with a blocked word is never sent; the customer gets the fallback', async () => {
    const faq = (await kefuApi('GET', '/api/knowledge/faqs/faq_invoice')).body;
    const { id: _id, updated_at: _u, created_at: _c, ...body } = faq;
    const original = structuredClone(body);
    const tainted = { ...body, answers: body.answers.map((a: Json) => (a.content.type === 'text' ? { ...a, content: { ...a.content, text: `${a.content.text}（本店药妆正品保证）` } } : a)) };
    expect((await kefuApi('PUT', '/api/knowledge/faqs/faq_invoice', tainted)).status).toBe(200);
    expect((await kefuApi('POST', '/api/knowledge/publish', { note: 'blocked word test' })).status).toBe(200);
    try {
      const ext = await customer('拦截客户');
      await say(ext, '怎么开发票');
      const texts = (await received(ext)).map((m) => m.text?.content ?? '');
      expect(texts.some((t) => /药妆/.test(t))).toBe(false);
      expect(texts.at(-1)).toBe((await kefuApi('GET', '/api/bot/settings')).body.fallback_text);
    } finally {
      expect((await kefuApi('PUT', '/api/knowledge/faqs/faq_invoice', original)).status).toBe(200);
      expect((await kefuApi('POST', '/api/knowledge/publish', { note: 'restore' })).status).toBe(200);
    }
    const ext = await customer('恢复客户');
    await say(ext, '怎么开发票');
    expect(await lastText(ext)).toMatch(/申请开票/);
  });
});

describe('the welcome message belongs to the bot settings', () => {
  it('WeCom enter_session sends the welcome_text of the settings', async () => {
    const settings = (await kefuApi('GET', '/api/bot/settings')).body;
    expect(settings.welcome_text).toBe('您好，欢迎来到悦肤美妆！请问有什么可以帮您？');
    const welcome = '欢迎光临悦肤美妆旗舰店🌸 有问题随时问我～';
    expect((await kefuApi('PUT', '/api/bot/settings', { ...settings, welcome_text: welcome })).status).toBe(200);
    try {
      const ext = await customer('欢迎客户');
      expect((await simApi('POST', '/sim/kf/enter', { open_kfid: stack.presales, external_userid: ext, scene: 'bot-test' })).status).toBe(200);
      const sent = await eventually(async () => (await simApi('GET', `/sim/kf/inbox?external_userid=${ext}`)).body.messages.find((m: Json) => m.via === 'send_msg_on_event'), 'welcome in the inbox');
      expect(sent.text.content).toBe(welcome);
    } finally {
      await kefuApi('PUT', '/api/bot/settings', settings);
    }
  });

  it('the widget shows the same welcome when a visitor has no conversation yet', async () => {
    const settings = (await kefuApi('GET', '/api/bot/settings')).body;
    const welcome = '您好，这里是悦肤美妆网站客服，有什么可以帮您？';
    expect((await kefuApi('PUT', '/api/bot/settings', { ...settings, welcome_text: welcome })).status).toBe(200);
    try {
      const { socket: s, send } = await stack.visitor();
      const history = () => new Promise<Json>((r) => s.emit('history', r));
      expect(await history()).toEqual({ ok: true, messages: [], welcome });
      await send('你好', 'w1');
      await stack.kefu.bot.service.idle();
      // once the conversation exists, its history is shown (the widget keeps the welcome above it)
      const h = await history();
      expect(h.welcome).toBeUndefined();
      expect(h.messages.map((m: Json) => m.content.text)).toContain('你好');
    } finally {
      await kefuApi('PUT', '/api/bot/settings', settings);
    }
  });

  it('the settings validate the welcome text', async () => {
    const settings = (await kefuApi('GET', '/api/bot/settings')).body;
    expect((await kefuApi('PUT', '/api/bot/settings', { ...settings, welcome_text: '' })).status).toBe(400);
    expect((await kefuApi('PUT', '/api/bot/settings', { ...settings, welcome_text: 'x'.repeat(601) })).status).toBe(400);
  });
});
