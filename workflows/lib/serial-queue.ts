/**
 * Jobs run one at a time, in the order they were queued: the turns of a session, which must each
 * read the memory the turn before left. Deterministic: plain promise chaining, no timers.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /** Whether a job runs or waits. */
  get busy(): boolean {
    return this.queued > 0;
  }

  /** Runs `job` after every job queued before it; its failure is its caller's, never the next job's. */
  run<T>(job: () => Promise<T>): Promise<T> {
    this.queued += 1;
    const result = this.tail.then(job).finally(() => {
      this.queued -= 1;
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
