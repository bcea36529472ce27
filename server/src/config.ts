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
