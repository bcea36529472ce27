/** Shapes shared by the notification service and its channels. */

export const CHANNELS = ['wecom', 'email', 'sms'] as const;
export type ChannelName = (typeof CHANNELS)[number];

export type QuietHours = {
  /** 'HH:MM' local time; a range may wrap midnight (22:00–08:00) */
  start: string;
  end: string;
  /** IANA zone of the recipient; default Asia/Shanghai */
  timeZone?: string;
};

/** What a user chose; absent fields mean "no restriction". */
export type Preferences = {
  /** channels the user accepts; default all channels for which they have an address */
  channels?: ChannelName[];
  /** mute everything that is not urgent */
  muted?: boolean;
  /** during these hours non-urgent notifications go by e-mail only (no SMS, no WeCom ping) */
  quietHours?: QuietHours | null;
};

export type Recipient = {
  /** kefu user id: the key for stored preferences and for `list({ to })` */
  userId?: string;
  name?: string;
  /** WeCom member UserID (touser of message/send) */
  wecomUserId?: string;
  email?: string;
  phone?: string;
  /** overrides the stored preferences for this send */
  preferences?: Preferences;
};

/** One rendered message on its way to one address over one channel. */
export type ChannelMessage = {
  /** the channel's address: WeCom UserID, e-mail, phone number */
  to: string;
  subject: string;
  text: string;
  /** template name and variables, for providers that need registered templates (Chinese SMS) */
  template: string;
  vars: Record<string, string>;
  /** stable per (notification, channel): lets a channel dedupe its own retries */
  deliveryId: string;
};

export type ChannelResult = { ref?: string };

export interface NotificationChannel {
  readonly name: ChannelName;
  /** the recipient's address on this channel, if any */
  address(r: Recipient): string | undefined;
  /** the address as it may appear in logs */
  mask(address: string): string;
  /** throws on failure; a ChannelError with permanent=true stops the retries */
  send(msg: ChannelMessage): Promise<ChannelResult>;
}

/** A failed send. `permanent` failures (unknown user, rejected address) are not retried. */
export class ChannelError extends Error {
  constructor(
    message: string,
    readonly permanent = false,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ChannelError';
  }
}
