/**
 * A long run's trace in two parts: segments in the blob store, then the recent steps at hand (in
 * the workflow's memory, a progress answer or a result). Pure; the workflow and the client both
 * number and slice it this way.
 */
import type { AgentStep, TraceSegment } from './agent.js';

/** The number of the first step after `segments`: that of the first recent step. */
export function stepsStored(segments: readonly TraceSegment[]): number {
  const last = segments.at(-1);
  return last ? last.from + last.steps : 0;
}

/**
 * The trace from step number `index` on: the recent steps from there, and, when it starts before
 * them, the stored segments that hold the steps in between (`storedSteps`).
 */
export function traceSince<Step = AgentStep>(
  segments: readonly TraceSegment[],
  recent: readonly Step[],
  index: number,
): { steps: Step[]; storedSteps?: TraceSegment[] } {
  const [at, from] = [Math.max(0, index), stepsStored(segments)];
  const steps = recent.slice(Math.max(0, at - from));
  if (at >= from) return { steps };
  return { steps, storedSteps: segments.filter((segment) => segment.from + segment.steps > at) };
}
