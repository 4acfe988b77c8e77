import path from 'node:path';
import { z } from 'zod';
import { defaultSemanticCacheThreshold } from '../activities/llm/response-cache/semantic-key.js';
import { localEmbeddingModel } from '../common/embedding.js';
import { ModelRefSchema, ProviderSchema } from '../common/model-ref.js';
import { defaultTaskQueue } from '../common/task-queues.js';
import { projectRoot, stateRoot } from './project-root.js';
import { payloadKeysFromEnv, type PayloadKey } from './payload-encryption.js';
import { temporalConnectionSettings, type TemporalConnectionSettings } from './temporal-connection.js';

const optionalText = z
  .string()
  .optional()
  .transform((value) => (value && value.trim() !== '' ? value.trim() : undefined));
const optionalUrl = optionalText.pipe(z.url().optional());

/** `key=number,key=number` with every key accepted by `isKey` and every number positive. */
function limitList(isKey: (key: string) => boolean, form: string) {
  return z
    .string()
    .default('')
    .transform((value, context) => {
      const limits: Record<string, number> = {};
      for (const entry of value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)) {
        const [key = '', amount] = entry.split('=').map((part) => part.trim());
        const limit = Number(amount);
        if (!isKey(key) || !(limit > 0)) {
          context.addIssue({ code: 'custom', message: `"${entry}" is not ${form}` });
          continue;
        }
        limits[key] = limit;
      }
      return limits;
    });
}

/** The worker's environment, parsed once at start-up; a bad value stops the worker with its name. */
export const WorkerConfigSchema = z.object({
  LLMOS_TASK_QUEUE: z.string().min(1).default(defaultTaskQueue),
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalUrl,
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: optionalUrl,
  LLMOS_COMPATIBLE_BASE_URL: optionalUrl,
  LLMOS_COMPATIBLE_API_KEY: optionalText,
  LLMOS_SCRIPTS_DIRECTORY: z.string().default(path.join(projectRoot, 'examples', 'scripted')),
  /** Where `local:<name>` models live (scripts/models/setup-local-models.sh puts them there). */
  LLMOS_LOCAL_MODELS_DIR: z.string().default(path.join(projectRoot, '.tools', 'models')),
  /** Where NL2SQL looks for `<database>.examples.jsonl` few-shot files. */
  LLMOS_SQL_EXAMPLES_DIRECTORY: z.string().default(path.join(projectRoot, 'examples', 'databases')),
  /** PostgreSQL role NL2SQL statements run under (`SET LOCAL ROLE`), when set. */
  LLMOS_SQL_POSTGRES_ROLE: optionalText,
  /**
   * Where the content-addressed blobs go (document texts and chunks, conversations, long tool
   * results): `file` keeps them in LLMOS_BLOB_DIRECTORY (one machine, or a shared volume);
   * `redis` keeps them in the Redis at REDIS_URL, for workers on different machines.
   */
  LLMOS_BLOB_STORE: z.enum(['file', 'redis']).default('file'),
  LLMOS_BLOB_DIRECTORY: z.string().default(path.join(stateRoot, 'blobs')),
  /** Where analysis reports go when a run names no output folder. */
  LLMOS_REPORTS_DIRECTORY: z.string().default(path.join(stateRoot, 'reports')),
  LLMOS_MODEL_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  /**
   * On SIGTERM or SIGINT the worker takes no new task and lets the activities in flight (a model
   * call, already paid for) finish for up to this long; the ones still running then are cancelled
   * and sent again by another worker. Give the container or pod more than this to stop.
   */
  LLMOS_SHUTDOWN_GRACE_MS: z.coerce.number().int().nonnegative().default(60_000),
  /**
   * When set, the worker serves its health on this port: `GET /livez` and `GET /readyz` (pollers
   * running, Temporal answering), for a container healthcheck or a Kubernetes probe.
   */
  LLMOS_HEALTH_PORT: optionalText
    .transform((value) => (value === undefined ? undefined : Number(value)))
    .pipe(z.number().int().min(1).max(65_535).optional()),
  /** The address the health endpoint listens on: every interface, so a probe from outside the container reaches it. */
  LLMOS_HEALTH_HOST: z.string().min(1).default('0.0.0.0'),
  /**
   * When set (`host:port`, e.g. `0.0.0.0:9464`), the worker serves Prometheus metrics at
   * `/metrics` there: the Temporal SDK's own (task slots, latencies, polls) and llmos's (tokens,
   * model call durations, outcomes, cost, cache savings). Read by `installRuntime`, once per process.
   */
  LLMOS_METRICS_ADDRESS: optionalText.pipe(
    z
      .string()
      .regex(/^(?:[^\s:[\]]+|\[[0-9a-fA-F:]+\]):\d{1,5}$/, 'host:port, e.g. 0.0.0.0:9464')
      .optional(),
  ),
  /**
   * With tracing on (an OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT, see `installTracing`): whether
   * model calls' spans carry their prompts and completions. Off by default, as they may hold
   * personal data; the OpenTelemetry GenAI instrumentations' own switch.
   */
  OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: z
    .enum(['true', 'false', ''])
    .default('false')
    .transform((value) => value === 'true'),
  /**
   * Worker Versioning: when set, the worker joins this Worker Deployment as version
   * LLMOS_BUILD_ID, and takes new runs only once that version is made current
   * (`temporal worker deployment set-current-version`). Unset: an unversioned worker, and a
   * change must keep running workflows replaying (`patched()`, the recorded histories).
   */
  LLMOS_DEPLOYMENT_NAME: optionalText,
  /** The version's build id, e.g. an image tag or commit; by default `llmos+` and a hash of the workflow code. */
  LLMOS_BUILD_ID: optionalText,
  /** The audit trail: an append-only, hash-chained SQLite file (`llmos audit` reads and verifies it). */
  LLMOS_AUDIT_FILE: z.string().default(path.join(stateRoot, 'audit.sqlite')),
  /** The audit trail in PostgreSQL instead, shared by workers on several machines. */
  LLMOS_AUDIT_POSTGRES_URL: optionalText,
  /** The knowledge bases: a SQLite file (FTS5 and sqlite-vec), for the workers of one machine. */
  LLMOS_KNOWLEDGE_FILE: z.string().default(path.join(stateRoot, 'knowledge.sqlite')),
  /** The knowledge bases in PostgreSQL instead, shared by workers on several machines. */
  LLMOS_KNOWLEDGE_POSTGRES_URL: optionalUrl,
  /** Support tickets (`create_ticket`, `llmos tickets`): a SQLite file, for the workers of one machine. */
  LLMOS_TICKETS_FILE: z.string().default(path.join(stateRoot, 'tickets.sqlite')),
  /** Tickets in PostgreSQL instead, shared by workers on several machines. */
  LLMOS_TICKETS_POSTGRES_URL: optionalUrl,
  /**
   * A helpdesk with a Zendesk-style REST API (e.g. https://acme.zendesk.com) to open tickets in,
   * instead of llmos's own store; its API token, and the agent's e-mail for Basic auth.
   */
  LLMOS_TICKETS_API_URL: optionalUrl,
  LLMOS_TICKETS_API_TOKEN: optionalText,
  LLMOS_TICKETS_API_USER: optionalText,
  /** The orders `order_status` and `check_warranty` read: a SQLite file, or a `.sql` script loaded into memory. */
  LLMOS_ORDERS_DATABASE: z.string().default(path.join(projectRoot, 'examples', 'company', 'orders.sql')),
  /** The SMTP server `send_email` sends through, e.g. `smtp://mail.example.com:587`; unset: it refuses. */
  LLMOS_SMTP_URL: optionalText,
  /** The sender of `send_email`'s messages; its domain names their Message-IDs. */
  LLMOS_EMAIL_FROM: z.string().min(3).default('llmos <llmos@localhost>'),
  /** What `send_email` sent, by tool call: a retried call never sends twice. */
  LLMOS_EMAIL_OUTBOX_FILE: z.string().default(path.join(stateRoot, 'outbox.sqlite')),
  /** The guard pipeline (`config/guards.yaml` by default): the scanners of each stage, per tenant. */
  LLMOS_GUARDS_FILE: optionalText,
  /** Which providers and models may receive each tenant's data (`config/policies.yaml` by default). */
  LLMOS_POLICIES_FILE: optionalText,
  /** How customer-service sessions behave when they bring no configuration (`config/customer_service.yaml` by default). */
  LLMOS_CUSTOMER_SERVICE_FILE: optionalText,
  /** The project's tools and MCP servers (`llmos.config.ts`); unset: an `llmos.config.*` in the working folder, if any. */
  LLMOS_CONFIG_FILE: optionalText,
  /** Comma-separated hosts the `http_get` tool may fetch from. */
  LLMOS_HTTP_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((host) => host.trim())
        .filter(Boolean),
    ),
  /** Activity slots: activities one worker runs at once (model calls wait on I/O, so many fit). */
  LLMOS_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().positive().default(50),
  /**
   * Workflow-task slots: workflow tasks one worker runs at once. They run on one JavaScript
   * thread, so more slots only queue them inside the worker instead of at the server.
   */
  LLMOS_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(40),
  /**
   * Runs kept in the worker's sticky cache, so their next task needs no replay of the history;
   * the SDK's default grows with the heap limit (some 2,000 at 4 GB).
   */
  LLMOS_MAX_CACHED_WORKFLOWS: z.coerce.number().int().nonnegative().optional(),
  /** Long polls for workflow and for activity tasks the worker keeps open on each queue. */
  LLMOS_WORKFLOW_TASK_POLLERS: z.coerce.number().int().positive().default(10),
  LLMOS_ACTIVITY_TASK_POLLERS: z.coerce.number().int().positive().default(10),
  /** The model catalog (models, prices, aliases); the built-in config/models.yaml when unset. */
  LLMOS_MODELS_FILE: optionalText,
  /** The exact response cache: a SQLite file by default, Redis when REDIS_URL is set, or off. */
  LLMOS_CACHE: z.enum(['on', 'off']).default('on'),
  LLMOS_CACHE_FILE: z.string().default(path.join(stateRoot, 'response-cache.sqlite')),
  REDIS_URL: optionalText,
  /** How long a cached answer is served, in milliseconds (a day by default). */
  LLMOS_CACHE_TTL_MS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3_600_000),
  /**
   * The semantic cache (off by default): a one-question request whose question means nearly the
   * same as a stored one's, in the same context, takes its answer. Kept in LLMOS_CACHE_FILE, for
   * LLMOS_CACHE_TTL_MS. The threshold is a cosine similarity of the questions' embeddings by
   * LLMOS_SEMANTIC_CACHE_MODEL; `npm run bench:semantic-cache` shows what each threshold trades.
   */
  LLMOS_SEMANTIC_CACHE: z.enum(['on', 'off']).default('off'),
  LLMOS_SEMANTIC_CACHE_MODEL: z.string().min(1).default(localEmbeddingModel),
  LLMOS_SEMANTIC_CACHE_THRESHOLD: z.coerce.number().min(0).max(1).default(defaultSemanticCacheThreshold),
  /** Consecutive provider failures that open a model's circuit breaker, and how long it stays open. */
  LLMOS_BREAKER_FAILURES: z.coerce.number().int().positive().default(5),
  LLMOS_BREAKER_COOLDOWN_MS: z.coerce.number().int().nonnegative().default(30_000),
  /**
   * Model requests per second per provider, e.g. `openai=5,anthropic=2`: a cap the Temporal server
   * enforces across every worker (each provider's calls have their own task queue).
   */
  LLMOS_RATE_LIMITS: limitList(
    (key) => ProviderSchema.safeParse(key).success,
    `provider=requests-per-second with a provider of ${ProviderSchema.options.join(', ')}`,
  ),
  /**
   * Tokens per minute (input plus output allowance) by provider or model, e.g.
   * `openai=200000,anthropic:claude-sonnet-4-5=40000`: a model's own limit applies before its
   * provider's. Shared by the workers of one machine (a SQLite file) or, with REDIS_URL, of all.
   */
  LLMOS_TOKEN_LIMITS: limitList(
    (key) => ProviderSchema.safeParse(key).success || ModelRefSchema.safeParse(key).success,
    'provider=tokens-per-minute or provider:model=tokens-per-minute',
  ),
  LLMOS_TOKEN_WINDOW_FILE: z.string().default(path.join(stateRoot, 'token-window.sqlite')),
  /** Comma-separated folders of `<id>/<version>.yaml` prompt templates, loaded after the built-in `prompts/`. */
  LLMOS_PROMPTS_DIRECTORIES: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((directory) => directory.trim())
        .filter(Boolean)
        .map((directory) => path.resolve(directory)),
    ),
});
/**
 * The worker's settings: llmos's own variables, and the Temporal connection read from the
 * `TEMPORAL_*` variables and the config file's profile (`temporalConnectionSettings`).
 */
export type WorkerConfig = z.infer<typeof WorkerConfigSchema> & {
  temporal: TemporalConnectionSettings;
  /** Payload encryption keys (LLMOS_PAYLOAD_KEYS or LLMOS_PAYLOAD_KEYS_FILE), oldest first; none: plaintext. */
  payloadKeys?: PayloadKey[];
};

/** The built-in templates first, then the operator's; a ref defined twice stops the worker. */
export function promptDirectories(config: Pick<WorkerConfig, 'LLMOS_PROMPTS_DIRECTORIES'>): string[] {
  return [path.join(projectRoot, 'prompts'), ...config.LLMOS_PROMPTS_DIRECTORIES];
}

export function parseWorkerConfig(
  env: NodeJS.ProcessEnv = process.env,
  temporal?: TemporalConnectionSettings,
): WorkerConfig {
  const parsed = WorkerConfigSchema.safeParse(env);
  if (parsed.success) {
    const payloadKeys = payloadKeysFromEnv(env);
    return {
      ...parsed.data,
      temporal: temporal ?? temporalConnectionSettings(env),
      ...(payloadKeys ? { payloadKeys } : {}),
    };
  }
  const problems = parsed.error.issues
    .map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    .join('\n');
  throw new Error(`invalid worker configuration:\n${problems}`);
}
