import type { TenantPolicy } from './policies.js';
import { providerOf } from './model-ref.js';

/** The task queue llmos workers poll unless `LLMOS_TASK_QUEUE` says otherwise. */
export const defaultTaskQueue = 'llmos';

/**
 * A run's models as the worker resolved them: the chain, in order, and the providers whose calls
 * go through their own task queue, because a request rate limit applies to them there.
 */
export interface ResolvedModels {
  models: string[];
  providerQueues: string[];
  /** The run's tenant's policy, when it limits where data may go: every call is checked against it. */
  policy?: TenantPolicy;
}

/**
 * The task queue of a model's calls. A provider with a request rate limit (`providerQueues`) has
 * its own queue next to the workflow's, where `maxTaskQueueActivitiesPerSecond` caps its calls
 * across every worker (the Temporal server enforces it). Every other model call runs on the
 * workflow's own queue, where the server can hand it straight back to the worker that scheduled
 * it with the workflow task's completion (eager activity execution), skipping a queue round trip.
 */
export function modelTaskQueue(
  workflowTaskQueue: string,
  model: string,
  providerQueues: readonly string[],
): string {
  const provider = providerOf(model);
  return providerQueues.includes(provider)
    ? providerTaskQueue(workflowTaskQueue, provider)
    : workflowTaskQueue;
}

/** The task queue a provider's model calls run on, next to the workflow queue `workflowTaskQueue`. */
export function providerTaskQueue(workflowTaskQueue: string, provider: string): string {
  return `${workflowTaskQueue}-models-${provider}`;
}
