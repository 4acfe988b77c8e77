import { connectRedis } from '../redis-connection.js';
import {
  newEntry,
  readEntry,
  type CachedResponse,
  type NewCachedResponse,
  type ResponseCache,
  type ResponseCacheClock,
} from './response-cache.js';

export interface RedisResponseCacheOptions extends ResponseCacheClock {
  /** `redis://[[user]:password@]host:port[/db]`. */
  url: string;
  /** Prefix of every key, so that the cache can share a Redis with other data. */
  keyPrefix?: string | undefined;
}

/** The few commands the cache uses: any node-redis client (or a cluster client) has them. */
export interface RedisCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, options: { expiration: { type: 'PX'; value: number } }): Promise<unknown>;
  del(key: string): Promise<number>;
  readonly isOpen: boolean;
  close(): Promise<void>;
}

export const defaultRedisKeyPrefix = 'llmos:response-cache:';

/**
 * The response cache in Redis, shared by every worker that reaches it. Each entry is one string
 * key holding the entry's JSON, with a Redis expiry (PX) so that Redis frees it by itself; the
 * entry's own `expiresAt` is checked on read as well, which keeps the TTL exact whatever Redis's
 * clock says and lets tests move time. Use `connectRedisResponseCache` to build one.
 */
export class RedisResponseCache implements ResponseCache {
  private readonly now: () => number;
  private readonly keyPrefix: string;

  constructor(
    private readonly client: RedisCommands,
    options: ResponseCacheClock & { keyPrefix?: string | undefined } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.keyPrefix = options.keyPrefix ?? defaultRedisKeyPrefix;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const text = await this.client.get(this.keyPrefix + key);
    if (text === null) return undefined;
    const entry = readEntry(text);
    if (entry && entry.expiresAt > this.now()) return entry;
    await this.client.del(this.keyPrefix + key);
    return undefined;
  }

  async set(key: string, entry: NewCachedResponse, options: { ttlMs: number }): Promise<void> {
    const stored = newEntry(entry, options.ttlMs, this.now());
    await this.client.set(this.keyPrefix + key, JSON.stringify(stored), {
      expiration: { type: 'PX', value: options.ttlMs },
    });
  }

  async delete(key: string): Promise<void> {
    await this.client.del(this.keyPrefix + key);
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }
}

/** Connects to Redis (failing at once, URL named, when it cannot) and returns the cache. */
export async function connectRedisResponseCache(
  options: RedisResponseCacheOptions,
): Promise<RedisResponseCache> {
  return new RedisResponseCache(await connectRedis(options.url, 'response cache'), options);
}
