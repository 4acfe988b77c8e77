import { workflowInfo, type ActivityOptions } from '@temporalio/workflow';
import type { ToolCallOptions } from '../../common/chat.js';
import type { ModelRetry } from '../../common/run-contract.js';
import { nonRetryableErrorTypes } from '../../common/errors.js';
import { modelTaskQueue } from '../../common/task-queues.js';

/** Tool calls, tool descriptions and prompt loading: quick, local, a fixed small retry policy. */
export const localActivityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    maximumAttempts: 3,
    initialInterval: '1 second',
    nonRetryableErrorTypes: [...nonRetryableErrorTypes],
  },
};

/**
 * One tool's calls: `localActivityOptions` with what its definition changes (recorded by
 * `describeTools`, so the same on every replay). Merged into the call's options by
 * `executeWithOptions`.
 */
export function toolActivityOptions(options: ToolCallOptions | undefined): ActivityOptions {
  if (!options) return {};
  return {
    ...(options.timeoutMs !== undefined ? { startToCloseTimeout: options.timeoutMs } : {}),
    retry: {
      ...(options.maximumAttempts !== undefined ? { maximumAttempts: options.maximumAttempts } : {}),
      ...(options.initialIntervalMs !== undefined ? { initialInterval: options.initialIntervalMs } : {}),
      ...(options.maximumIntervalMs !== undefined ? { maximumInterval: options.maximumIntervalMs } : {}),
    },
  };
}

/**
 * Model calls: the run's retry policy as data; heartbeats notice a dead worker mid-call. They run
 * on the workflow's queue, or on the provider's own queue when it has a rate limit there
 * (`providerQueues`, see `modelTaskQueue`).
 */
export function modelActivityOptions(
  retry: ModelRetry,
  model: string,
  providerQueues: readonly string[],
): ActivityOptions {
  return {
    taskQueue: modelTaskQueue(workflowInfo().taskQueue, model, providerQueues),
    startToCloseTimeout: retry.attemptTimeoutMs,
    heartbeatTimeout: retry.heartbeatTimeoutMs,
    // No `nonRetryableErrorTypes`: every failure of those types a model activity raises is created
    // non-retryable already, and the list would cost ~190 bytes of history on every call.
    retry: {
      maximumAttempts: retry.maximumAttempts,
      initialInterval: retry.initialIntervalMs,
      maximumInterval: retry.maximumIntervalMs,
      backoffCoefficient: 2,
    },
  };
}
