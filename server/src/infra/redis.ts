import { Redis } from 'ioredis';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Server } from 'socket.io';
import type { CachedToken, TokenCache } from '../channels/wecom/api-client.js';

/**
 * Optional Redis (KEFU_REDIS_URL): what several instances share — Socket.IO fan-out (an
 * agent connected to instance A sees a message that arrived at instance B) and the WeCom
 * access_token cache (one token per secret across instances).
 */
export class RedisLink {
  readonly pub: Redis;
  readonly sub: Redis;
  constructor(url: string, private readonly prefix: string) {
    const opts = { maxRetriesPerRequest: 3, lazyConnect: false } as const;
    this.pub = new Redis(url, opts);
    this.sub = this.pub.duplicate();
  }

  attach(io: Server): void {
    io.adapter(createAdapter(this.pub, this.sub, { key: `${this.prefix}:socket.io` }));
  }

  tokenCache(): TokenCache {
    const r = this.pub;
    const k = (key: string) => `${this.prefix}:${key}`;
    return {
      async get(key) {
        const v = await r.get(k(key));
        return v ? (JSON.parse(v) as CachedToken) : null;
      },
      async set(key, value) {
        const ttl = Math.max(1, Math.floor((value.expiresAt - Date.now()) / 1000));
        await r.set(k(key), JSON.stringify(value), 'EX', ttl);
      },
      async del(key) {
        await r.del(k(key));
      },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }
}
