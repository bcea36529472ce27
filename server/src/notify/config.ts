/**
 * The notification module's environment, validated like config.ts (the lead may fold these
 * keys into the main schema). Without WECOM_AGENT_SECRET / SMTP_URL the channel is simply
 * not configured: sends to it are logged as skipped, not lost.
 */
import { z } from 'zod';
import { ConfigError } from '../config.js';

const schema = z.object({
  /** AgentId of the self-built app that sends internal alerts (应用管理 → 自建应用) */
  WECOM_AGENT_ID: z.coerce.number().int().min(1, 'must be the AgentId of the alert app (a number)').optional(),
  WECOM_AGENT_SECRET: z.string().min(1).optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/]+/, 'must be an smtp:// or smtps:// URL such as smtp://127.0.0.1:2525')
    .optional(),
  SMTP_FROM: z.string().min(3).default('kefu 客服系统 <noreply@kefu.local>'),
  /** sink (demo: an outbox file under KEFU_DATA_DIR) | none; real providers plug in here */
  KEFU_SMS_PROVIDER: z.enum(['sink', 'none']).default('sink'),
  KEFU_NOTIFY_RETRY_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(4),
  KEFU_NOTIFY_RETRY_BASE_MS: z.coerce.number().int().min(0).max(600_000).default(2000),
});

export type NotifyConfig = z.infer<typeof schema>;

export function loadNotifyConfig(env: NodeJS.ProcessEnv = process.env): NotifyConfig {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = schema.safeParse(input);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const c = r.data;
  if (Boolean(c.WECOM_AGENT_ID) !== Boolean(c.WECOM_AGENT_SECRET)) {
    throw new ConfigError(['WECOM_AGENT_ID and WECOM_AGENT_SECRET: set both (the alert app) or neither']);
  }
  return c;
}
