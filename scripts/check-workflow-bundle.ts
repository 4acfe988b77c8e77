/**
 * Bundles the workflow code exactly as a worker does. A Node built-in, a provider SDK or any
 * other non-deterministic module reached from workflows/ (even transitively, which tsc cannot
 * see) fails the bundle and this script.
 */
import { bundleWorkflowCode } from '@temporalio/worker';
import { workflowsPath } from '../workers/create-worker.js';

try {
  const { code } = await bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
  });
  console.log(`workflow bundle ok: ${(code.length / 1024).toFixed(0)} KiB from ${workflowsPath}`);
} catch (error) {
  console.error(`workflow bundle failed: ${(error as Error).message}`);
  process.exit(1);
}
