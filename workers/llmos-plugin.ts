import { SimplePlugin } from '@temporalio/plugin';
import type { WorkerOptions } from '@temporalio/worker';
import { parseWorkerConfig } from './config.js';
import { createActivitiesFromConfig } from './create-worker.js';
import type { LlmosConfig } from './define-config.js';
import { dataConverterFor } from './payload-encryption.js';
import { temporalConnectionSettings } from './temporal-connection.js';
import { openWorkerResources } from './worker-resources.js';
import { workflowsPath } from './workflow-bundle.js';

export interface LlmosPluginOptions extends LlmosConfig {
  /** The llmos settings (`OPENAI_API_KEY`, `LLMOS_*`, `TEMPORAL_*`, as `llmos worker` reads them); `process.env` by default. */
  env?: Readonly<Record<string, string | undefined>>;
}

/**
 * llmos in a project's own worker, as a Temporal plugin:
 *
 *     Worker.create({ connection, taskQueue, workflowsPath, plugins: [await createLlmosPlugin({ tools })] })
 *
 * The worker gets llmos's activities (models, the built-in and the project's tools, MCP servers,
 * guards, stores) beside its own, and llmos's workflows when it names none of its own; a worker
 * with its own `workflowsPath` re-exports `llmos/workflow` from it, so its workflows can run
 * llmos's as child workflows. The entity workflows llmos starts (shared budgets' ledgers, the
 * monitors' state) go to the worker's task queue. What the activities hold open is released when
 * the worker stops.
 *
 * Resolves once the project's tools and servers are checked (a bad definition rejects, naming
 * the tool) and the model services and blob store are ready.
 */
export async function createLlmosPlugin(options: LlmosPluginOptions = {}): Promise<SimplePlugin> {
  const env = { ...options.settings, ...(options.env ?? process.env) };
  const config = parseWorkerConfig(env, temporalConnectionSettings(env));
  const opened = await openWorkerResources(config, {
    ...(options.tools ? { tools: options.tools } : {}),
    ...(options.mcpServers ? { mcpServers: options.mcpServers } : {}),
  });
  const dataConverter = dataConverterFor(config.payloadKeys);
  return new LlmosPlugin(
    {
      name: 'llmos',
      runContext: async (next) => {
        try {
          await next();
        } finally {
          await opened.close();
        }
      },
      ...(dataConverter ? { dataConverter } : {}),
    },
    (taskQueue) =>
      createActivitiesFromConfig(
        { ...config, LLMOS_TASK_QUEUE: taskQueue },
        opened.resources,
        opened.extensions,
      ),
  );
}

/** `SimplePlugin` with what depends on the worker it joins: its task queue, and whether it has workflows. */
class LlmosPlugin extends SimplePlugin {
  constructor(
    options: ConstructorParameters<typeof SimplePlugin>[0],
    private readonly activitiesFor: (taskQueue: string) => object,
  ) {
    super(options);
  }

  override configureWorker(options: WorkerOptions): WorkerOptions {
    const configured = super.configureWorker(options);
    const hasWorkflows = configured.workflowsPath !== undefined || configured.workflowBundle !== undefined;
    return {
      ...configured,
      activities: { ...this.activitiesFor(configured.taskQueue), ...configured.activities },
      ...(hasWorkflows ? {} : { workflowsPath }),
    };
  }
}
