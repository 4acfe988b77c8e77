import type { AgentStep, TraceSegment } from '../../common/agent.js';
import type { BlobStore } from '../blobs/blob-store.js';

/** Activities that keep a long run's trace in the blob store, out of its history and memory. */
export function createTraceActivities(blobs: BlobStore) {
  return {
    /**
     * Stores trace steps `from` onwards (an agent's, or a PSV run's) as one segment. Idempotent:
     * the store is content-addressed, so a retry or a replayed local activity writes the same
     * blob again.
     */
    async storeTraceSegment(input: { from: number; steps: readonly object[] }): Promise<TraceSegment> {
      if (input.steps.length === 0) throw new Error('a trace segment needs at least one step');
      const ref = await blobs.put(JSON.stringify(input.steps));
      return { key: ref.key, bytes: ref.bytes, from: input.from, steps: input.steps.length };
    },

    /**
     * Stores consecutive segments as one, so a run carries one segment per execution into the
     * next instead of one per few dozen steps. Idempotent, as `storeTraceSegment`.
     * @throws Error when the segments are not consecutive, or one is missing from the store.
     */
    async joinTraceSegments(segments: TraceSegment[]): Promise<TraceSegment> {
      segments.slice(1).forEach((segment, index) => {
        const before = segments[index]!;
        if (segment.from !== before.from + before.steps)
          throw new Error(
            `trace segments are not consecutive: step ${segment.from} follows step ${before.from + before.steps - 1}`,
          );
      });
      const steps = (await Promise.all(segments.map((segment) => readTraceSegment(blobs, segment)))).flat();
      const ref = await blobs.put(JSON.stringify(steps));
      return { key: ref.key, bytes: ref.bytes, from: segments[0]!.from, steps: steps.length };
    },
  };
}

/**
 * The steps of one stored segment.
 * @throws Error when the blob is missing, or does not hold as many steps as the segment says.
 */
export async function readTraceSegment(blobs: BlobStore, segment: TraceSegment): Promise<AgentStep[]> {
  const steps: unknown = JSON.parse(await blobs.get(segment.key));
  if (!Array.isArray(steps) || steps.length !== segment.steps)
    throw new Error(
      `trace segment ${segment.key} (steps ${segment.from}-${segment.from + segment.steps - 1}) does not hold ${segment.steps} steps`,
    );
  return steps as AgentStep[];
}
