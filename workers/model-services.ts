import { tracingPlugins } from './tracing.js';
import { Runtime } from '@temporalio/worker';
import { Client, type Connection } from '@temporalio/client';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ModelCallServices } from '../activities/llm/call-chat-model.js';
import { CircuitBreaker } from '../activities/llm/circuit-breaker.js';
import { loadModelCatalog, modelCatalogFile } from '../activities/llm/load-model-catalog.js';
import { connectRedisTokenWindow } from '../activities/llm/rate-limits/redis-token-window.js';
import { SqliteTokenWindow } from '../activities/llm/rate-limits/sqlite-token-window.js';
import { TokenLimiter } from '../activities/llm/rate-limits/token-limiter.js';
import type { TokenWindowStore } from '../activities/llm/rate-limits/token-window.js';
import { connectRedisResponseCache } from '../activities/llm/response-cache/redis-response-cache.js';
import type { ResponseCache } from '../activities/llm/response-cache/response-cache.js';
import { SqliteResponseCache } from '../activities/llm/response-cache/sqlite-response-cache.js';
import { SqliteSemanticCache } from '../activities/llm/response-cache/semantic-cache.js';
import {
  openSqliteEmbeddingCache,
  type EmbeddingCache,
} from '../activities/llm/embeddings/embedding-cache.js';
import { priceOf, type ModelCatalog } from '../common/model-catalog.js';
import type { WorkerConfig } from './config.js';
import { dataConverterFor } from './payload-encryption.js';
import { connectTemporalClient } from './temporal-connection.js';

export interface WorkerModelServices extends ModelCallServices {
  catalog: ModelCatalog;
  /** Providers with a request rate limit (`LLMOS_RATE_LIMITS`): their calls go through their own task queue. */
  rateLimitedProviders: readonly string[];
  /** Settles once the cache is connected; rejects (naming the cache) when it cannot be. */
  ready: Promise<void>;
  /** A client of this worker's Temporal, made on first use: shared-budget activities send updates with it. */
  temporalClient: () => Promise<Client>;
  close(): Promise<void>;
}

/**
 * A Redis cache (or token window) is connected in the background; its first use waits for the connection. The
 * worker awaits `ready` before it polls, so a wrong `REDIS_URL` stops it at start-up.
 */
function deferredCache(connecting: Promise<ResponseCache>): ResponseCache {
  return {
    get: async (key) => (await connecting).get(key),
    set: async (key, entry, options) => (await connecting).set(key, entry, options),
    delete: async (key) => (await connecting).delete(key),
    close: async () => (await connecting).close(),
  };
}

function deferredTokenWindow(connecting: Promise<TokenWindowStore>): TokenWindowStore {
  return {
    take: async (...args) => (await connecting).take(...args),
    settle: async (...args) => (await connecting).settle(...args),
    close: async () => (await connecting).close(),
  };
}

/**
 * The model catalog (prices, aliases), the token limiter (LLMOS_TOKEN_LIMITS, shared through a
 * SQLite file or Redis), the response cache (a SQLite file by default, Redis when
 * `REDIS_URL` is set, none with `LLMOS_CACHE=off`) and the circuit breaker of one worker.
 * @throws ModelCatalogError naming the file and each problem, when the catalog is invalid.
 */
export function createModelServices(config: WorkerConfig): WorkerModelServices {
  const catalog = loadModelCatalog(modelCatalogFile({ LLMOS_MODELS_FILE: config.LLMOS_MODELS_FILE }));
  let store: ResponseCache | undefined;
  const connections: Promise<unknown>[] = [];
  if (config.LLMOS_CACHE === 'on' && config.REDIS_URL) {
    const connecting = connectRedisResponseCache({ url: config.REDIS_URL });
    connections.push(connecting);
    store = deferredCache(connecting);
  } else if (config.LLMOS_CACHE === 'on') {
    mkdirSync(path.dirname(config.LLMOS_CACHE_FILE), { recursive: true });
    store = new SqliteResponseCache({ file: config.LLMOS_CACHE_FILE });
  }
  // Vectors keep for good (one model name, one model): a file of this machine's even beside Redis.
  let embeddingCache: EmbeddingCache | undefined;
  if (config.LLMOS_CACHE === 'on') {
    mkdirSync(path.dirname(config.LLMOS_CACHE_FILE), { recursive: true });
    embeddingCache = openSqliteEmbeddingCache(config.LLMOS_CACHE_FILE);
  }
  const semanticStore =
    config.LLMOS_SEMANTIC_CACHE === 'on'
      ? new SqliteSemanticCache({ file: config.LLMOS_CACHE_FILE })
      : undefined;
  let tokenLimiter: TokenLimiter | undefined;
  if (Object.keys(config.LLMOS_TOKEN_LIMITS).length > 0) {
    let window: TokenWindowStore;
    if (config.REDIS_URL) {
      const connecting = connectRedisTokenWindow({ url: config.REDIS_URL });
      connections.push(connecting);
      window = deferredTokenWindow(connecting);
    } else {
      mkdirSync(path.dirname(config.LLMOS_TOKEN_WINDOW_FILE), { recursive: true });
      window = new SqliteTokenWindow({ file: config.LLMOS_TOKEN_WINDOW_FILE });
    }
    tokenLimiter = new TokenLimiter(config.LLMOS_TOKEN_LIMITS, window);
  }
  const ready = Promise.all(connections).then(() => undefined);
  // Observed here so a failure surfaces through `ready`, not as an unhandled rejection.
  ready.catch(() => {});
  // Made on first use (only shared budgets need it), then shared by every call.
  let temporal: Promise<{ connection: Connection; client: Client }> | undefined;
  const connectTemporal = () =>
    (temporal ??= connectTemporalClient(config.temporal).then((connection) => ({
      connection,
      client: new Client({
        connection,
        namespace: config.temporal.namespace,
        plugins: tracingPlugins(),
        ...(config.payloadKeys ? { dataConverter: dataConverterFor(config.payloadKeys) } : {}),
      }),
    })));
  return {
    catalog,
    rateLimitedProviders: Object.keys(config.LLMOS_RATE_LIMITS),
    temporalClient: async () => (await connectTemporal()).client,
    priceOf: (model) => priceOf(catalog, model),
    // The process's runtime (installRuntime made it, with the Prometheus exporter when asked).
    meter: Runtime.instance().metricMeter,
    traceContent: config.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT,
    contextWindowOf: (model) => catalog.models[model]?.contextWindow,
    cache: store ? { store, ttlMs: config.LLMOS_CACHE_TTL_MS } : undefined,
    breaker: new CircuitBreaker({
      failureThreshold: config.LLMOS_BREAKER_FAILURES,
      cooldownMs: config.LLMOS_BREAKER_COOLDOWN_MS,
    }),
    tokenLimiter,
    embeddingCache,
    semanticCache: semanticStore
      ? {
          store: semanticStore,
          ttlMs: config.LLMOS_CACHE_TTL_MS,
          model: config.LLMOS_SEMANTIC_CACHE_MODEL,
          minSimilarity: config.LLMOS_SEMANTIC_CACHE_THRESHOLD,
        }
      : undefined,
    ready,
    close: async () => {
      await store?.close().catch(() => {});
      await embeddingCache?.close().catch(() => {});
      await semanticStore?.close().catch(() => {});
      await tokenLimiter?.close().catch(() => {});
      if (temporal) await (await temporal).connection.close().catch(() => {});
    },
  };
}
