import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import type { MediaStore } from './store.js';

export function mediaRoutes(app: AppInstance, deps: { auth: AuthService; media: MediaStore }) {
  app.get('/api/media/:id', {
    preHandler: requireUser(deps.auth),
    schema: { tags: ['media'], summary: 'Download a stored media file (image, voice, video, file)', security: [{ bearer: [] }], params: z.object({ id: z.string().regex(/^f[0-9a-z]{21}$/, "not a media id") }) },
  }, async (req, reply) => {
    const { row, stream } = await deps.media.open(req.params.id);
    const disposition = row.mime.startsWith('image/') || row.mime.startsWith('audio/') || row.mime.startsWith('video/') ? 'inline' : 'attachment';
    reply
      .header('Content-Type', row.mime)
      .header('Content-Length', row.size)
      .header('Cache-Control', 'private, max-age=86400')
      .header('Content-Disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(row.filename ?? row.id)}`);
    return reply.send(stream);
  });
}
