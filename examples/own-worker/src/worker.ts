/**
 * The application's worker: its own workflows (which re-export llmos's), and llmos's activities
 * with the shop's tools, added by the llmos plugin. Stops on SIGINT or SIGTERM.
 */
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createLlmosPlugin } from 'llmos/worker';
import { issueRefund, lookupOrder } from './tools.js';

const taskQueue = process.env.TASK_QUEUE ?? 'refund-desk';
const connection = await NativeConnection.connect({
  address: process.env.TEMPORAL_ADDRESS ?? 'localhost:7233',
});
const llmos = await createLlmosPlugin({
  tools: [lookupOrder, issueRefund],
  // The scripted model of this example (scripts/refund-desk.json) answers without an API key.
  env: { LLMOS_SCRIPTS_DIRECTORY: fileURLToPath(new URL('../scripts', import.meta.url)), ...process.env },
});
const worker = await Worker.create({
  connection,
  taskQueue,
  workflowsPath: fileURLToPath(new URL('./workflows.js', import.meta.url)),
  plugins: [llmos],
});
console.log(`refund desk worker on task queue ${taskQueue}`);
try {
  await worker.run();
} finally {
  await connection.close();
}
