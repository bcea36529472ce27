import { z } from 'zod';
import type { AppInstance } from '../../http/app.js';
import type { VisitorTokens } from './visitors.js';

export function widgetRoutes(app: AppInstance, visitors: VisitorTokens) {
  app.post('/api/widget/visitors', {
    schema: {
      tags: ['widget'],
      summary: 'Create an anonymous website visitor identity (kept by the widget in localStorage)',
      body: z.strictObject({}).optional(),
      response: { 201: z.object({ visitor_id: z.string(), visitor_token: z.string() }) },
    },
  }, async (_req, reply) => reply.status(201).send(visitors.issue()));
}
