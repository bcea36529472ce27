import type { Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { Clock } from '../core/clock.js';

/**
 * A named lease in the database: whoever holds it does the work (e.g. the kf puller of one
 * account), across processes and instances. It expires, so a killed holder does not block.
 */
export class Leases {
  constructor(private readonly db: Kysely<Database>, private readonly clock: Clock, readonly owner: string) {}

  /** Takes or renews the lease; false while someone else holds an unexpired one. */
  async acquire(name: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const expires_at = new Date(now.getTime() + ttlMs).toISOString();
    const r = await this.db
      .insertInto('leases')
      .values({ name, owner: this.owner, expires_at })
      .onConflict((oc) =>
        oc
          .column('name')
          .doUpdateSet({ owner: this.owner, expires_at })
          .where((eb) => eb.or([eb('leases.expires_at', '<', now.toISOString()), eb('leases.owner', '=', this.owner)])),
      )
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async release(name: string): Promise<void> {
    await this.db.deleteFrom('leases').where('name', '=', name).where('owner', '=', this.owner).execute();
  }
}
