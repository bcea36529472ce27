import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Clock } from '../core/clock.js';
import type { MediaRef } from '../core/message.js';
import { newId } from '../core/ids.js';
import { AppError, notFound } from '../core/errors.js';

/**
 * Media that customers sent, fetched from the channel and kept so agents can open it later
 * (WeCom media_ids expire after 3 days). Bytes on disk under KEFU_DATA_DIR/media, metadata in
 * the database; several instances need that directory on a shared volume.
 */
export class MediaStore {
  private readonly dir: string;
  constructor(private readonly db: Kysely<Database>, dataDir: string, private readonly clock: Clock) {
    this.dir = resolve(dataDir, 'media');
  }

  async save(bytes: Buffer, meta: { mime: string; filename?: string; source: string; source_id?: string }): Promise<MediaRef> {
    await mkdir(this.dir, { recursive: true });
    const id = newId('f');
    await writeFile(join(this.dir, id), bytes);
    await this.db
      .insertInto('media')
      .values({
        id,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        mime: meta.mime,
        size: bytes.length,
        filename: meta.filename ?? null,
        source: meta.source,
        source_id: meta.source_id ?? null,
        created_at: this.clock.now().toISOString(),
      })
      .execute();
    return { media_id: id, mime: meta.mime, size: bytes.length, ...(meta.filename ? { filename: meta.filename } : {}) };
  }

  /** The reference to store in a message; unknown ids are the caller's bad input. */
  async describe(id: string): Promise<MediaRef> {
    const row = await this.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError(400, 'unknown_media', `media ${id} does not exist; upload it first with POST /api/media`);
    return { media_id: row.id, mime: row.mime, size: row.size, ...(row.filename ? { filename: row.filename } : {}) };
  }

  async read(id: string): Promise<{ bytes: Buffer; mime: string; filename: string | null }> {
    const row = await this.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('media');
    return { bytes: await readFile(join(this.dir, row.id)), mime: row.mime, filename: row.filename };
  }

  async open(id: string) {
    const row = await this.db.selectFrom('media').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('media');
    return { row, stream: createReadStream(join(this.dir, row.id)) };
  }
}
