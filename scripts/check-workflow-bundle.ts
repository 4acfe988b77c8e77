/**
 * Bundles the workflow code as a worker does and checks it (see `bundleWorkflows`), then stores
 * the bundle where the tests look for it, so `npm test` runs webpack once.
 */
import {
  bundleWorkflows,
  storeWorkflowBundle,
  workflowBundleCacheDirectory,
  workflowsPath,
} from '../workers/workflow-bundle.js';

try {
  const bundle = await bundleWorkflows();
  await storeWorkflowBundle(workflowBundleCacheDirectory, bundle);
  console.log(`workflow bundle ok: ${(bundle.code.length / 1024).toFixed(0)} KiB from ${workflowsPath}`);
} catch (error) {
  console.error(`workflow bundle failed: ${(error as Error).message}`);
  process.exit(1);
}
