import { closeAllDatabases } from '../activities/sql/open-database.js';
import { parseWorkerConfig } from './config.js';
import { createWorker } from './create-worker.js';
import { startHealthServer } from './health-server.js';
import { installRuntime } from './install-runtime.js';
import { describeVersion } from './worker-version.js';
import { describeExtensions, loadProjectConfig } from './project-config.js';
import {
  describeConnection,
  temporalConnectionSettings,
  type TemporalConnectionFlags,
} from './temporal-connection.js';

/**
 * The `llmos worker` process: reads the environment once (the Temporal connection with the
 * command's `connectionFlags` on top), serves its health when LLMOS_HEALTH_PORT is set, polls
 * until SIGINT or SIGTERM (the activities in flight finish first, for up to
 * LLMOS_SHUTDOWN_GRACE_MS), then releases what the activities kept open.
 */
export async function runWorkerProcess(
  connectionFlags: TemporalConnectionFlags = {},
  /** The project's `llmos.config` file (`--config`), over LLMOS_CONFIG_FILE. */
  configFile?: string,
): Promise<void> {
  // Before the first connection: the Temporal runtime takes its log level (LLMOS_LOG_LEVEL) once.
  installRuntime('INFO');
  const project = await loadProjectConfig(configFile ?? process.env.LLMOS_CONFIG_FILE);
  const env = { ...project.settings, ...process.env };
  const config = parseWorkerConfig(env, temporalConnectionSettings(env, connectionFlags));
  const { worker, connection, close, version } = await createWorker(config, {
    extensions: { tools: project.tools, mcpServers: project.mcpServers },
  });
  const providers = [
    config.OPENAI_API_KEY && 'openai',
    config.ANTHROPIC_API_KEY && 'anthropic',
    config.LLMOS_COMPATIBLE_BASE_URL && `compatible (${config.LLMOS_COMPATIBLE_BASE_URL})`,
    'scripted',
    `local (${config.LLMOS_LOCAL_MODELS_DIR})`,
  ].filter(Boolean);
  // The key ids only: the keys themselves are never printed.
  const encryption = config.payloadKeys
    ? `; payloads encrypted with key ${config.payloadKeys.at(-1)!.id} (${config.payloadKeys.length} keys)`
    : '';
  // The project's line first: whoever waits for the start line (a supervisor, a test) has it then.
  if (project.file) console.log(describeExtensions(project));
  console.log(
    `llmos worker on ${describeConnection(config.temporal)}, task queue ${config.LLMOS_TASK_QUEUE}; models: ${providers.join(', ')}${encryption}`,
  );
  console.log(describeVersion(version));
  const health =
    config.LLMOS_HEALTH_PORT === undefined
      ? undefined
      : await startHealthServer({
          port: config.LLMOS_HEALTH_PORT,
          host: config.LLMOS_HEALTH_HOST,
          group: worker,
          connection,
        });
  if (health) console.log(`health: ${health.url}/livez and ${health.url}/readyz`);
  // On SIGINT/SIGTERM Worker.run() stops polling and lets the activities in flight finish for up
  // to LLMOS_SHUTDOWN_GRACE_MS (the SDK's default is none: it would cancel a model call mid-way).
  try {
    await worker.run();
  } finally {
    await health?.close();
  }
  await close();
  // SQLite runner processes and PostgreSQL pools the SQL activities kept warm.
  await closeAllDatabases();
}
