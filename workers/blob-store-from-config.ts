import { createBlobStore, type BlobStore } from '../activities/blobs/blob-store.js';
import { connectRedisBlobStore } from '../activities/blobs/redis-blob-store.js';
import { redactUrl } from '../activities/redact-url.js';
import type { WorkerConfig } from './config.js';

/**
 * The worker's blob store (`LLMOS_BLOB_STORE`): a folder, or Redis, connected in the background.
 * The worker awaits `ready` before it polls, so a Redis that cannot be reached stops it at
 * start-up; a blob read or write before then waits for the connection.
 * @throws Error when `redis` is asked for without REDIS_URL.
 */
export function blobStoreFromConfig(
  config: Pick<WorkerConfig, 'LLMOS_BLOB_STORE' | 'LLMOS_BLOB_DIRECTORY' | 'REDIS_URL'>,
): { blobs: BlobStore; ready: Promise<void>; close(): Promise<void> } {
  if (config.LLMOS_BLOB_STORE === 'file')
    return {
      blobs: createBlobStore(config.LLMOS_BLOB_DIRECTORY),
      ready: Promise.resolve(),
      close: async () => {},
    };
  if (config.REDIS_URL === undefined)
    throw new Error('LLMOS_BLOB_STORE=redis needs REDIS_URL: the Redis the blobs are kept in');
  const connecting = connectRedisBlobStore({ url: config.REDIS_URL });
  // Read by `ready`; without this, a failed connection before anyone awaits it is an unhandled rejection.
  connecting.catch(() => {});
  return {
    blobs: {
      location: `Redis ${redactUrl(config.REDIS_URL)}`,
      put: async (text) => (await connecting).put(text),
      get: async (ref) => (await connecting).get(ref),
      has: async (ref) => (await connecting).has(ref),
    },
    ready: connecting.then(() => undefined),
    close: async () => (await connecting).close(),
  };
}
