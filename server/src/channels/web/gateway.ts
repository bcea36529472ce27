import type { Server } from 'socket.io';
import { z } from 'zod';
import type { ChannelAdapter } from '../../core/channel.js';
import type { Logger } from '../../core/logger.js';
import type { Message } from '../../core/message.js';
import type { HubService } from '../../hub/index.js';
import { AppError } from '../../core/errors.js';
import type { VisitorTokens } from './visitors.js';

export const WIDGET_NS = '/widget';
const room = (visitorId: string) => `visitor:${visitorId}`;
const TYPING_EVERY_MS = 2000;
const TYPING_RETRY_MS = 500;

const sendSchema = z.strictObject({
  text: z.string().trim().min(1).max(2000),
  client_msg_id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** set when the visitor clicked a menu item (the bot's clarification buttons) */
  menu_id: z.string().min(1).max(64).optional(),
});

/** the visitor leaves a message while no one answers: a ticket is filed */
const leaveMessageSchema = z.strictObject({
  text: z.string().trim().min(1, '留言内容不能为空').max(2000),
  contact: z.string().trim().max(100).optional(),
});
export type LeaveMessageHandler = (visitorId: string, m: { text: string; contact?: string }) => Promise<{ number: string }>;

type Ack = (r: unknown) => void;

/**
 * The website widget channel: visitors talk over Socket.IO namespace /widget; their messages
 * enter the hub like any other channel's, and agents' replies come back to every open tab.
 */
export function attachWidgetGateway(io: Server, deps: {
  hub: HubService; visitors: VisitorTokens; log: Logger; onLeaveMessage?: LeaveMessageHandler;
  /** the bot's welcome, shown to a visitor who has no conversation yet */
  welcomeText?: () => Promise<string>;
  /** the visitor is typing (agents see 「对方正在输入…」); false when there was nobody to tell (no conversation yet) */
  onTyping?: (visitorId: string) => Promise<boolean>;
}): ChannelAdapter {
  const { hub, visitors, log } = deps;
  const ns = io.of(WIDGET_NS);
  ns.use((socket, next) => {
    const a = socket.handshake.auth as { visitor_id?: unknown; visitor_token?: unknown };
    if (!visitors.verify(a?.visitor_id, a?.visitor_token)) return next(new Error('unauthorized'));
    socket.data.visitorId = a.visitor_id;
    next();
  });

  ns.on('connection', (socket) => {
    const visitorId: string = socket.data.visitorId;
    socket.join(room(visitorId));

    socket.on('history', async (_arg: unknown, ack?: Ack) => {
      const cb = typeof _arg === 'function' ? (_arg as Ack) : ack;
      if (!cb) return;
      try {
        const conv = await hub.conversationOf('web', 'web', visitorId);
        if (!conv) {
          // a visitor's conversation starts: the widget shows the bot's welcome as its first bubble
          const welcome = deps.welcomeText ? await deps.welcomeText().catch(() => undefined) : undefined;
          return cb({ ok: true, messages: [], ...(welcome ? { welcome } : {}) });
        }
        const items = await hub.listMessages(conv.id, { limit: 100 });
        cb({ ok: true, messages: items.filter(visibleToVisitor) });
      } catch (e) {
        log.error({ err: e }, 'widget history failed');
        cb({ ok: false, error: { code: 'internal', message: '加载失败，请稍后重试' } });
      }
    });

    socket.on('send', async (arg: unknown, ack?: Ack) => {
      const cb = ack ?? (() => {});
      const parsed = sendSchema.safeParse(arg);
      if (!parsed.success) return cb({ ok: false, error: { code: 'validation_error', message: parsed.error.issues.map((i) => i.message).join('; ') } });
      try {
        const r = await hub.ingest({
          channel: 'web',
          channel_account: 'web',
          external_id: visitorId,
          dedupe_key: `web:${visitorId}:${parsed.data.client_msg_id}`,
          content: { type: 'text', text: parsed.data.text, ...(parsed.data.menu_id ? { menu_id: parsed.data.menu_id } : {}) },
        });
        const message = { ...r.message, client_msg_id: parsed.data.client_msg_id };
        cb({ ok: true, message });
        // the visitor's other tabs see it too
        socket.to(room(visitorId)).emit('message', { message });
      } catch (e) {
        log.error({ err: e }, 'widget send failed');
        cb({ ok: false, error: { code: e instanceof AppError ? e.code : 'internal', message: '发送失败，请重试' } });
      }
    });

    // the widget signals while the visitor types; one forwarded signal per TYPING_EVERY_MS per tab is
    // plenty. A signal before the first message has no conversation to go to: the next one may try
    // again after TYPING_RETRY_MS (bounded, as each try looks the conversation up)
    let lastTyping = 0;
    socket.on('typing', () => {
      const now = Date.now();
      if (!deps.onTyping || now - lastTyping < TYPING_EVERY_MS) return;
      lastTyping = now;
      deps.onTyping(visitorId).then(
        (forwarded) => {
          if (!forwarded) lastTyping = now - TYPING_EVERY_MS + TYPING_RETRY_MS;
        },
        (err) => log.warn({ err }, 'widget typing signal failed'),
      );
    });

    socket.on('leave_message', async (arg: unknown, ack?: Ack) => {
      const cb = ack ?? (() => {});
      const parsed = leaveMessageSchema.safeParse(arg);
      if (!parsed.success) return cb({ ok: false, error: { code: 'validation_error', message: parsed.error.issues.map((i) => i.message).join('; ') } });
      if (!deps.onLeaveMessage) return cb({ ok: false, error: { code: 'unavailable', message: '暂不支持留言' } });
      try {
        const t = await deps.onLeaveMessage(visitorId, parsed.data);
        cb({ ok: true, ticket: { number: t.number } });
      } catch (e) {
        log.error({ err: e }, 'widget leave_message failed');
        cb({ ok: false, error: { code: e instanceof AppError ? e.code : 'internal', message: '留言失败，请重试' } });
      }
    });
  });

  return {
    channel: 'web',
    async send(ctx) {
      ns.to(room(ctx.external_id)).emit('message', { message: { ...ctx.message, status: 'sent' } });
      return { ok: true };
    },
  };
}

function visibleToVisitor(m: Message): boolean {
  return m.direction !== 'system' && m.sender_type !== 'system';
}
