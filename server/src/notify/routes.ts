import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import type { Clock } from '../core/clock.js';
import { badRequest, forbidden, notFound } from '../core/errors.js';
import { CHANNELS } from './types.js';
import { preferencesSchema } from './repo.js';
import type { NotificationService } from './service.js';
import type { TemplateStore } from './template-store.js';
import { templateVariables, type Template } from './templates.js';

const ADMINS = ['admin', 'supervisor'];
const tags = ['notifications'];
const security = [{ bearer: [] }];

/** Example values for the template editor's preview. */
const SAMPLE: Record<string, string> = {
  ticketNo: 'T20261124-0007', title: '面霜过敏，要求退货', target: '首次响应', dueAt: '2026-11-24 16:00', remaining: '30 分钟',
  link: 'https://kefu.example.cn/tickets/t1', level: '2', assignee: '李客服', department: '售后部', overdue: '8 小时',
  summary: 'VIP 客户等待超过 5 分钟', detail: '客户：张女士（VIP）', at: '2026-11-24 10:05', period: '日', name: '张女士',
};

const templateBody = z.strictObject({
  subject: z.string().trim().min(1, '标题不能为空').max(200),
  body: z.string().trim().min(1, '正文不能为空').max(4000),
  sms: z.string().trim().max(300).optional(),
  urgent: z.boolean().default(false),
});

/** Templates (admins), my own preferences, and the log of what was sent. */
export function notifyRoutes(app: AppInstance, deps: { auth: AuthService; notify: NotificationService; store: TemplateStore; clock: Clock }) {
  const { notify, store } = deps;
  const auth = requireUser(deps.auth);
  const admin = (role: string) => {
    if (!ADMINS.includes(role)) throw forbidden('只有管理员或主管可以管理通知模板');
  };
  const builtIn = (name: string): Template => {
    const t = notify.builtInTemplate(name);
    if (!t) throw notFound('template');
    return t;
  };

  app.get('/api/notifications/templates', { preHandler: auth, schema: { tags, security, summary: 'Notification templates: the built-in text, the admin\'s edit if any, the variables each may use and sample values' } }, async (req) => {
    admin(req.user!.role);
    const edits = new Map((await store.list()).map((t) => [t.name, t]));
    return {
      sample: SAMPLE,
      items: notify.templateNames().map((name) => {
        const t = builtIn(name);
        const e = edits.get(name);
        return { name, variables: templateVariables(t), default: t, override: e ? { subject: e.subject, body: e.body, sms: e.sms ?? null, urgent: !!e.urgent } : null, updated_at: e?.updated_at ?? null, updated_by: e?.updated_by ?? null };
      }),
    };
  });

  app.put('/api/notifications/templates/:name', {
    preHandler: auth,
    schema: { tags, security, summary: 'Edit a template (400 unknown_variables when it uses a variable its sender does not provide)', params: z.object({ name: z.string().max(64) }), body: templateBody },
  }, async (req) => {
    admin(req.user!.role);
    const allowed = new Set(templateVariables(builtIn(req.params.name)));
    // a variable the sender does not pass would fail every send of this template
    const details = (['subject', 'body', 'sms'] as const).flatMap((field) => {
      const unknown = templateVariables({ subject: req.body[field] ?? '', body: '' }).filter((v) => !allowed.has(v));
      return unknown.length ? [{ path: `/${field}`, message: `不可用的变量：${unknown.map((v) => `{{${v}}}`).join(' ')}（可用：${[...allowed].map((v) => `{{${v}}}`).join(' ')}）` }] : [];
    });
    if (details.length) throw badRequest('unknown_variables', details.map((d) => d.message).join('；'), details);
    const { sms, ...rest } = req.body;
    await store.set(req.params.name, { ...rest, ...(sms ? { sms } : {}) }, req.user!.id, deps.clock.now());
    return { ok: true };
  });

  app.delete('/api/notifications/templates/:name', { preHandler: auth, schema: { tags, security, summary: 'Back to the built-in text', params: z.object({ name: z.string().max(64) }) } }, async (req, reply) => {
    admin(req.user!.role);
    builtIn(req.params.name);
    await store.remove(req.params.name);
    return reply.status(204).send();
  });

  app.get('/api/notifications/preferences', { preHandler: auth, schema: { tags, security, summary: 'My notification preferences (channels, mute, quiet hours)' } }, async (req) => notify.preferences(req.user!.id));

  app.put('/api/notifications/preferences', { preHandler: auth, schema: { tags, security, summary: 'Set my notification preferences', body: preferencesSchema.strict() } }, async (req) =>
    notify.setPreferences(req.user!.id, req.body));

  app.get('/api/notifications/log', {
    preHandler: auth,
    schema: {
      tags, security, summary: 'What was sent, tried and skipped, newest first, one row per attempt (admins see everyone\'s, others their own)',
      querystring: z.object({
        channel: z.enum(CHANNELS).optional(),
        outcome: z.enum(['sent', 'retry', 'failed', 'skipped']).optional(),
        to: z.string().max(64).optional(),
        since: z.iso.datetime({ offset: true }).optional(),
        limit: z.coerce.number().int().min(1).max(1000).default(300),
      }),
    },
  }, async (req) => {
    const q = req.query;
    const to = ADMINS.includes(req.user!.role) ? q.to : req.user!.id;
    return { items: await notify.list({ order: 'desc', limit: q.limit, ...(q.channel ? { channel: q.channel } : {}), ...(q.outcome ? { outcome: q.outcome } : {}), ...(to ? { to } : {}), ...(q.since ? { since: new Date(q.since) } : {}) }) };
  });
}
