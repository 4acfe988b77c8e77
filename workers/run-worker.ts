import { closeAllDatabases } from '../activities/sql/open-database.js';
import { parseWorkerConfig } from './config.js';
import { createWorker } from './create-worker.js';
import { installRuntime } from './install-runtime.js';

/**
 * The `llmos worker` process: reads the environment once, polls until SIGINT or SIGTERM (in-flight
 * activities finish first), then releases what the activities kept open.
 */
export async function runWorkerProcess(): Promise<void> {
  // Before the first connection: the Temporal runtime takes its log level (LLMOS_LOG_LEVEL) once.
  installRuntime('INFO');
  const config = parseWorkerConfig();
  const { worker, close } = await createWorker(config);
  const providers = [
    config.OPENAI_API_KEY && 'openai',
    config.ANTHROPIC_API_KEY && 'anthropic',
    config.LLMOS_COMPATIBLE_BASE_URL && `compatible (${config.LLMOS_COMPATIBLE_BASE_URL})`,
    'scripted',
  ].filter(Boolean);
  console.log(
    `llmos worker on ${config.TEMPORAL_ADDRESS}, namespace ${config.TEMPORAL_NAMESPACE}, task queue ${config.LLMOS_TASK_QUEUE}; models: ${providers.join(', ')}`,
  );
  // Worker.run() shuts down gracefully on SIGINT/SIGTERM: in-flight activities finish first.
  await worker.run();
  await close();
  // SQLite runner processes and PostgreSQL pools the SQL activities kept warm.
  await closeAllDatabases();
}
