/**
 * One notification service for every module (SLA warnings, escalations, supervisor alerts,
 * reports, journeys' fallbacks): render a template, pick the channels the recipient accepts,
 * deliver on each channel in parallel with retries, and log every attempt.
 *
 * Never silently dropped: each channel of each send ends in a `notification_log` row with
 * outcome sent, failed (after the retries, or at once for a permanent error) or skipped (with
 * the reason: opted out, muted, quiet hours, no address, channel not configured). Retries
 * are in-process with exponential backoff; a caller that must survive a restart (the
 * escalation scheduler) keeps its own durable job and reads the result of `send`.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { badRequest } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import { maskText } from './mask.js';
import { inQuietHours } from './quiet-hours.js';
import type { ListQuery, NotificationLogEntry, NotificationOutcome, NotifyRepo } from './repo.js';
import { DEFAULT_TEMPLATES, renderTemplate, stringifyVars, type Rendered, type Template, type TemplateVars } from './templates.js';
import { CHANNELS, ChannelError, type ChannelName, type NotificationChannel, type Preferences, type Recipient } from './types.js';

export type RetryPolicy = {
  /** total attempts per channel, including the first; default 4 */
  attempts?: number;
  /** first backoff in ms (×4 per attempt, ±20 % jitter); default 2000 → 2 s, 8 s, 32 s */
  baseMs?: number;
  /** cap per wait; default 60 000 */
  maxMs?: number;
};

export type NotificationServiceOptions = {
  repo: NotifyRepo;
  channels: NotificationChannel[];
  logger: Logger;
  clock?: Clock;
  /** templates by name, over DEFAULT_TEMPLATES (configuration) */
  templates?: Record<string, Template>;
  /** admin edits made in the UI, read per send; they win over `templates` */
  store?: { get(name: string): Promise<Template | null> };
  retry?: RetryPolicy;
  /** injectable so tests do not wait for the backoff */
  sleep?: (ms: number) => Promise<void>;
  /** zone in which dates in template variables are shown; default Asia/Shanghai */
  timeZone?: string;
};

export type SendRequest = {
  to: Recipient;
  template: string;
  vars: TemplateVars;
  /** channels this notification is meant for; default every configured channel */
  channels?: ChannelName[];
};

export type SkipReason = 'channel_not_configured' | 'opted_out' | 'muted' | 'quiet_hours' | 'no_address';

export type DeliveryReport = {
  channel: ChannelName;
  outcome: Exclude<NotificationOutcome, 'retry'>;
  attempts: number;
  /** masked address */
  address?: string;
  ref?: string;
  /** skip reason or last error */
  reason?: string;
};

export type SendResult = { notificationId: string; deliveries: DeliveryReport[] };

export class NotificationService {
  private readonly channels = new Map<ChannelName, NotificationChannel>();
  private readonly templates: Record<string, Template>;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly retry: Required<RetryPolicy>;

  constructor(private readonly o: NotificationServiceOptions) {
    for (const c of o.channels) this.channels.set(c.name, c);
    this.templates = { ...DEFAULT_TEMPLATES, ...o.templates };
    this.clock = o.clock ?? systemClock;
    this.log = o.logger.child({ mod: 'notify' });
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.retry = { attempts: 4, baseMs: 2000, maxMs: 60_000, ...o.retry };
  }

  templateNames(): string[] {
    return Object.keys(this.templates);
  }

  /** A template as the code (or configuration) defines it, before admin edits. */
  builtInTemplate(name: string): Template | undefined {
    return this.templates[name];
  }

  /**
   * Renders and delivers. Throws only for a caller's mistake (unknown template, missing
   * variables, unknown channel) — before anything is sent; channel failures are reported in
   * the result and the log, never thrown.
   */
  async send(req: SendRequest): Promise<SendResult> {
    const template = (await this.o.store?.get(req.template)) ?? this.templates[req.template];
    if (!template) throw badRequest('unknown_template', `unknown notification template: ${req.template}`);
    const wanted = req.channels ?? [...CHANNELS];
    const unknown = wanted.filter((c) => !(CHANNELS as readonly string[]).includes(c));
    if (unknown.length) throw badRequest('unknown_channel', `unknown notification channel: ${unknown.join(', ')}`);
    const zone = this.o.timeZone ?? 'Asia/Shanghai';
    const rendered = renderTemplate(template, req.vars, zone);
    const vars = stringifyVars(req.vars, zone);

    const prefs = req.to.preferences ?? (req.to.userId ? await this.o.repo.getPreferences(req.to.userId) : null) ?? {};
    const notificationId = newId('ntf');
    const now = this.clock.now();
    const deliveries = await Promise.all(
      [...new Set(wanted)].map((name) => {
        const channel = this.channels.get(name);
        const skip = this.skipReason(name, channel, req.to, prefs, rendered, now);
        const ctx = { notificationId, deliveryId: `${notificationId}-${name}`, template: req.template, to: req.to, channel: name };
        if (skip || !channel) return this.skipped(ctx, skip ?? 'channel_not_configured', rendered);
        return this.deliver(ctx, channel, channel.address(req.to)!, rendered, vars);
      }),
    );
    if (!deliveries.some((d) => d.outcome === 'sent')) {
      this.log.warn({ notificationId, template: req.template, outcomes: deliveries.map((d) => `${d.channel}:${d.outcome}:${d.reason ?? ''}`) }, 'notification reached no channel');
    }
    return { notificationId, deliveries };
  }

  /** What was sent (and tried, and skipped), oldest first unless asked otherwise. */
  list(q: ListQuery = {}): Promise<NotificationLogEntry[]> {
    return this.o.repo.list(q);
  }

  /** A user's stored preferences (none: every channel, no quiet hours). */
  async preferences(userId: string): Promise<Preferences> {
    return (await this.o.repo.getPreferences(userId)) ?? {};
  }

  setPreferences(userId: string, prefs: Preferences): Promise<Preferences> {
    return this.o.repo.setPreferences(userId, prefs, this.clock.now());
  }

  private skipReason(
    name: ChannelName,
    channel: NotificationChannel | undefined,
    to: Recipient,
    prefs: Preferences,
    r: Rendered,
    now: Date,
  ): SkipReason | null {
    if (!channel) return 'channel_not_configured';
    if (prefs.channels && !prefs.channels.includes(name)) return 'opted_out';
    if (prefs.muted && !r.urgent) return 'muted';
    // quiet hours: nothing that buzzes a phone unless urgent; e-mail waits in the inbox
    if (name !== 'email' && !r.urgent && inQuietHours(prefs.quietHours, now)) return 'quiet_hours';
    if (!channel.address(to)) return 'no_address';
    return null;
  }

  private async skipped(ctx: Ctx, reason: SkipReason, r: Rendered): Promise<DeliveryReport> {
    await this.write(ctx, { attempt: 0, outcome: 'skipped', address: null, r, error: reason });
    this.log.info({ notificationId: ctx.notificationId, channel: ctx.channel, template: ctx.template, reason }, 'notification skipped');
    return { channel: ctx.channel, outcome: 'skipped', attempts: 0, reason };
  }

  private async deliver(ctx: Ctx, channel: NotificationChannel, address: string, r: Rendered, vars: Record<string, string>): Promise<DeliveryReport> {
    const masked = channel.mask(address);
    const text = ctx.channel === 'sms' ? r.sms : r.body;
    const msg = { to: address, subject: r.subject, text, template: ctx.template, vars, deliveryId: ctx.deliveryId };
    let lastError = '';
    let made = 0;
    for (let attempt = 1; attempt <= this.retry.attempts; attempt++) {
      made = attempt;
      const fields = { notificationId: ctx.notificationId, channel: ctx.channel, template: ctx.template, to: masked, attempt };
      try {
        const res = await channel.send(msg);
        await this.write(ctx, { attempt, outcome: 'sent', address: masked, r, text, ref: res.ref ?? null });
        this.log.info(fields, 'notification sent');
        return { channel: ctx.channel, outcome: 'sent', attempts: attempt, address: masked, ...(res.ref ? { ref: res.ref } : {}) };
      } catch (e) {
        const permanent = e instanceof ChannelError && e.permanent;
        lastError = maskText(e instanceof Error ? e.message : String(e)).slice(0, 500);
        const final = permanent || attempt === this.retry.attempts;
        await this.write(ctx, { attempt, outcome: final ? 'failed' : 'retry', address: masked, r, text, error: lastError });
        this.log.warn({ ...fields, err: lastError, permanent, final }, final ? 'notification failed' : 'notification attempt failed, will retry');
        if (final) break;
        await this.sleep(this.backoff(attempt));
      }
    }
    return { channel: ctx.channel, outcome: 'failed', attempts: made, address: masked, reason: lastError };
  }

  private backoff(attempt: number): number {
    const base = Math.min(this.retry.maxMs, this.retry.baseMs * 4 ** (attempt - 1));
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  private async write(
    ctx: Ctx,
    e: { attempt: number; outcome: NotificationOutcome; address: string | null; r: Rendered; text?: string; error?: string; ref?: string | null },
  ): Promise<void> {
    await this.o.repo.insertLog({
      id: newId('nlg'),
      notification_id: ctx.notificationId,
      delivery_id: ctx.deliveryId,
      channel: ctx.channel,
      template: ctx.template,
      recipient_user_id: ctx.to.userId ?? null,
      address_masked: e.address,
      attempt: e.attempt,
      outcome: e.outcome,
      // what was said, with any phone number / e-mail inside the text masked
      subject: maskText(e.r.subject),
      body: maskText(e.text ?? e.r.body),
      error: e.error ?? null,
      provider_ref: e.ref ?? null,
      created_at: this.clock.now().toISOString(),
    });
  }
}

type Ctx = { notificationId: string; deliveryId: string; template: string; to: Recipient; channel: ChannelName };
