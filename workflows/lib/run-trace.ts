import { isCancellation, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { AgentStep, TraceSegment } from '../../common/agent.js';
import { stepsStored, traceSince } from '../../common/trace-segments.js';
import { localActivityOptions } from './activity-options.js';

// Storing a segment is idempotent (the blob store is content-addressed): a local activity, which
// costs one marker in history instead of three events.
const { storeTraceSegment, joinTraceSegments } = proxyLocalActivities<Activities>(localActivityOptions);

/** Steps a run holds in memory, and returns in its result, before it stores them as a segment. */
export const traceSegmentSteps = 32;

/**
 * A run's trace (an agent's, or a PSV run's): its last steps in memory, the earlier ones in the
 * blob store as segments (when the run stores them: `storesSegments`), so a long run's memory,
 * result and history do not grow with its trace. Steps are numbered from the run's start, across
 * its executions. Deterministic; lives in the workflow.
 */
export class RunTrace<Step extends object = AgentStep> {
  private steps: Step[] = [];
  private readonly stored: TraceSegment[];
  /** The segments earlier executions stored: one each. */
  private readonly carried: number;

  constructor(
    segments: readonly TraceSegment[],
    private readonly storesSegments: boolean,
  ) {
    this.stored = [...segments];
    this.carried = segments.length;
  }

  push(step: Step): void {
    this.steps.push(step);
  }

  /** The steps in memory, the last of the run. */
  get recent(): Step[] {
    return this.steps;
  }

  /** The earlier steps, in the blob store. */
  get segments(): TraceSegment[] {
    return this.stored;
  }

  /** The number of the first step in memory. */
  get from(): number {
    return stepsStored(this.stored);
  }

  get count(): number {
    return this.from + this.steps.length;
  }

  /** The steps from number `index` on: those in the blob store by segment, then those in memory. */
  since(index: number): { steps: Step[]; storedSteps?: TraceSegment[] } {
    return traceSince(this.stored, this.steps, index);
  }

  /** Stores the steps in memory once there are a segment's worth (`traceSegmentSteps`). */
  async storeIfFull(): Promise<void> {
    if (this.storesSegments && this.steps.length >= traceSegmentSteps) await this.storeAll();
  }

  /**
   * Before the run continues as new: stores the steps in memory, and joins this execution's
   * segments into one, so the next execution carries one segment per execution before it.
   */
  async storeExecution(): Promise<void> {
    await this.storeAll();
    const mine = this.stored.slice(this.carried);
    if (mine.length > 1) this.stored.splice(this.carried, mine.length, await joinTraceSegments(mine));
  }

  /**
   * `result` with every step in the blob store and none in it (when the run stores segments), for
   * a parent that reads only the answer and totals: one segment per execution, so the result
   * stays the same size however long the run. A store that fails leaves the steps in it.
   */
  async storedResult<Result extends { trace: Step[]; traceSegments?: TraceSegment[] | undefined }>(
    result: Result,
  ): Promise<Result> {
    if (!this.storesSegments || this.steps.length === 0) return result;
    try {
      await this.storeExecution();
    } catch (error) {
      if (isCancellation(error)) throw error;
      return result;
    }
    return { ...result, trace: this.steps, traceSegments: this.stored };
  }

  private async storeAll(): Promise<void> {
    const steps = this.steps.slice();
    if (steps.length === 0) return;
    const segment = await storeTraceSegment({ from: this.from, steps });
    this.stored.push(segment);
    // Steps added while the segment was stored (a caps raise) stay in memory.
    this.steps = this.steps.slice(steps.length);
  }
}
