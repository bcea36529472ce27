import multipart from '@fastify/multipart';
import { z } from 'zod';
import type { AppInstance } from '../http/app.js';
import type { AuthService } from '../auth/service.js';
import { requireUser } from '../auth/routes.js';
import { AppError } from '../core/errors.js';
import type { MediaStore } from './store.js';

/** WeCom's largest media (file: 20 MB); images are 10 MB, checked where they are sent. */
const MAX_UPLOAD = 20 * 1024 * 1024;
const mediaId = z.string().regex(/^f[0-9a-z]{21}$/, 'not a media id');

export async function mediaRoutes(app: AppInstance, deps: { auth: AuthService; media: MediaStore }) {
  await app.register(multipart, { limits: { fileSize: MAX_UPLOAD, files: 1, fields: 0 } });

  app.post('/api/media', {
    preHandler: requireUser(deps.auth),
    schema: {
      tags: ['media'], summary: 'Upload a file an agent wants to send (multipart field `file`)', security: [{ bearer: [] }], consumes: ['multipart/form-data'],
      response: { 201: z.object({ media_id: z.string(), mime: z.string(), size: z.number(), filename: z.string().optional() }) },
    },
  }, async (req, reply) => {
    if (!req.isMultipart()) throw new AppError(415, 'unsupported_media_type', 'send multipart/form-data with a `file` field');
    const file = await req.file();
    if (!file) throw new AppError(400, 'file_missing', 'multipart body has no `file` field');
    const bytes = await file.toBuffer().catch((e: { code?: string }) => {
      if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError(413, 'file_too_large', `file exceeds ${MAX_UPLOAD} bytes`);
      throw e;
    });
    if (!bytes.length) throw new AppError(400, 'file_empty', 'the uploaded file is empty');
    const ref = await deps.media.save(bytes, { mime: file.mimetype || 'application/octet-stream', filename: file.filename, source: 'agent' });
    return reply.status(201).send(ref as { media_id: string; mime: string; size: number; filename?: string });
  });

  app.get('/api/media/:id', {
    preHandler: requireUser(deps.auth),
    schema: { tags: ['media'], summary: 'Download a stored media file (image, voice, video, file)', security: [{ bearer: [] }], params: z.object({ id: mediaId }) },
  }, async (req, reply) => {
    const { row, stream } = await deps.media.open(req.params.id);
    const disposition = row.mime.startsWith('image/') || row.mime.startsWith('audio/') || row.mime.startsWith('video/') ? 'inline' : 'attachment';
    reply
      .header('Content-Type', row.mime)
      .header('Content-Length', row.size)
      .header('Cache-Control', 'private, max-age=86400')
      .header('X-Content-Type-Options', 'nosniff')
      .header('Content-Disposition', `${disposition}; filename*=UTF-8''${encodeURIComponent(row.filename ?? row.id)}`);
    return reply.send(stream);
  });
}
