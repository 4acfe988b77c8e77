import type { PsvAttempt, PsvResult } from '../common/psv.js';
import { withWholeTrace, type ReadStoredText, type ReadTraceSegment } from './agent-trace.js';

/**
 * A Plan -> Solve -> Verify result whole: its trace and its attempts, which a run keeps in the
 * blob store, read back with `read` and `readText` (see `withTraceReader`).
 * @throws Error when the stored attempts are missing from the store or are not a list.
 */
export async function withWholePsvResult(
  result: PsvResult,
  read: ReadTraceSegment,
  readText: ReadStoredText,
): Promise<PsvResult> {
  const { attemptsStored, ...whole } = await withWholeTrace(result, read);
  if (attemptsStored === undefined) return whole;
  const attempts: unknown = JSON.parse(await readText(attemptsStored));
  if (!Array.isArray(attempts))
    throw new Error(
      `the stored attempts ${attemptsStored.key} of a Plan -> Solve -> Verify run are not a list`,
    );
  return { ...whole, attempts: attempts as PsvAttempt[] };
}
