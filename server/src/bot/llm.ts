import type { Logger } from '../core/logger.js';

/**
 * The optional LLM: one call, `POST {LLM_BASE_URL}/chat/completions`, on any OpenAI-compatible
 * endpoint (OpenAI, Azure-style gateways, 通义千问 / DeepSeek / Moonshot compatible modes, a local
 * vLLM or Ollama). Plain fetch rather than the `openai` SDK: one endpoint and two fields of its
 * answer do not need a dependency, and the SDK's own retries would break the bot's time budget.
 *
 * The model answers only from the FAQs it is given, or says it does not know (UNKNOWN). The key
 * and the prompt (which holds the customer's words) are never logged; logs carry the status,
 * the duration and the model name.
 */
export type LlmConfig = { baseUrl: string; apiKey?: string; model: string; timeoutMs: number };

/** what the model may use: the retrieved FAQs' question and answer text */
export type GroundingFaq = { id: string; question: string; answer: string };

export type LlmOutcome =
  | { kind: 'answer'; text: string; ms: number }
  | { kind: 'unknown'; ms: number }
  | { kind: 'error'; reason: 'timeout' | 'http' | 'network' | 'invalid_response'; status?: number; ms: number };

export const UNKNOWN_SENTINEL = 'UNKNOWN';
const MAX_ANSWER_CHARS = 1000;

export function buildMessages(question: string, faqs: GroundingFaq[]): { role: 'system' | 'user'; content: string }[] {
  const knowledge = faqs.map((f, i) => `[${i + 1}] 问：${f.question}\n答：${f.answer}`).join('\n\n');
  const system = [
    '你是在线客服助手。只能依据下面「知识库条目」中的内容回答客户的问题，不得使用条目以外的任何信息，不得编造政策、价格、时间或承诺。',
    `如果这些条目不能回答客户的问题，只回复 ${UNKNOWN_SENTINEL}，不要输出任何其他内容。`,
    '回答使用简体中文，语气亲切，简洁（不超过 200 字），不要提及「知识库」「条目」或编号。',
    '',
    '知识库条目：',
    knowledge,
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: question },
  ];
}

export class LlmClient {
  private readonly url: string;

  constructor(private readonly cfg: LlmConfig, private readonly log: Logger) {
    this.url = `${cfg.baseUrl.replace(/\/+$/, '')}/chat/completions`;
  }

  get model(): string {
    return this.cfg.model;
  }

  get timeoutMs(): number {
    return this.cfg.timeoutMs;
  }

  /** An answer grounded on `faqs`, or why there is none. Never throws; never waits past the timeout. */
  async answer(question: string, faqs: GroundingFaq[]): Promise<LlmOutcome> {
    const t0 = performance.now();
    const ms = () => Math.round(performance.now() - t0);
    let res: Response;
    let body: unknown;
    try {
      // the timeout covers the whole exchange: connecting, waiting and reading the body
      const signal = AbortSignal.timeout(this.cfg.timeoutMs);
      res = await fetch(this.url, {
        method: 'POST',
        signal,
        headers: {
          'content-type': 'application/json',
          accept: 'application/json',
          ...(this.cfg.apiKey ? { authorization: `Bearer ${this.cfg.apiKey}` } : {}),
        },
        body: JSON.stringify({ model: this.cfg.model, messages: buildMessages(question, faqs), temperature: 0, max_tokens: 512, stream: false }),
      });
      const text = await res.text();
      if (!res.ok) {
        this.log.warn({ status: res.status, ms: ms(), model: this.cfg.model }, 'llm request failed');
        return { kind: 'error', reason: 'http', status: res.status, ms: ms() };
      }
      body = JSON.parse(text);
    } catch (err) {
      const name = (err as Error)?.name;
      const timeout = name === 'TimeoutError' || name === 'AbortError';
      // only the error class: a message could echo the request
      this.log.warn({ error: timeout ? 'timeout' : name ?? 'error', ms: ms(), model: this.cfg.model }, timeout ? 'llm request timed out' : 'llm request failed');
      return { kind: 'error', reason: timeout ? 'timeout' : err instanceof SyntaxError ? 'invalid_response' : 'network', ms: ms() };
    }
    const content = (body as { choices?: { message?: { content?: unknown } }[] })?.choices?.[0]?.message?.content;
    if (typeof content !== 'string') {
      this.log.warn({ ms: ms(), model: this.cfg.model }, 'llm answer has no choices[0].message.content');
      return { kind: 'error', reason: 'invalid_response', ms: ms() };
    }
    const text = content.trim();
    if (!text || text.toUpperCase().includes(UNKNOWN_SENTINEL)) {
      this.log.debug({ ms: ms(), model: this.cfg.model }, 'llm does not know');
      return { kind: 'unknown', ms: ms() };
    }
    this.log.debug({ ms: ms(), model: this.cfg.model, chars: text.length }, 'llm answered');
    return { kind: 'answer', text: text.length > MAX_ANSWER_CHARS ? `${text.slice(0, MAX_ANSWER_CHARS)}…` : text, ms: ms() };
  }
}

/** The client when LLM_BASE_URL and LLM_MODEL are configured, else null (the classic bot alone). */
export function createLlm(config: { LLM_BASE_URL?: string; LLM_API_KEY?: string; LLM_MODEL?: string; LLM_TIMEOUT_MS: number }, log: Logger): LlmClient | null {
  if (!config.LLM_BASE_URL || !config.LLM_MODEL) return null;
  return new LlmClient({ baseUrl: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY, model: config.LLM_MODEL, timeoutMs: config.LLM_TIMEOUT_MS }, log);
}
