import { createHmac, timingSafeEqual } from 'node:crypto';
import { newId } from '../../core/ids.js';

/**
 * Anonymous widget visitors: the id is random, the token an HMAC of it under the server key,
 * so a visitor keeps their identity across reloads and nobody can guess another's.
 */
export class VisitorTokens {
  private readonly key: Buffer;
  constructor(secret: string) {
    this.key = Buffer.from(`kefu-widget:${secret}`);
  }
  issue(): { visitor_id: string; visitor_token: string } {
    const visitor_id = newId('w');
    return { visitor_id, visitor_token: this.sign(visitor_id) };
  }
  verify(visitorId: unknown, token: unknown): visitorId is string {
    if (typeof visitorId !== 'string' || typeof token !== 'string' || !/^w[0-9a-z]{21}$/.test(visitorId)) return false;
    const expected = Buffer.from(this.sign(visitorId));
    const given = Buffer.from(token);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
  private sign(id: string): string {
    return createHmac('sha256', this.key).update(id).digest('base64url');
  }
}
