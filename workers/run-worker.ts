import { closeAllDatabases } from '../activities/sql/open-database.js';
import { parseWorkerConfig } from './config.js';
import { createWorker } from './create-worker.js';
import { installRuntime } from './install-runtime.js';
import {
  describeConnection,
  temporalConnectionSettings,
  type TemporalConnectionFlags,
} from './temporal-connection.js';

/**
 * The `llmos worker` process: reads the environment once (the Temporal connection with the
 * command's `connection` flags on top), polls until SIGINT or SIGTERM (the activities in flight
 * finish first, for up to LLMOS_SHUTDOWN_GRACE_MS), then releases what the activities kept open.
 */
export async function runWorkerProcess(connection: TemporalConnectionFlags = {}): Promise<void> {
  // Before the first connection: the Temporal runtime takes its log level (LLMOS_LOG_LEVEL) once.
  installRuntime('INFO');
  const config = parseWorkerConfig(process.env, temporalConnectionSettings(process.env, connection));
  const { worker, close } = await createWorker(config);
  const providers = [
    config.OPENAI_API_KEY && 'openai',
    config.ANTHROPIC_API_KEY && 'anthropic',
    config.LLMOS_COMPATIBLE_BASE_URL && `compatible (${config.LLMOS_COMPATIBLE_BASE_URL})`,
    'scripted',
  ].filter(Boolean);
  console.log(
    `llmos worker on ${describeConnection(config.temporal)}, task queue ${config.LLMOS_TASK_QUEUE}; models: ${providers.join(', ')}`,
  );
  // On SIGINT/SIGTERM Worker.run() stops polling and lets the activities in flight finish for up
  // to LLMOS_SHUTDOWN_GRACE_MS (the SDK's default is none: it would cancel a model call mid-way).
  await worker.run();
  await close();
  // SQLite runner processes and PostgreSQL pools the SQL activities kept warm.
  await closeAllDatabases();
}
