import { providerOf } from './model-ref.js';

/** The task queue llmos workers poll unless `LLMOS_TASK_QUEUE` says otherwise. */
export const defaultTaskQueue = 'llmos';

/**
 * The task queue of a model's calls: one per provider (`ProviderSchema`) next to the workflow's
 * queue, so a provider's request rate can be capped with `maxTaskQueueActivitiesPerSecond`, which
 * the Temporal server enforces across every worker polling the queue.
 */
export function modelTaskQueue(workflowTaskQueue: string, model: string): string {
  return providerTaskQueue(workflowTaskQueue, providerOf(model));
}

/** The task queue a provider's model calls run on, next to the workflow queue `workflowTaskQueue`. */
export function providerTaskQueue(workflowTaskQueue: string, provider: string): string {
  return `${workflowTaskQueue}-models-${provider}`;
}
