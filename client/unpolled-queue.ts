/**
 * A run that no worker picks up waits for ever without a word: its task queue has no poller
 * (no worker started, or one on another LLMOS_TASK_QUEUE). A command that follows a run watches
 * for that and says so once, naming the queue and how to start a worker, and goes on following:
 * the run starts as soon as a worker polls.
 */
import type { Client, WorkflowHandle } from '@temporalio/client';
import proto from '@temporalio/proto';

/** How long a run may go unpicked before the warning: a worker that polls answers within this. */
const graceMs = 5_000;
/** A poller not seen for this long is a worker that has gone (the server lists them for minutes). */
const stalePollerMs = 60_000;

/** Whether some worker has polled `taskQueue` for workflow tasks lately. */
export async function hasWorkflowPoller(client: Client, taskQueue: string): Promise<boolean> {
  const { pollers } = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue },
    taskQueueType: proto.temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
  });
  const now = Date.now();
  return (pollers ?? []).some((poller) => {
    const seconds = Number(poller.lastAccessTime?.seconds ?? 0);
    return now - seconds * 1_000 < stalePollerMs;
  });
}

/**
 * After `graceMs`, when the run has not had a workflow task done and its queue has no poller,
 * writes one warning with `write` (stderr by default). Returns a function that stops watching.
 * Never throws: a watch that cannot ask the server stays silent.
 */
export function warnWhenUnpolled(
  client: Client,
  handle: WorkflowHandle,
  write: (line: string) => void = (line) => console.error(line),
  afterMs = graceMs,
): () => void {
  const timer = setTimeout(() => {
    void (async () => {
      const description = await handle.describe();
      if (description.status.name !== 'RUNNING' || (description.historyLength ?? 0) > 3) return;
      if (await hasWorkflowPoller(client, description.taskQueue)) return;
      write(
        `No worker polls task queue "${description.taskQueue}": the run waits until one does. ` +
          `Start one with \`LLMOS_TASK_QUEUE=${description.taskQueue} npx llmos worker\` (same Temporal server and namespace).`,
      );
    })().catch(() => undefined);
  }, afterMs);
  timer.unref();
  return () => clearTimeout(timer);
}
