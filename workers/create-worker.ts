import type { NativeConnection, WorkerOptions } from '@temporalio/worker';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import { blobStoreFromConfig } from './blob-store-from-config.js';
import { governanceFromConfig } from './governance-from-config.js';
import { loadServiceConfig } from '../activities/customer-service/service-config.js';
import { openKnowledgeStore } from '../activities/knowledge/open-knowledge-store.js';
import { openTicketStore } from '../activities/tickets/open-ticket-store.js';
import { createTicketTool } from '../activities/tools/create-ticket.js';
import { openSqliteEmailOutbox } from '../activities/email/email-outbox.js';
import { createSendEmailTool } from '../activities/tools/send-email.js';
import { openOrdersDatabase } from '../activities/orders/orders-database.js';
import { createOrderTools } from '../activities/tools/order-tools.js';
import { escalateToHuman } from '../activities/tools/escalate-to-human.js';
import { createModelResolver, type ModelResolver } from '../activities/llm/model-resolver.js';
import { loadPromptLibrary } from '../activities/prompts/prompt-library.js';
import { calculator } from '../activities/tools/calculator.js';
import { createHttpGetTool } from '../activities/tools/http-get.js';
import { createRetrieveTool } from '../activities/tools/retrieve.js';
import { createKnowledgeActivities } from '../activities/knowledge/knowledge-activities.js';
import { createEmbedder } from '../activities/llm/embeddings/embed-texts.js';
import { createToolRegistry } from '../activities/tools/tool-registry.js';
import { openWorkerResources, type OpenedExtensions, type WorkerResources } from './worker-resources.js';
import type { LlmosConfig } from './define-config.js';
import { ProviderSchema } from '../common/model-ref.js';
import { providerTaskQueue } from '../common/task-queues.js';
import { promptDirectories, type WorkerConfig } from './config.js';
import { createModelServices } from './model-services.js';
import { bundleWorkflows, prebuiltWorkflowBundle } from './workflow-bundle.js';
import { versionOptions, workerVersionOf } from './worker-version.js';
import { dataConverterFor } from './payload-encryption.js';
import { connectTemporalNative } from './temporal-connection.js';
import { tracingInstalled, tracingPlugins } from './tracing.js';
import { WorkerGroup } from './worker-group.js';

/** The settings `modelResolverFromConfig` reads. */
export const modelProviderSettingKeys = {
  OPENAI_API_KEY: true,
  OPENAI_BASE_URL: true,
  ANTHROPIC_API_KEY: true,
  ANTHROPIC_BASE_URL: true,
  LLMOS_COMPATIBLE_BASE_URL: true,
  LLMOS_COMPATIBLE_API_KEY: true,
  LLMOS_SCRIPTS_DIRECTORY: true,
  LLMOS_LOCAL_MODELS_DIR: true,
  LLMOS_MODEL_TIMEOUT_MS: true,
} as const;
export type ModelProviderSettings = Pick<WorkerConfig, keyof typeof modelProviderSettingKeys>;

/** The worker's models: the providers its environment has keys or servers for, scripted and local ones. */
export function modelResolverFromConfig(config: ModelProviderSettings): ModelResolver {
  return createModelResolver({
    openai: config.OPENAI_API_KEY
      ? { apiKey: config.OPENAI_API_KEY, baseURL: config.OPENAI_BASE_URL }
      : undefined,
    anthropic: config.ANTHROPIC_API_KEY
      ? { apiKey: config.ANTHROPIC_API_KEY, baseURL: config.ANTHROPIC_BASE_URL }
      : undefined,
    compatible: config.LLMOS_COMPATIBLE_BASE_URL
      ? { baseURL: config.LLMOS_COMPATIBLE_BASE_URL, apiKey: config.LLMOS_COMPATIBLE_API_KEY }
      : undefined,
    scriptsDirectory: config.LLMOS_SCRIPTS_DIRECTORY,
    localModelsDirectory: config.LLMOS_LOCAL_MODELS_DIR,
    timeoutMs: config.LLMOS_MODEL_TIMEOUT_MS,
  });
}

/**
 * The activities a worker with this configuration runs: model providers, the built-in and the
 * project's tools, MCP servers, prompt templates, prices, cache and breaker. What they are made
 * of is made here unless given (`openWorkerResources` makes it first, for `createWorker` and the
 * plugin: it logs warnings and waits for the cache); an invalid prompt library, model catalog or
 * tool definition throws.
 */
export function createActivitiesFromConfig(
  config: WorkerConfig,
  made: Partial<WorkerResources> = {},
  /** The project's tools and MCP servers, checked (`checkWorkerExtensions`), and the connections to those servers. */
  extensions: Partial<OpenedExtensions> = {},
) {
  const {
    prompts = loadPromptLibrary(promptDirectories(config)),
    models = createModelServices(config),
    blobs = blobStoreFromConfig(config).blobs,
    governance = governanceFromConfig(config),
    knowledge = openKnowledgeStore(config).store,
    tickets = openTicketStore(config).store,
    outbox = openSqliteEmailOutbox(config.LLMOS_EMAIL_OUTBOX_FILE),
    orders = openOrdersDatabase(config.LLMOS_ORDERS_DATABASE),
  } = made;
  const resolveModel = modelResolverFromConfig(config);
  const embed = createEmbedder(resolveModel, { priceOf: models.priceOf, cache: models.embeddingCache });
  const knowledgeActivities = createKnowledgeActivities({ store: knowledge, embed });
  const tools = createToolRegistry([
    calculator,
    createHttpGetTool({ allowedHosts: config.LLMOS_HTTP_ALLOWED_HOSTS }),
    createRetrieveTool({ retrieve: (input) => knowledgeActivities.retrieveKnowledge(input), prompts }),
    createTicketTool(tickets),
    createSendEmailTool({ smtpUrl: config.LLMOS_SMTP_URL, from: config.LLMOS_EMAIL_FROM, outbox }),
    ...createOrderTools(orders),
    escalateToHuman,
    ...(extensions.tools ?? []),
  ]);
  return createActivities({
    resolveModel,
    models,
    temporal: { client: models.temporalClient, taskQueue: config.LLMOS_TASK_QUEUE },
    tools,
    ...(extensions.mcp ? { mcp: extensions.mcp } : {}),
    prompts,
    blobs,
    guards: governance.guards,
    policies: governance.policies,
    customerService: loadServiceConfig(config.LLMOS_CUSTOMER_SERVICE_FILE),
    reportsDirectory: config.LLMOS_REPORTS_DIRECTORY,
    knowledge,
    embed,
    sql: {
      examplesDirectory: config.LLMOS_SQL_EXAMPLES_DIRECTORY,
      postgresRole: config.LLMOS_SQL_POSTGRES_ROLE,
    },
  });
}

/** The worker options of `LLMOS_MAX_CONCURRENT_*`, `LLMOS_MAX_CACHED_WORKFLOWS` and `LLMOS_*_POLLERS`. */
export function workerTuning(config: WorkerConfig): Partial<WorkerOptions> {
  return {
    maxConcurrentActivityTaskExecutions: config.LLMOS_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentWorkflowTaskExecutions: config.LLMOS_MAX_CONCURRENT_WORKFLOW_TASKS,
    ...(config.LLMOS_MAX_CACHED_WORKFLOWS === undefined
      ? {}
      : { maxCachedWorkflows: config.LLMOS_MAX_CACHED_WORKFLOWS }),
    workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: config.LLMOS_WORKFLOW_TASK_POLLERS },
    activityTaskPollerBehavior: { type: 'simple-maximum', maximum: config.LLMOS_ACTIVITY_TASK_POLLERS },
  };
}

/**
 * The composition root: one worker polling the llmos task queue for workflow and activity tasks.
 * `workflowBundle` lets tests and benchmarks reuse one webpack bundle across workers; with tracing
 * on (`installTracing`), it must be one bundled with `tracingPlugins()`, which adds the workflow
 * interceptors.
 */
export async function createWorker(
  config: WorkerConfig,
  options: {
    workflowBundle?: { code: string };
    /** The project's own tools and MCP servers (`llmos.config.ts`, or given in code). */
    extensions?: LlmosConfig;
  } = {},
) {
  const opened = await openWorkerResources(config, options.extensions);
  let connection: NativeConnection;
  try {
    connection = await connectTemporalNative(config.temporal);
  } catch (error) {
    await opened.close();
    throw error;
  }
  const activities = createActivitiesFromConfig(config, opened.resources, opened.extensions);
  // Bundled here rather than by the worker, so the build id can be derived from the bundle; the
  // built package has its bundles made at build time.
  const dataConverter = dataConverterFor(config.payloadKeys);
  const workflowBundle =
    options.workflowBundle ??
    (await prebuiltWorkflowBundle({ encrypted: dataConverter !== undefined, traced: tracingInstalled() })) ??
    (await bundleWorkflows({
      failureConverterPath: dataConverter?.failureConverterPath,
      plugins: tracingPlugins(),
    }));
  const version = workerVersionOf(config, workflowBundle);
  const main = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.LLMOS_TASK_QUEUE,
    workflowBundle,
    ...versionOptions(version),
    plugins: tracingPlugins(),
    activities,
    ...workerTuning(config),
    shutdownGraceTime: config.LLMOS_SHUTDOWN_GRACE_MS,
    ...(dataConverter ? { dataConverter } : {}),
  });
  // A rate-limited provider's own queue, where the server holds its calls to the limit; every
  // other model call runs on the main queue. A worker per provider besides would cost each
  // process its pollers and tens of megabytes for queues that get no task.
  const rateLimited = ProviderSchema.options.filter(
    (provider) => config.LLMOS_RATE_LIMITS[provider] !== undefined,
  );
  const providerWorkers = await Promise.all(
    rateLimited.map((provider) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: providerTaskQueue(config.LLMOS_TASK_QUEUE, provider),
        ...versionOptions(version),
        plugins: tracingPlugins(),
        activities,
        ...workerTuning(config),
        shutdownGraceTime: config.LLMOS_SHUTDOWN_GRACE_MS,
        ...(dataConverter ? { dataConverter } : {}),
        maxTaskQueueActivitiesPerSecond: config.LLMOS_RATE_LIMITS[provider],
      }),
    ),
  );
  const worker = new WorkerGroup([main, ...providerWorkers]);
  /** After the workers have stopped: the Temporal connection and the cache's. */
  const close = async (): Promise<void> => {
    await connection.close();
    await opened.close();
  };
  return { worker, connection, close, version };
}
