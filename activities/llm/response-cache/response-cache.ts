import { z } from 'zod';
import { ChatResponseSchema } from '../../../common/chat.js';

/**
 * One stored answer. `costUsd` is what the original call cost (null when its price was
 * unknown): a hit costs nothing, and reporting the cost it saved needs this figure.
 * Times are milliseconds since the Unix epoch.
 */
export const CachedResponseSchema = z.object({
  /** The `provider:model` that produced the response (not an alias). */
  model: z.string().min(1),
  response: ChatResponseSchema,
  costUsd: z.number().nonnegative().nullable(),
  createdAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
});
export type CachedResponse = z.infer<typeof CachedResponseSchema>;

export type NewCachedResponse = Pick<CachedResponse, 'model' | 'response' | 'costUsd'>;

/**
 * An exact response cache keyed by `cacheKey` (cache-key.ts). Backends: SQLite (one worker or a
 * shared file on one machine) and Redis (shared by many workers). Entries expire: an expired
 * entry reads as a miss and is deleted on that read, whatever the backend's own clean-up does.
 * A stored value that no longer matches `CachedResponseSchema` (written by another version)
 * also reads as a miss and is deleted: a cache may forget, it must never answer wrongly.
 */
export interface ResponseCache {
  get(key: string): Promise<CachedResponse | undefined>;
  /** Stores (or replaces) the entry under `key` for `ttlMs` milliseconds from now. */
  set(key: string, entry: NewCachedResponse, options: { ttlMs: number }): Promise<void>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

/** Options every backend takes. */
export interface ResponseCacheClock {
  /** Milliseconds since the Unix epoch; injected by tests. Default `Date.now`. */
  now?: (() => number) | undefined;
}

/** The entry to store, with its times; refuses a TTL that would store nothing or forever. */
export function newEntry(entry: NewCachedResponse, ttlMs: number, now: number): CachedResponse {
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError(`response cache: ttlMs must be a whole number of milliseconds > 0 (got ${ttlMs})`);
  // Parsing keeps only the known fields and proves the entry will read back.
  return CachedResponseSchema.parse({ ...entry, createdAt: now, expiresAt: now + ttlMs });
}

/** The stored text as an entry, or undefined when it is not one (to be deleted by the caller). */
export function readEntry(text: string): CachedResponse | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = CachedResponseSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
