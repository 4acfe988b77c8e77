import type { ActivityOptions } from '@temporalio/workflow';
import type { ModelRetry } from '../../common/agent.js';
import { nonRetryableErrorTypes } from '../../common/errors.js';

/** Tool calls, tool descriptions and prompt loading: quick, local, a fixed small retry policy. */
export const localActivityOptions: ActivityOptions = {
  startToCloseTimeout: '1 minute',
  retry: {
    maximumAttempts: 3,
    initialInterval: '1 second',
    nonRetryableErrorTypes: [...nonRetryableErrorTypes],
  },
};

/** Model calls: the run's retry policy as data; heartbeats notice a dead worker mid-call. */
export function modelActivityOptions(retry: ModelRetry): ActivityOptions {
  return {
    startToCloseTimeout: retry.attemptTimeoutMs,
    heartbeatTimeout: retry.heartbeatTimeoutMs,
    retry: {
      maximumAttempts: retry.maximumAttempts,
      initialInterval: retry.initialIntervalMs,
      maximumInterval: retry.maximumIntervalMs,
      backoffCoefficient: 2,
      nonRetryableErrorTypes: [...nonRetryableErrorTypes],
    },
  };
}
