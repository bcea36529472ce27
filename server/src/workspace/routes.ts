import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import type { HubService } from '../hub/index.js';
import type { MediaStore } from '../media/store.js';
import type { MessageContent } from '../core/message.js';
import { notFound } from '../core/errors.js';
import { filterOf, listFilterQuery, ttlMemo, viewsFor, VIEWS, type TeamOf } from './views.js';

/** see ttlMemo: shorter than the web page's 500 ms wait after an event */
const COUNTS_TTL_MS = 300;
const TEAM_TTL_MS = 5000;

const mediaRef = z.object({ media_id: z.string().optional(), mime: z.string().optional(), size: z.number().optional(), filename: z.string().optional(), error: z.string().optional() });
const messageSchema = z.object({
  id: z.string(),
  conversation_id: z.string(),
  direction: z.enum(['in', 'out', 'system']),
  sender_type: z.enum(['customer', 'agent', 'bot', 'system', 'servicer']),
  sender_id: z.string().nullable(),
  content: z.looseObject({ type: z.string(), media: mediaRef.optional() }),
  status: z.enum(['received', 'pending', 'sent', 'failed']),
  fail_code: z.string().nullable(),
  fail_reason: z.string().nullable(),
  client_msg_id: z.string().nullable(),
  created_at: z.string(),
});
const conversationSchema = z.object({
  id: z.string(),
  customer_id: z.string(),
  channel: z.enum(['wecom_kf', 'web']),
  channel_account: z.string(),
  status: z.enum(['bot', 'queued', 'assigned', 'closed']),
  assignee_id: z.string().nullable(),
  service_state: z.number().nullable(),
  last_message_at: z.string(),
  last_message_preview: z.string().nullable(),
  unread_count: z.number(),
  created_at: z.string(),
  closed_at: z.string().nullable(),
  priority: z.number(),
  handoff: z.object({
    reason: z.string(), reason_text: z.string(), summary: z.string(),
    intent: z.object({ id: z.string(), name: z.string(), confidence: z.number(), category: z.string().nullish(), skill: z.string().nullish() }).nullable(),
    urgent: z.boolean(), at: z.string(),
  }).nullable(),
  customer: z.object({ id: z.string(), display_name: z.string(), avatar_url: z.string().nullable(), tier: z.string() }),
});
const errorSchema = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }) });
const idParams = z.object({ id: z.string().min(1).max(64) });
const clientMsgId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'client_msg_id: 1–64 letters, digits, _ or -');
const mediaIdRef = z.strictObject({ media_id: z.string().regex(/^f[0-9a-z]{21}$/, 'not a media id') });
const menuItem = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('click'), id: z.string().min(1).max(64), content: z.string().min(1).max(128) }),
  z.strictObject({ type: z.literal('view'), url: z.url(), content: z.string().min(1).max(1024) }),
  z.strictObject({ type: z.literal('miniprogram'), appid: z.string().min(1).max(32), pagepath: z.string().min(1).max(1024), content: z.string().min(1).max(1024) }),
]);
/** What an agent may send besides plain text (the channel checks its own byte limits too). */
const outboundContent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text'), text: z.string().trim().min(1).max(2000) }),
  z.strictObject({ type: z.literal('image'), media: mediaIdRef }),
  z.strictObject({ type: z.literal('link'), title: z.string().min(1).max(128), desc: z.string().max(512).optional(), url: z.url(), pic_url: z.url().optional(), thumb: mediaIdRef.optional() }),
  z.strictObject({ type: z.literal('miniprogram'), title: z.string().min(1).max(64), appid: z.string().min(1).max(32), pagepath: z.string().min(1).max(1024), thumb: mediaIdRef.optional() }),
  z.strictObject({ type: z.literal('menu'), head: z.string().max(1024).optional(), items: z.array(menuItem).min(1).max(10), tail: z.string().max(1024).optional() }),
]);
type OutboundBody = z.infer<typeof outboundContent>;

/** The agent API: conversations, their messages, replies. */
export function workspaceRoutes(app: AppInstance, deps: { auth: AuthService; hub: HubService; media: MediaStore; teamOf: TeamOf }) {
  const { hub, media } = deps;

  /** Completes media references (mime, size, name) from the store. */
  const resolveContent = async (c: OutboundBody): Promise<MessageContent> => {
    switch (c.type) {
      case 'image':
        return { type: 'image', media: await media.describe(c.media.media_id) };
      case 'link':
      case 'miniprogram':
        return c.thumb ? { ...c, thumb: await media.describe(c.thumb.media_id) } : (c as MessageContent);
      default:
        return c;
    }
  };
  const auth = requireUser(deps.auth);
  const security = [{ bearer: [] }];
  const counts = ttlMemo<{ total: number; unread: number }>(COUNTS_TTL_MS);
  // team membership changes rarely (an admin edits it); the tab counts ask on every event
  const teamMemo = ttlMemo<string[]>(TEAM_TTL_MS);
  const teamOf: TeamOf = (userId) => teamMemo(userId, () => deps.teamOf(userId));

  app.get('/api/conversations', {
    preHandler: auth,
    schema: {
      tags: ['conversations'], summary: 'List conversations, newest activity first', security,
      description: '`view` picks a workspace tab (mine, queue, team = my team\'s and the queue, all = supervisors/admins); `channel`, `tier` and `q` (customer name or message text) narrow it.',
      querystring: z.strictObject({
        status: z.enum(['open', 'closed', 'all']).default('open'),
        view: z.enum(VIEWS).optional(),
        ...listFilterQuery,
        limit: z.coerce.number().int().min(1).max(200).default(100),
        before: z.string().optional().describe('last_message_at of the last item of the previous page'),
      }),
      response: { 200: z.object({ items: z.array(conversationSchema) }), 403: errorSchema },
    },
  }, async (req) => {
    const { status, view, limit, before, ...extra } = req.query;
    const filter = await filterOf(view, req.user!, teamOf, extra);
    return { items: await hub.listConversations({ ...filter, scope: view ? 'open' : status, limit, before }) };
  });

  app.get('/api/conversations/counts', {
    preHandler: auth,
    schema: {
      tags: ['conversations'], summary: 'Open conversations and unread customer messages per workspace tab the user may see', security,
      response: { 200: z.object({ views: z.record(z.string(), z.object({ total: z.number(), unread: z.number() })) }) },
    },
  }, async (req) => {
    const views: Record<string, { total: number; unread: number }> = {};
    for (const v of viewsFor(req.user!.role)) {
      const filter = await filterOf(v, req.user!, teamOf, {});
      views[v] = await counts(JSON.stringify(filter), () => hub.countConversations(filter));
    }
    return { views };
  });

  app.get('/api/conversations/:id', {
    preHandler: auth,
    schema: { tags: ['conversations'], summary: 'One conversation', security, params: idParams, response: { 200: conversationSchema, 404: errorSchema } },
  }, async (req) => {
    const c = await hub.getConversation(req.params.id);
    if (!c) throw notFound('conversation');
    return c;
  });

  app.get('/api/conversations/:id/messages', {
    preHandler: auth,
    schema: {
      tags: ['conversations'], summary: 'Messages of a conversation, oldest first', security, params: idParams,
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100), before: z.string().optional() }),
      response: { 200: z.object({ items: z.array(messageSchema) }), 404: errorSchema },
    },
  }, async (req) => {
    if (!(await hub.getConversation(req.params.id))) throw notFound('conversation');
    return { items: await hub.listMessages(req.params.id, req.query) };
  });

  app.post('/api/conversations/:id/messages', {
    preHandler: auth,
    schema: {
      tags: ['conversations'],
      summary: 'Reply to the customer through the conversation\'s channel',
      description: 'Send `{text, client_msg_id}` or `{content, client_msg_id}` (image, link, miniprogram, menu; upload images with POST /api/media first). The same `client_msg_id` sent twice sends once and returns the first message. A send the channel refuses (e.g. WeCom\'s 48 h / 5-message window) answers 422 with the stored failed message and its reason.',
      security, params: idParams,
      body: z.union([
        z.strictObject({ text: z.string().trim().min(1, 'text must not be empty').max(2000), client_msg_id: clientMsgId }),
        z.strictObject({ content: outboundContent, client_msg_id: clientMsgId }),
      ]),
      response: { 201: z.object({ message: messageSchema }), 200: z.object({ message: messageSchema }), 422: errorSchema.extend({ message: messageSchema }), 404: errorSchema, 409: errorSchema },
    },
  }, async (req, reply) => {
    const r = await hub.send({
      conversation_id: req.params.id,
      sender: { type: 'agent', id: req.user!.id },
      content: 'text' in req.body ? { type: 'text', text: req.body.text } : await resolveContent(req.body.content),
      client_msg_id: req.body.client_msg_id,
    });
    if (r.message.status === 'failed') {
      return reply.status(422).send({ error: { code: r.message.fail_code ?? 'send_failed', message: r.message.fail_reason ?? '发送失败' }, message: r.message });
    }
    return reply.status(r.duplicate ? 200 : 201).send({ message: r.message });
  });

  app.post('/api/conversations/:id/read', {
    preHandler: auth,
    schema: { tags: ['conversations'], summary: 'Mark a conversation as read', security, params: idParams, response: { 200: conversationSchema, 404: errorSchema } },
  }, async (req) => hub.markRead(req.params.id));

  app.post('/api/conversations/:id/close', {
    preHandler: auth,
    schema: { tags: ['conversations'], summary: 'End a conversation (WeCom: service_state → 4)', security, params: idParams, response: { 200: conversationSchema, 404: errorSchema } },
  }, async (req) => hub.close(req.params.id));
}

export { messageSchema, conversationSchema, errorSchema };
