/**
 * E-mail through any SMTP server (nodemailer; SMTP_URL such as smtp://127.0.0.1:2525 or
 * smtps://user:pass@smtp.exmail.qq.com:465). Plain text, UTF-8: nodemailer encodes the
 * Chinese subject (RFC 2047) and body itself.
 * A 5xx answer (mailbox unknown, relay denied) is permanent; 4xx and connection errors are
 * worth retrying.
 */
import nodemailer from 'nodemailer';
import { maskEmail } from '../mask.js';
import { ChannelError, type ChannelMessage, type ChannelResult, type NotificationChannel, type Recipient } from '../types.js';

export type EmailChannelOptions = {
  smtpUrl: string;
  /** e.g. "kefu 客服系统 <noreply@example.com>" */
  from: string;
  /** ms; nodemailer's defaults are minutes */
  timeoutMs?: number;
};

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class EmailChannel implements NotificationChannel {
  readonly name = 'email' as const;
  private readonly transport: nodemailer.Transporter;

  constructor(private readonly o: EmailChannelOptions) {
    const t = o.timeoutMs ?? 10_000;
    const url = new URL(o.smtpUrl);
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 25),
      secure: url.protocol === 'smtps:',
      ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
      // a local/self-signed server (the demo) may offer STARTTLS with a certificate we cannot check
      ...(['127.0.0.1', 'localhost', '::1'].includes(url.hostname) ? { ignoreTLS: true } : {}),
      connectionTimeout: t,
      greetingTimeout: t,
      socketTimeout: t,
    });
  }

  address(r: Recipient): string | undefined {
    return r.email && EMAIL_RE.test(r.email) ? r.email : undefined;
  }

  mask(address: string): string {
    return maskEmail(address);
  }

  async send(msg: ChannelMessage): Promise<ChannelResult> {
    try {
      const info = await this.transport.sendMail({
        from: this.o.from,
        to: msg.to,
        subject: msg.subject,
        text: msg.text,
        headers: { 'X-Kefu-Delivery': msg.deliveryId },
      });
      if (info.rejected?.length) throw new ChannelError('SMTP server rejected the recipient', true, 'smtp_rejected');
      return { ref: info.messageId };
    } catch (e) {
      if (e instanceof ChannelError) throw e;
      const err = e as { responseCode?: number; code?: string; message?: string };
      const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
      // nodemailer messages may quote the recipient; keep only the codes
      throw new ChannelError(`SMTP send failed: ${err.code ?? 'error'}${err.responseCode ? ` ${err.responseCode}` : ''}`, permanent, 'smtp');
    }
  }

  close(): void {
    this.transport.close();
  }
}
