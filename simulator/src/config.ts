import { z } from 'zod';

export interface SimConfig {
  port: number;
  host: string;
  corpId: string;
  kfSecret: string;
  /** Secret of the self-built app used for internal alerts (gettoken → message/send). */
  agentSecret: string;
  /** AgentId of that app (message/send must name it). */
  agentId: number;
  /** Empty string disables callbacks. */
  callbackUrl: string;
  token: string;
  encodingAesKey: string;
  kfAccounts: string[];
  servicers: string[];
  syncPageSize: number;
  /** Latency added to every sync_msg answer (ms), to imitate a slow WeCom and widen crash windows in tests. */
  syncDelayMs: number;
  retryDelaysMs: number[];
  callbackTimeoutMs: number;
  /** Base URL used in avatar links; defaults to the listening address. */
  publicUrl?: string;
  /** Start the simulator clock at this unix time (seconds); default: real time. */
  clockStart?: number;
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

const EnvSchema = z.object({
  SIM_PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  SIM_HOST: z.string().min(1).default('127.0.0.1'),
  SIM_CORP_ID: z.string().min(1).default('ww5823bf96d3bd56c7'),
  SIM_KF_SECRET: z.string().min(1).default('kefu-demo-kf-secret'),
  SIM_AGENT_SECRET: z.string().min(1).default('kefu-demo-agent-secret'),
  SIM_AGENT_ID: z.coerce.number().int().min(1).default(1000002),
  SIM_CALLBACK_URL: z.string().default('http://127.0.0.1:3000/api/wecom/callback'),
  SIM_TOKEN: z.string().min(1).default('kefuDemoToken'),
  SIM_ENCODING_AES_KEY: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, 'must be 43 characters of [A-Za-z0-9]')
    .default('jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C'),
  SIM_KF_ACCOUNTS: z.string().default('售前咨询,售后服务'),
  SIM_SERVICERS: z.string().default('zhangsan,lisi'),
  SIM_SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(1000).default(1000),
  SIM_SYNC_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(0),
  SIM_RETRY_DELAYS_MS: z
    .string()
    .default('1000,2000,4000')
    .refine((s) => list(s).every((x) => /^\d+$/.test(x)), 'comma-separated milliseconds'),
  SIM_CALLBACK_TIMEOUT_MS: z.coerce.number().int().min(1).default(5000),
  SIM_PUBLIC_URL: z.string().url().optional(),
});

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SimConfig {
  const e = EnvSchema.parse(env);
  return {
    port: e.SIM_PORT,
    host: e.SIM_HOST,
    corpId: e.SIM_CORP_ID,
    kfSecret: e.SIM_KF_SECRET,
    agentSecret: e.SIM_AGENT_SECRET,
    agentId: e.SIM_AGENT_ID,
    callbackUrl: e.SIM_CALLBACK_URL,
    token: e.SIM_TOKEN,
    encodingAesKey: e.SIM_ENCODING_AES_KEY,
    kfAccounts: list(e.SIM_KF_ACCOUNTS),
    servicers: list(e.SIM_SERVICERS),
    syncPageSize: e.SIM_SYNC_PAGE_SIZE,
    syncDelayMs: e.SIM_SYNC_DELAY_MS,
    retryDelaysMs: list(e.SIM_RETRY_DELAYS_MS).map(Number),
    callbackTimeoutMs: e.SIM_CALLBACK_TIMEOUT_MS,
    publicUrl: e.SIM_PUBLIC_URL,
  };
}
