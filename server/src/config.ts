import { z } from 'zod';

/**
 * Every environment variable kefu reads, validated at start. Defaults run the demo:
 * SQLite under ./data and the local WeCom simulator on :3100.
 */
const DEMO = {
  corpId: 'ww5823bf96d3bd56c7',
  token: 'kefuDemoToken',
  aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C',
  kfSecret: 'kefu-demo-kf-secret',
  agentSecret: 'kefu-demo-agent-secret',
};
export const DEMO_WECOM = DEMO;

const port = z.coerce.number().int().min(1).max(65535);

const schema = z.object({
  KEFU_PORT: port.default(3000),
  KEFU_HOST: z.string().min(1).default('0.0.0.0'),
  KEFU_PUBLIC_URL: z.url({ message: 'must be an absolute URL such as https://kefu.example.com' }).optional(),
  KEFU_DATABASE_URL: z
    .string()
    .min(1)
    .default('sqlite:./data/kefu.db')
    .refine((v) => /^(sqlite:|postgres(ql)?:\/\/)/.test(v), {
      message: 'must start with sqlite: (e.g. sqlite:./data/kefu.db) or postgres:// (e.g. postgres://user@host:5432/kefu)',
    }),
  KEFU_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// URL such as redis://127.0.0.1:6379')
    .optional()
    .describe('enables several instances: Socket.IO fan-out and the shared WeCom token cache'),
  KEFU_REDIS_PREFIX: z.string().regex(/^[A-Za-z0-9:_-]{1,40}$/, 'letters, digits, : _ - (at most 40)').default('kefu'),
  KEFU_DATA_DIR: z.string().min(1).default('./data'),
  KEFU_SECRET_KEY: z.string().min(16, 'must be at least 16 characters').default('kefu-demo-secret-change-me'),
  KEFU_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  KEFU_DEMO_DATA: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  KEFU_BODY_LIMIT: z.coerce.number().int().min(1024).default(1024 * 1024),
  KEFU_WELCOME_TEXT: z.string().min(1).max(600).default('您好，欢迎来到悦肤美妆！请问有什么可以帮您？'),
  WECOM_CORP_ID: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be the CorpID from 我的企业 → 企业信息 (letters and digits)').default(DEMO.corpId),
  WECOM_TOKEN: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be 1–32 letters or digits (the Token of the callback settings)').default(DEMO.token),
  WECOM_ENCODING_AES_KEY: z.string().regex(/^[A-Za-z0-9]{43}$/, 'must be exactly 43 letters or digits (EncodingAESKey)').default(DEMO.aesKey),
  WECOM_KF_SECRET: z.string().min(1).default(DEMO.kfSecret),
  WECOM_API_BASE: z.url({ message: 'must be an absolute URL such as https://qyapi.weixin.qq.com' }).default('http://127.0.0.1:3100'),
  WECOM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  /** seconds of clock skew allowed on callback timestamps (replay window) */
  WECOM_REPLAY_WINDOW_S: z.coerce.number().int().min(10).default(300),
  // ---- notifications (SLA warnings and escalations); the demo's alert app lives in the simulator
  /** AgentId of the self-built app that sends internal alerts (应用管理 → 自建应用) */
  WECOM_AGENT_ID: z.coerce.number().int().min(1, 'must be the AgentId of the alert app (a number)').default(1000002),
  WECOM_AGENT_SECRET: z.string().min(1).default(DEMO.agentSecret),
  /** without it, e-mail notifications are logged as "channel not configured", not lost */
  SMTP_URL: z.string().regex(/^smtps?:\/\/[^/]+/, 'must be an smtp:// or smtps:// URL such as smtp://127.0.0.1:2525').optional(),
  SMTP_FROM: z.string().min(3).default('kefu 客服系统 <noreply@kefu.local>'),
  /** sink (demo: data/sms-outbox.jsonl) | none; real providers plug in through SmsProvider */
  KEFU_SMS_PROVIDER: z.enum(['sink', 'none']).default('sink'),
  KEFU_NOTIFY_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  KEFU_NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
  /** how often the durable scheduler (SLA timers) looks for due jobs; 0 = never (tests tick by hand) */
  KEFU_SCHEDULER_POLL_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  // ---- optional LLM (any OpenAI-compatible endpoint); off unless LLM_BASE_URL and LLM_MODEL are set
  /** base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1 (kefu calls {base}/chat/completions) */
  LLM_BASE_URL: z.url({ message: 'must be an absolute URL such as https://api.openai.com/v1' }).optional(),
  /** sent as "Authorization: Bearer …"; never logged */
  LLM_API_KEY: z.string().trim().min(1, 'must not be empty').optional(),
  LLM_MODEL: z.string().trim().min(1, 'must not be empty').optional(),
  /** the bot waits this long for an LLM answer, then answers the classic way */
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
}).superRefine((c, ctx) => {
  if (c.LLM_BASE_URL && !c.LLM_MODEL) ctx.addIssue({ code: 'custom', path: ['LLM_MODEL'], message: 'is required when LLM_BASE_URL is set (e.g. gpt-4o-mini, qwen-plus)' });
  if (!c.LLM_BASE_URL && (c.LLM_MODEL || c.LLM_API_KEY)) ctx.addIssue({ code: 'custom', path: ['LLM_BASE_URL'], message: 'is required when LLM_MODEL or LLM_API_KEY is set' });
});

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return r.data;
}

export const isPostgres = (c: Pick<Config, 'KEFU_DATABASE_URL'>) => c.KEFU_DATABASE_URL.startsWith('postgres');

/** Loads the configuration or stops the process with one clear line per bad value (exit 78). */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`kefu: ${e.message}`);
      process.exit(78);
    }
    throw e;
  }
}
