import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { forbidden } from '../core/errors.js';
import { botSettingsSchema, type BotSettingsStore } from './settings.js';

/** Bot settings: thresholds, hand-off triggers, human hours, soothing messages. */
export function botRoutes(app: AppInstance, deps: { auth: AuthService; settings: BotSettingsStore }) {
  const auth = requireUser(deps.auth);
  const security = [{ bearer: [] }];
  app.get('/api/bot/settings', { preHandler: auth, schema: { tags: ['bot'], summary: 'Bot settings', security, response: { 200: botSettingsSchema } } }, async () => deps.settings.get());
  app.put('/api/bot/settings', {
    preHandler: auth,
    schema: { tags: ['bot'], summary: 'Replace the bot settings (admin, supervisor, trainer)', security, body: botSettingsSchema, response: { 200: botSettingsSchema } },
  }, async (req) => {
    if (!['admin', 'supervisor', 'trainer'].includes(req.user!.role)) throw forbidden('只有管理员、主管或训练师可以修改机器人设置');
    return deps.settings.put(req.body);
  });
}
