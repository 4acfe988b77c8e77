import type { WorkerOptions } from '@temporalio/worker';
import type { WorkerConfig } from './config.js';
import { workerBuildId, type WorkflowBundle } from './workflow-bundle.js';

/** The code a worker runs, as Temporal knows it: a build id, and its Worker Deployment when versioned. */
export interface WorkerVersion {
  buildId: string;
  /** LLMOS_DEPLOYMENT_NAME: set when the worker uses Worker Versioning. */
  deploymentName?: string;
}

export function workerVersionOf(
  config: Pick<WorkerConfig, 'LLMOS_DEPLOYMENT_NAME' | 'LLMOS_BUILD_ID'>,
  bundle: WorkflowBundle,
): WorkerVersion {
  const buildId = config.LLMOS_BUILD_ID ?? workerBuildId(bundle);
  return config.LLMOS_DEPLOYMENT_NAME
    ? { buildId, deploymentName: config.LLMOS_DEPLOYMENT_NAME }
    : { buildId };
}

/**
 * The worker options that carry the version. Unversioned, the build id is only recorded in the
 * task events the worker completes. Versioned, the server sends a run's tasks to the version the
 * run belongs to: pinned runs stay on the version that started them, the others follow the
 * deployment's current version (`workflows/index.ts` says which is which; `AUTO_UPGRADE` is the
 * default for any type that does not say).
 */
export function versionOptions(
  version: WorkerVersion,
): Pick<WorkerOptions, 'buildId' | 'workerDeploymentOptions'> {
  if (!version.deploymentName) return { buildId: version.buildId };
  return {
    workerDeploymentOptions: {
      version: { deploymentName: version.deploymentName, buildId: version.buildId },
      useWorkerVersioning: true,
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    },
  };
}

export function describeVersion(version: WorkerVersion): string {
  return version.deploymentName
    ? `Worker Deployment ${version.deploymentName}, build id ${version.buildId}`
    : `build id ${version.buildId} (unversioned)`;
}
