import {
  cachedWorkflowBundle,
  workflowBundleCacheDirectory,
  type WorkflowBundle,
} from '../../workers/workflow-bundle.js';

let bundle: Promise<WorkflowBundle> | undefined;

/**
 * The checked workflow bundle, built once per machine and source version (usually already by
 * the bundle check that `npm test` runs first): webpack takes seconds, and every test file needs
 * the same bundle.
 */
export function getWorkflowBundle(): Promise<WorkflowBundle> {
  bundle ??= cachedWorkflowBundle(workflowBundleCacheDirectory);
  return bundle;
}
