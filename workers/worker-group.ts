import type { State, Worker, WorkerStatus } from '@temporalio/worker';

/**
 * The workers of one llmos process, run and stopped together: the main one (workflows and
 * activities on the llmos queue) and one per rate-limited provider's queue. Stopping one (a
 * signal, a fatal error) stops the others, so the process never keeps half its queues.
 */
export class WorkerGroup {
  constructor(private readonly workers: readonly Worker[]) {}

  /** Resolves once every worker has stopped; rejects with the first worker's failure. */
  async run(): Promise<void> {
    const results = await Promise.allSettled(
      this.workers.map((worker) =>
        worker.run().finally(() => {
          this.shutdown();
        }),
      ),
    );
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  shutdown(): void {
    for (const worker of this.workers) if (worker.getState() === 'RUNNING') worker.shutdown();
  }

  /** Each worker's task queue and status (run state, pollers, work in flight), the main one first. */
  statuses(): Array<{ taskQueue: string; status: WorkerStatus }> {
    return this.workers.map((worker) => ({
      taskQueue: worker.options.taskQueue,
      status: worker.getStatus(),
    }));
  }

  /** The main worker's state. */
  getState(): State {
    return this.workers[0]!.getState();
  }
}
