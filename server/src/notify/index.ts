/**
 * Notifications: one service, three channels (WeCom app message, e-mail, SMS).
 * `createNotifications` wires it from configuration; tests and other modules may also build
 * NotificationService directly with their own channels.
 */
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { createAgentClient, WecomAppChannel } from './channels/wecom.js';
import { EmailChannel } from './channels/email.js';
import { SinkSmsProvider, SmsChannel, type SmsProvider } from './channels/sms.js';
import type { NotifyConfig } from './config.js';
import { NotifyRepo } from './repo.js';
import { NotificationService } from './service.js';
import { TemplateStore } from './template-store.js';
import type { Template } from './templates.js';
import type { NotificationChannel } from './types.js';

export { NotificationService, type SendRequest, type SendResult, type DeliveryReport, type RetryPolicy, type SkipReason } from './service.js';
export { NotifyRepo, preferencesSchema, type ListQuery, type NotificationLogEntry, type NotificationOutcome, type NotifyTables } from './repo.js';
export { DEFAULT_TEMPLATES, render, renderTemplate, templateVariables, TemplateError, type Template, type TemplateVars } from './templates.js';
export { CHANNELS, ChannelError, type ChannelName, type NotificationChannel, type Preferences, type QuietHours, type Recipient } from './types.js';
export { WecomAppChannel, createAgentClient } from './channels/wecom.js';
export { EmailChannel } from './channels/email.js';
export { SmsChannel, SinkSmsProvider, type SmsProvider, type SmsMessage, type SmsOutboxEntry } from './channels/sms.js';
export { maskPhone, maskEmail, maskText, maskUrl } from './mask.js';
export { loadNotifyConfig, type NotifyConfig } from './config.js';
export * as notifyMigration from './migration.js';
export { TemplateStore, type StoredTemplate } from './template-store.js';
export { notifyRoutes } from './routes.js';

export type Notifications = {
  service: NotificationService;
  /** the demo SMS outbox (debug endpoint), when the sink provider is used */
  smsSink: SinkSmsProvider | null;
  /** admin-edited templates */
  store: TemplateStore;
  close(): void;
};

/** Wires the service from configuration (composition root). */
export function createNotifications(o: {
  db: Kysely<any>;
  config: NotifyConfig & { WECOM_API_BASE: string; WECOM_CORP_ID: string; WECOM_TIMEOUT_MS: number; KEFU_DATA_DIR: string };
  logger: Logger;
  clock?: Clock;
  templates?: Record<string, Template>;
  /** a real SMS provider (Aliyun, Tencent Cloud) instead of the sink */
  smsProvider?: SmsProvider;
}): Notifications {
  const c = o.config;
  const channels: NotificationChannel[] = [];
  if (c.WECOM_AGENT_ID && c.WECOM_AGENT_SECRET) {
    const client = createAgentClient({ baseUrl: c.WECOM_API_BASE, corpId: c.WECOM_CORP_ID, agentSecret: c.WECOM_AGENT_SECRET, timeoutMs: c.WECOM_TIMEOUT_MS, logger: o.logger });
    channels.push(new WecomAppChannel({ client, agentId: c.WECOM_AGENT_ID }));
  }
  const email = c.SMTP_URL ? new EmailChannel({ smtpUrl: c.SMTP_URL, from: c.SMTP_FROM }) : null;
  if (email) channels.push(email);
  const smsSink = !o.smsProvider && c.KEFU_SMS_PROVIDER === 'sink' ? new SinkSmsProvider({ file: join(c.KEFU_DATA_DIR, 'sms-outbox.jsonl') }) : null;
  const sms = o.smsProvider ?? smsSink;
  if (sms) channels.push(new SmsChannel(sms));
  const store = new TemplateStore(o.db);
  const service = new NotificationService({
    repo: new NotifyRepo(o.db),
    store,
    channels,
    logger: o.logger,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.templates ? { templates: o.templates } : {}),
    retry: { attempts: c.KEFU_NOTIFY_RETRY_ATTEMPTS, baseMs: c.KEFU_NOTIFY_RETRY_BASE_MS },
  });
  return { service, smsSink, store, close: () => email?.close() };
}
