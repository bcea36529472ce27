import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { forbidden } from '../core/errors.js';
import { errorSchema } from '../workspace/routes.js';
import { BROADCAST_STREAM, userStream } from './gateway.js';
import type { EventLog } from './log.js';

const eventSchema = z.object({ seq: z.number(), type: z.string(), payload: z.unknown(), created_at: z.string() });

/** Gap-fill: the events of one of the caller's streams after a number. */
export function realtimeRoutes(app: AppInstance, deps: { auth: AuthService; log: EventLog }) {
  const { log } = deps;
  app.get('/api/realtime/events', {
    preHandler: requireUser(deps.auth),
    schema: {
      tags: ['realtime'],
      summary: 'Events of a real-time stream after a sequence number (gap-fill)',
      description:
        'Every event on the /agent socket carries `{stream, seq}` as its second argument; `rt.head` tells the last seq of each stream. ' +
        'A client that sees a jump, or a head beyond what it applied, fetches the missing events here and applies them in order. ' +
        '`resync: true` means those events are no longer kept (older than 24 h, or too many since): reload the lists and continue after `latest`.',
      security: [{ bearer: [] }],
      querystring: z.strictObject({
        stream: z.string().regex(/^(agents|user:[A-Za-z0-9_-]{1,64})$/, 'stream: agents or user:<id>'),
        after: z.coerce.number().int().min(0),
        limit: z.coerce.number().int().min(1).max(1000).default(500),
      }),
      response: { 200: z.object({ stream: z.string(), latest: z.number(), resync: z.boolean(), events: z.array(eventSchema) }), 403: errorSchema },
    },
  }, async (req) => {
    const { stream, after, limit } = req.query;
    if (stream !== BROADCAST_STREAM && stream !== userStream(req.user!.id)) throw forbidden('not your stream');
    const head = (await log.heads([stream]))[stream];
    const events = await log.read(stream, after, limit);
    const latest = Math.max(head, events.at(-1)?.seq ?? 0);
    // a client ahead of the log (a database reset) or behind what is kept must start over
    const gone = after > latest || (latest > after && events[0]?.seq !== after + 1);
    return { stream, latest, resync: gone, events: gone ? [] : events };
  });
}
