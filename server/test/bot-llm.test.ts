import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Socket } from 'socket.io-client';
import type { Logger } from '../src/core/logger.js';
import { ConfigError, loadConfig } from '../src/config.js';
import type { Kefu } from '../src/app.js';
import { LlmClient } from '../src/bot/llm.js';
import { eventually, type Json, type TestDb } from './harness.js';
import { botStack, startKefuInProcess, widgetVisitor } from './bot-stack.js';

// The optional LLM end to end: a small local server imitating an OpenAI-compatible
// /v1/chat/completions (it checks the bearer key and records every prompt), kefu in-process
// with LLM_BASE_URL pointing at it, the WeCom simulator as a real process.

const KEY = 'sk-test-llm-key-0123456789';
const MODEL = 'kefu-test-model';
const TIMEOUT_MS = 1500;

type Mode = { kind: 'answer'; text: string } | { kind: 'unknown' } | { kind: 'slow'; ms: number } | { kind: 'error'; status: number };
let mode: Mode = { kind: 'unknown' };
const calls: { auth: string | undefined; body: Json }[] = [];
let llmServer: FastifyInstance;
let llmUrl: string;

async function startLlmServer(): Promise<void> {
  llmServer = Fastify({ forceCloseConnections: true });
  llmServer.post('/v1/chat/completions', async (req, reply) => {
    const body = req.body as Json;
    calls.push({ auth: req.headers.authorization, body });
    if (req.headers.authorization !== `Bearer ${KEY}`) return reply.code(401).send({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
    const m = mode;
    if (m.kind === 'error') return reply.code(m.status).send({ error: { message: 'overloaded', type: 'server_error' } });
    if (m.kind === 'slow') {
      await new Promise<void>((r) => {
        const t = setTimeout(r, m.ms);
        req.raw.socket.on('close', () => (clearTimeout(t), r()));
      });
    }
    const content = m.kind === 'answer' ? m.text : m.kind === 'slow' ? '这条回答来得太晚了' : 'UNKNOWN';
    return {
      id: `chatcmpl-${calls.length}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    };
  });
  await llmServer.listen({ port: 0, host: '127.0.0.1' });
  const addr = llmServer.server.address() as { port: number };
  llmUrl = `http://127.0.0.1:${addr.port}/v1`;
}

const stack = botStack();
const { simApi, kefuApi, customer, say, received, conversationOf, messagesOf } = stack;
const sourcesOf = async (conversationId: string) => (await messagesOf(conversationId)).filter((m) => m.content.type === 'event' && m.content.event === 'bot_sources');

beforeAll(async () => {
  await startLlmServer();
  await stack.start({ LLM_BASE_URL: llmUrl, LLM_API_KEY: KEY, LLM_MODEL: MODEL, LLM_TIMEOUT_MS: String(TIMEOUT_MS) });
});
afterAll(async () => {
  await stack.close();
  await llmServer?.close();
});

describe('LLM answers grounded on the retrieved FAQs', () => {
  it('where the bot would clarify, the grounded answer is sent and its sources are shown to agents', async () => {
    const answer = '付费会员到期前可在「我的-会员中心」一键续费；会员等级按成长值自动升级哦～';
    mode = { kind: 'answer', text: answer };
    const n0 = calls.length;
    const ext = await customer('大模型客户');
    await say(ext, '会员');
    expect((await received(ext)).at(-1)?.text?.content).toBe(answer);

    // one request, with the key as a bearer token and the configured model
    expect(calls.length).toBe(n0 + 1);
    const call = calls.at(-1)!;
    expect(call.auth).toBe(`Bearer ${KEY}`);
    expect(call.body.model).toBe(MODEL);
    const [system, user] = call.body.messages;
    expect(system.role).toBe('system');
    expect(system.content).toMatch(/只能依据/);
    expect(system.content).toContain('UNKNOWN');
    expect(user).toEqual({ role: 'user', content: '会员' });

    // the sources: a system line right after the answer, listing exactly the FAQs of the prompt
    const c = await conversationOf('大模型客户');
    expect(c.status).toBe('bot');
    const msgs = await messagesOf(c.id);
    const i = msgs.findIndex((m) => m.sender_type === 'bot' && m.content.text === answer);
    expect(i).toBeGreaterThanOrEqual(0);
    const sources = msgs[i + 1];
    expect(sources).toMatchObject({ direction: 'system', content: { type: 'event', event: 'bot_sources', data: { model: MODEL } } });
    const faqs: { id: string; question: string }[] = sources.content.data.faqs;
    expect(faqs.length).toBeGreaterThanOrEqual(1);
    expect(faqs.length).toBeLessThanOrEqual(3);
    expect(faqs.map((f) => f.question)).toContain('付费会员怎么续费？');
    for (const f of faqs) {
      expect(f.id).toMatch(/^faq_/);
      expect(system.content).toContain(`问：${f.question}`);
    }
    expect(sources.content.data.text).toContain('付费会员怎么续费？');
    // the prompt holds only the retrieved FAQs, not the whole knowledge base
    expect(system.content).not.toContain('怎么开发票');
    // the customer never sees the sources line
    expect((await received(ext)).some((m) => /依据/.test(m.text?.content ?? ''))).toBe(false);
  });

  it('confident answers stay with the classic bot (no LLM call)', async () => {
    mode = { kind: 'answer', text: '不应该出现' };
    const n0 = calls.length;
    const ext = await customer('经典客户');
    await say(ext, '怎么开发票');
    expect((await received(ext)).at(-1)?.text?.content).toMatch(/申请开票/);
    expect(calls.length).toBe(n0);
  });

  it('nothing relevant retrieved (chit-chat): no LLM call, the classic fallback', async () => {
    const n0 = calls.length;
    const ext = await customer('闲聊大模型客户');
    await say(ext, '今天天气怎么样');
    expect((await received(ext)).at(-1)?.text?.content).toMatch(/人工/);
    expect(calls.length).toBe(n0);
  });

  it('UNKNOWN from the model → the classic behaviour (clarification menu), no sources', async () => {
    mode = { kind: 'unknown' };
    const n0 = calls.length;
    const ext = await customer('不知道客户');
    await say(ext, '会员');
    expect(calls.length).toBe(n0 + 1);
    expect((await received(ext)).at(-1)?.msgtype).toBe('msgmenu');
    expect(await sourcesOf((await conversationOf('不知道客户')).id)).toEqual([]);
  });

  it('a server error → the classic behaviour', async () => {
    mode = { kind: 'error', status: 503 };
    const ext = await customer('故障客户');
    await say(ext, '会员');
    expect((await received(ext)).at(-1)?.msgtype).toBe('msgmenu');
  });

  it('a slow server past LLM_TIMEOUT_MS → the classic answer, within the timeout', async () => {
    mode = { kind: 'slow', ms: 10_000 };
    const ext = await customer('慢速客户');
    await say(ext, '会员');
    expect((await received(ext)).at(-1)?.msgtype).toBe('msgmenu');
    const msgs = await messagesOf((await conversationOf('慢速客户')).id);
    const asked = Date.parse(msgs.find((m) => m.direction === 'in')!.created_at);
    const replied = Date.parse(msgs.find((m) => m.sender_type === 'bot')!.created_at);
    expect(replied - asked).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
    expect(replied - asked).toBeLessThan(TIMEOUT_MS + 1500);
    expect(msgs.some((m) => m.content.text === '这条回答来得太晚了')).toBe(false);
  });

  it('an answer with a blocked sensitive word is never sent', async () => {
    mode = { kind: 'answer', text: '我们的会员专享药妆，100%有效，可以根治痘痘！' };
    const ext = await customer('拦截大模型客户');
    await say(ext, '会员');
    const got = await received(ext);
    expect(got.some((m) => /根治|药妆/.test(m.text?.content ?? ''))).toBe(false);
    expect(got.at(-1)?.msgtype).toBe('msgmenu');
    expect(await sourcesOf((await conversationOf('拦截大模型客户')).id)).toEqual([]);
  });

  it('an LLM answer counts as answered: no hand-off for unanswered turns', async () => {
    mode = { kind: 'answer', text: '积分可以在会员中心查看和兑换哦～' };
    const n0 = calls.length;
    const ext = await customer('连续大模型客户');
    // three questions the classic bot cannot answer outright (the classic bot hands over after the third)
    for (const q of ['会员', '优惠', '礼物']) await say(ext, q);
    expect(calls.length).toBe(n0 + 3);
    const c = await conversationOf('连续大模型客户');
    expect(c.status).toBe('bot');
    expect(c.handoff).toBeNull();
  });
});

describe('the LLM client', () => {
  function recordingLogger(): { log: Logger; lines: unknown[] } {
    const lines: unknown[] = [];
    const rec = (...args: unknown[]) => void lines.push(args);
    const log = { trace: rec, debug: rec, info: rec, warn: rec, error: rec, fatal: rec, child: () => log } as unknown as Logger;
    return { log, lines };
  }

  it('never logs the key or the prompt, whatever happens', async () => {
    const { log, lines } = recordingLogger();
    const client = new LlmClient({ baseUrl: `${llmUrl}/`, apiKey: KEY, model: MODEL, timeoutMs: 300 }, log);
    const faqs = [{ id: 'faq_secret', question: '机密问题', answer: '机密答案' }];
    mode = { kind: 'answer', text: '好的' };
    expect(await client.answer('客户的私密问题 13800138000', faqs)).toMatchObject({ kind: 'answer', text: '好的' });
    mode = { kind: 'error', status: 500 };
    expect(await client.answer('客户的私密问题 13800138000', faqs)).toMatchObject({ kind: 'error', reason: 'http', status: 500 });
    mode = { kind: 'slow', ms: 5000 };
    expect(await client.answer('客户的私密问题 13800138000', faqs)).toMatchObject({ kind: 'error', reason: 'timeout' });
    const bad = new LlmClient({ baseUrl: 'http://127.0.0.1:9/v1', apiKey: KEY, model: MODEL, timeoutMs: 300 }, log);
    expect(await bad.answer('客户的私密问题 13800138000', faqs)).toMatchObject({ kind: 'error' });
    const wrongKey = new LlmClient({ baseUrl: llmUrl, apiKey: 'sk-wrong', model: MODEL, timeoutMs: 300 }, log);
    expect(await wrongKey.answer('客户的私密问题', faqs)).toMatchObject({ kind: 'error', reason: 'http', status: 401 });
    const logged = JSON.stringify(lines);
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of [KEY, 'sk-wrong', '私密问题', '13800138000', '机密问题', '机密答案']) expect(logged).not.toContain(secret);
  });

  it('the configuration is validated: URL, non-empty strings, the model with the URL', () => {
    const base = { KEFU_DATABASE_URL: 'sqlite::memory:' };
    expect(loadConfig(base).LLM_BASE_URL).toBeUndefined();
    expect(loadConfig(base).LLM_TIMEOUT_MS).toBe(8000);
    expect(loadConfig({ ...base, LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'qwen2.5' })).toMatchObject({ LLM_MODEL: 'qwen2.5' });
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
        return '';
      } catch (e) {
        return e instanceof ConfigError ? e.problems.join('\n') : String(e);
      }
    };
    expect(problems({ LLM_BASE_URL: 'not a url', LLM_MODEL: 'm' })).toMatch(/LLM_BASE_URL/);
    expect(problems({ LLM_BASE_URL: 'https://api.example.com/v1' })).toMatch(/LLM_MODEL: is required/);
    expect(problems({ LLM_MODEL: 'gpt-4o-mini' })).toMatch(/LLM_BASE_URL: is required/);
    expect(problems({ LLM_BASE_URL: 'https://api.example.com/v1', LLM_MODEL: '   ' })).toMatch(/LLM_MODEL/);
    expect(problems({ LLM_BASE_URL: 'https://api.example.com/v1', LLM_MODEL: 'm', LLM_TIMEOUT_MS: '10' })).toMatch(/LLM_TIMEOUT_MS/);
  });
});

describe('LLM off (the default)', () => {
  let off: Kefu;
  let offDb: TestDb;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    ({ kefu: off, db: offDb } = await startKefuInProcess({ simUrl: stack.sim.url }));
  });
  afterAll(async () => {
    for (const s of sockets) s.close();
    await off?.close();
    await offDb?.drop();
  });

  it('the classic bot is unchanged: clarification menu, fallback, no LLM request', async () => {
    expect(off.bot.llm).toBeNull();
    mode = { kind: 'answer', text: '不应该出现' };
    const n0 = calls.length;
    const { socket, got, send } = await widgetVisitor(off.url);
    sockets.push(socket);
    await send('会员', 'off1');
    const menu = await eventually(async () => got.find((m) => m.sender_type === 'bot'), 'bot reply on the widget');
    expect(menu.content.type).toBe('menu');
    await send('今天天气怎么样', 'off2');
    await eventually(async () => got.filter((m) => m.sender_type === 'bot').length >= 2, 'second bot reply');
    expect(got.filter((m) => m.sender_type === 'bot')[1].content.type).toBe('text');
    await off.bot.service.idle();
    expect(calls.length).toBe(n0);
    expect(got.some((m) => m.content.text === '不应该出现')).toBe(false);
  });
});
