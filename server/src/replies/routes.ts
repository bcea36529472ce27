import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { AppError, forbidden, notFound } from '../core/errors.js';
import type { HubService } from '../hub/index.js';
import type { BotModel, KnowledgeSnapshot } from '../bot/engine/types.js';
import { pickAnswer } from '../bot/engine/index.js';
import { HOTKEYS, SCOPES, type QuickReplies, type Scope } from './service.js';

const replySchema = z.object({ id: z.string(), scope: z.enum(SCOPES), hotkey: z.string(), title: z.string(), text: z.string(), updated_at: z.string() });
const suggestionSchema = z.object({ faq_id: z.string(), question: z.string(), score: z.number(), text: z.string() });

/** What helps an agent write: quick replies on F1–F12 and knowledge suggestions for the conversation. */
export function replyRoutes(app: AppInstance, deps: {
  auth: AuthService; hub: HubService; replies: QuickReplies;
  published: () => Promise<{ model: BotModel; snapshot: KnowledgeSnapshot } | null>;
  /** the routing team of an agent (team templates) */
  teamIdOf: (userId: string) => Promise<string | null>;
}) {
  const auth = requireUser(deps.auth);
  const security = [{ bearer: [] }];
  const hotkey = z.enum(HOTKEYS);
  const scope = z.enum(SCOPES).default('user');
  const canShare = (role: string) => ['admin', 'supervisor'].includes(role);
  /** the owner a scope means for this user; shared and team templates are for supervisors to set */
  const ownerOf = async (user: { id: string; role: string }, s: Scope): Promise<string> => {
    if (s === 'user') return user.id;
    if (!canShare(user.role)) throw forbidden(s === 'team' ? '只有主管或管理员可以修改团队快捷回复' : '只有主管或管理员可以修改共享快捷回复');
    if (s === 'shared') return 'all';
    const team = await deps.teamIdOf(user.id);
    if (!team) throw new AppError(409, 'no_team', '您不属于任何团队，无法设置团队快捷回复');
    return team;
  };

  app.get('/api/quick-replies', {
    preHandler: auth,
    schema: { tags: ['replies'], summary: 'The quick replies the current agent has on F1–F12 (own over team over shared)', security, response: { 200: z.object({ items: z.array(replySchema) }) } },
  }, async (req) => ({ items: await deps.replies.effective(req.user!.id, await deps.teamIdOf(req.user!.id)) }));

  app.get('/api/quick-replies/layers', {
    preHandler: auth,
    schema: { tags: ['replies'], summary: 'Every template that applies to the current agent, per scope (for the editor)', security, response: { 200: z.object({ items: z.array(replySchema), team_id: z.string().nullable() }) } },
  }, async (req) => {
    const teamId = await deps.teamIdOf(req.user!.id);
    return { items: await deps.replies.layers(req.user!.id, teamId), team_id: teamId };
  });

  app.put('/api/quick-replies/:hotkey', {
    preHandler: auth,
    schema: {
      tags: ['replies'], summary: 'Set the template on a hotkey, for yourself or (supervisors) for your team or everybody', security,
      params: z.object({ hotkey }),
      body: z.strictObject({ title: z.string().trim().min(1).max(40), text: z.string().trim().min(1).max(2000), scope }),
      response: { 200: replySchema },
    },
  }, async (req) => deps.replies.put(req.body.scope, await ownerOf(req.user!, req.body.scope), req.params.hotkey, req.body.title, req.body.text));

  app.delete('/api/quick-replies/:hotkey', {
    preHandler: auth,
    schema: { tags: ['replies'], summary: 'Remove a template from a hotkey', security, params: z.object({ hotkey }), querystring: z.strictObject({ scope }) },
  }, async (req, reply) => {
    const removed = await deps.replies.remove(req.query.scope, await ownerOf(req.user!, req.query.scope), req.params.hotkey);
    if (!removed) throw notFound('quick reply');
    return reply.status(204).send();
  });

  app.get('/api/conversations/:id/suggestions', {
    preHandler: auth,
    schema: {
      tags: ['replies'], summary: 'Knowledge suggestions for the customer\'s latest question (answers in the variant for their tier and channel)', security,
      params: z.object({ id: z.string().max(64) }),
      response: { 200: z.object({ question: z.string().nullable(), items: z.array(suggestionSchema) }) },
    },
  }, async (req) => {
    const conversation = await deps.hub.getConversation(req.params.id);
    if (!conversation) throw notFound('conversation');
    const recent = await deps.hub.listMessages(conversation.id, { limit: 30 });
    const last = [...recent].reverse().find((m) => m.direction === 'in' && m.content.type === 'text');
    const published = await deps.published();
    if (!last || last.content.type !== 'text' || !published) return { question: null, items: [] };
    const analysis = published.model.analyze(last.content.text);
    const faqs = new Map(published.snapshot.faqs.map((f) => [f.id, f]));
    const items = analysis.faqs.slice(0, 3).flatMap((s) => {
      const faq = faqs.get(s.faq_id);
      const answer = faq && pickAnswer(faq, { tier: conversation.customer.tier, channel: conversation.channel });
      const text = answer?.content.type === 'text' ? answer.content.text : answer?.content.type === 'link' ? `${answer.content.title} ${answer.content.url}` : null;
      return faq && text && s.score >= 0.2 ? [{ faq_id: faq.id, question: faq.question, score: s.score, text }] : [];
    });
    return { question: last.content.text, items };
  });
}
