/** /cgi-bin/media/upload (multipart field `media`) and /cgi-bin/media/get. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { cgiParse, type SimContext } from '../context.js';
import { ERR, WecomApiError } from '../errors.js';
import type { Media } from '../state.js';
import { MEDIA_TYPES } from '../schemas.js';

/** WeCom's documented size limits per type (bytes); at least 5 bytes. */
export const MEDIA_LIMITS = { image: 10 << 20, voice: 2 << 20, video: 10 << 20, file: 20 << 20 } as const;

export function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const needsStar = ascii !== filename;
  return `attachment; filename="${ascii}"${needsStar ? `; filename*=UTF-8''${encodeURIComponent(filename)}` : ''}`;
}

export function sendMedia(reply: FastifyReply, m: Media) {
  return reply
    .header('content-type', m.mime)
    .header('content-disposition', contentDisposition(m.filename))
    .header('content-length', m.data.length)
    .send(m.data);
}

export function registerMediaRoutes(app: FastifyInstance, ctx: SimContext): void {
  app.post('/cgi-bin/media/upload', async (req) => {
    const q = cgiParse(z.object({ type: z.enum(MEDIA_TYPES) }), req.query);
    if (!req.isMultipart()) throw new WecomApiError(ERR.INVALID_PARAMETER, 'multipart/form-data with field "media" expected');
    let file: { data: Buffer; filename: string; mime: string } | undefined;
    for await (const part of req.parts({ limits: { fileSize: MEDIA_LIMITS[q.type] + 1 } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.fieldname === 'media' && !file) file = { data, filename: part.filename || 'media', mime: part.mimetype || 'application/octet-stream' };
      }
    }
    if (!file) throw new WecomApiError(ERR.INVALID_PARAMETER, 'missing file field "media"');
    if (file.data.length < 5 || file.data.length > MEDIA_LIMITS[q.type]) {
      throw new WecomApiError(ERR.INVALID_PARAMETER, `media size must be 5..${MEDIA_LIMITS[q.type]} bytes for ${q.type}`);
    }
    const m = ctx.kf.addMedia(q.type, file.data, file.filename, file.mime);
    // WeCom returns created_at as a string.
    return { errcode: 0, errmsg: 'ok', type: m.type, media_id: m.media_id, created_at: String(m.created_at) };
  });

  app.get('/cgi-bin/media/get', async (req, reply) => {
    const q = cgiParse(z.object({ media_id: z.string().min(1) }), req.query);
    const m = ctx.kf.getMedia(q.media_id);
    if (!m) throw new WecomApiError(ERR.INVALID_MEDIA_ID, q.media_id);
    return sendMedia(reply, m);
  });
}
