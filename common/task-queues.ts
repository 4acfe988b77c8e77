/** The task queue llmos workers poll unless `LLMOS_TASK_QUEUE` says otherwise. */
export const defaultTaskQueue = 'llmos';

/** The providers whose model calls each have their own task queue (see `modelTaskQueue`). */
export const modelProviders = ['openai', 'anthropic', 'compatible', 'scripted'] as const;
export type ModelProvider = (typeof modelProviders)[number];

/**
 * The task queue of a model's calls: one per provider next to the workflow's queue, so a
 * provider's request rate can be capped with `maxTaskQueueActivitiesPerSecond`, which the
 * Temporal server enforces across every worker polling the queue.
 */
export function modelTaskQueue(workflowTaskQueue: string, model: string): string {
  return providerTaskQueue(workflowTaskQueue, model.slice(0, model.indexOf(':')));
}

/** The task queue a provider's model calls run on, next to the workflow queue `workflowTaskQueue`. */
export function providerTaskQueue(workflowTaskQueue: string, provider: string): string {
  return `${workflowTaskQueue}-models-${provider}`;
}
