/**
 * SMS through a provider interface. Real providers (Aliyun 短信服务, Tencent Cloud SMS) send
 * registered templates with parameters, hence `template` + `vars` next to the text; they
 * implement `SmsProvider` and nothing else changes. The demo uses the sink below.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { maskPhone } from '../mask.js';
import { ChannelError, type ChannelMessage, type ChannelResult, type NotificationChannel, type Recipient } from '../types.js';

export type SmsMessage = { phone: string; text: string; template: string; vars: Record<string, string>; deliveryId: string };

export interface SmsProvider {
  readonly name: string;
  /** throws ChannelError (permanent for a rejected number/template) on failure */
  send(msg: SmsMessage): Promise<{ ref?: string }>;
}

/** mainland mobile (11 digits, optional +86) or an E.164 number */
const PHONE_RE = /^(?:(?:\+?86)?1[3-9]\d{9}|\+[1-9]\d{6,14})$/;
export const normalizePhone = (p: string) => p.replace(/[\s-]/g, '');

export class SmsChannel implements NotificationChannel {
  readonly name = 'sms' as const;
  constructor(private readonly provider: SmsProvider) {}

  address(r: Recipient): string | undefined {
    const p = r.phone ? normalizePhone(r.phone) : '';
    return PHONE_RE.test(p) ? p : undefined;
  }

  mask(address: string): string {
    return maskPhone(address);
  }

  send(msg: ChannelMessage): Promise<ChannelResult> {
    return this.provider.send({ phone: msg.to, text: msg.text, template: msg.template, vars: msg.vars, deliveryId: msg.deliveryId });
  }
}

export type SmsOutboxEntry = { id: string; at: string; phone: string; text: string; template: string };

/**
 * The demo's "phone": keeps the last messages in memory (for a debug endpoint) and, with
 * `file`, appends them as JSON lines. Numbers are stored masked: the outbox is for showing
 * that an SMS went out, not a copy of the address book.
 */
export class SinkSmsProvider implements SmsProvider {
  readonly name = 'sink';
  private readonly entries: SmsOutboxEntry[] = [];
  private seq = 0;

  constructor(private readonly o: { file?: string; keep?: number; now?: () => Date } = {}) {}

  async send(msg: SmsMessage): Promise<{ ref?: string }> {
    if (!msg.text.trim()) throw new ChannelError('empty SMS text', true, 'sms_empty');
    const entry: SmsOutboxEntry = {
      id: `sink-${++this.seq}`,
      at: (this.o.now?.() ?? new Date()).toISOString(),
      phone: maskPhone(msg.phone),
      text: msg.text,
      template: msg.template,
    };
    if (this.o.file) {
      await mkdir(dirname(this.o.file), { recursive: true });
      await appendFile(this.o.file, `${JSON.stringify(entry)}\n`, 'utf8');
    }
    this.entries.push(entry);
    if (this.entries.length > (this.o.keep ?? 500)) this.entries.shift();
    return { ref: entry.id };
  }

  /** newest last */
  outbox(): readonly SmsOutboxEntry[] {
    return this.entries;
  }
}
