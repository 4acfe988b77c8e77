/** Reads what runs keep in the blob store (long traces, PSV attempts), from the store a worker with this environment uses. */
import { readTraceSegment } from '../../activities/trace/trace-segments.js';
import type { AgentStep, TraceSegment } from '../../common/agent.js';
import type { BlobRef } from '../../common/blob-ref.js';
import { blobStoreFromConfig } from '../blob-store-from-config.js';
import { WorkerConfigSchema } from '../config.js';

/**
 * A reader of trace segments (`LLMOS_BLOB_STORE`, `LLMOS_BLOB_DIRECTORY`, `REDIS_URL`), and its
 * `close`. Redis is connected on the first read.
 * @throws Error when `redis` is asked for without REDIS_URL.
 */
export function traceSegmentReader(env: NodeJS.ProcessEnv = process.env): {
  read: (segment: TraceSegment) => Promise<AgentStep[]>;
  /** A stored text whole (a PSV run's attempts). */
  readText: (ref: BlobRef) => Promise<string>;
  close: () => Promise<void>;
} {
  // Only the blob store's settings: a bad value elsewhere in the worker's environment is not the caller's business.
  const config = WorkerConfigSchema.pick({
    LLMOS_BLOB_STORE: true,
    LLMOS_BLOB_DIRECTORY: true,
    REDIS_URL: true,
  }).parse(env);
  let store: ReturnType<typeof blobStoreFromConfig> | undefined;
  return {
    read: (segment) => readTraceSegment((store ??= blobStoreFromConfig(config)).blobs, segment),
    readText: (ref) => (store ??= blobStoreFromConfig(config)).blobs.get(ref),
    close: async () => store?.close(),
  };
}
