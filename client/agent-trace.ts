/**
 * A long agent run's trace is split: its last steps travel in the query answer or the result, the
 * earlier ones are in the blob store as segments (`TraceSegment`). These put it back together.
 */
import type { AgentResult, AgentStep, TraceSegment } from '../common/agent.js';
import type { BlobRef } from '../common/blob-ref.js';
import { traceSince } from '../common/trace-segments.js';

/** Reads one stored segment's steps (e.g. `traceSegmentReader` of `workers/local-tools`). */
export type ReadTraceSegment = (segment: TraceSegment) => Promise<AgentStep[]>;

/** Reads one stored text whole (`readText` of the same reader). */
export type ReadStoredText = (ref: BlobRef) => Promise<string>;

/** Part of a trace from some step on: the stored segments it begins with, then the steps at hand. */
export interface TraceView {
  steps: AgentStep[];
  storedSteps?: TraceSegment[] | undefined;
}

/** A finished run's trace from step `sinceStep` on, as a progress query would answer it. */
export function resultTraceSince(result: AgentResult, sinceStep: number): TraceView {
  return traceSince(result.traceSegments ?? [], result.trace, sinceStep);
}

/**
 * The steps of `view` from step `sinceStep` on, the stored ones read with `read`. Without a
 * reader, the stored steps are left out and only the steps at hand are given.
 */
export async function stepsSince(
  view: TraceView,
  sinceStep: number,
  read: ReadTraceSegment | undefined,
): Promise<AgentStep[]> {
  const stored: AgentStep[] = [];
  if (read)
    for (const segment of view.storedSteps ?? [])
      stored.push(...(await read(segment)).slice(Math.max(0, sinceStep - segment.from)));
  return [...stored, ...view.steps];
}

/**
 * The result (an agent's or a PSV run's) with its whole trace in `trace`, the stored segments
 * read with `read`; they hold steps of the result's own kind.
 */
export async function withWholeTrace<
  Result extends { trace: readonly object[]; traceSegments?: TraceSegment[] | undefined },
>(result: Result, read: ReadTraceSegment): Promise<Result> {
  if (!result.traceSegments?.length) return result;
  const { traceSegments, ...rest } = result;
  const view = traceSince(traceSegments, result.trace as AgentStep[], 0);
  return { ...rest, trace: await stepsSince(view, 0, read) } as unknown as Result;
}
