/**
 * How the runs of a time window are read from Temporal's visibility, the same way by `llmos
 * stats` and `llmos cost` (client/recorded-runs.ts) and by the monitors
 * (activities/monitors/monitor-readings.ts). Pure.
 */
import type { TypedSearchAttributes } from '@temporalio/common';
import { jobKindOfWorkflowType } from './job-kinds.js';
import { LlmosKind } from './search-attributes.js';

/** The statuses of a closed run that did not complete: what an error rate counts. */
export const failedRunStatuses: ReadonlySet<string> = new Set([
  'FAILED',
  'TERMINATED',
  'TIMED_OUT',
  'CANCELLED',
]);

/**
 * The visibility query of the runs started since `since`: every execution but those that
 * continued as new (the run each became carries their totals), or only completed ones; on one
 * task queue when given (a name without quotes).
 */
export function runsSinceQuery(options: {
  since: Date;
  completedOnly?: boolean | undefined;
  taskQueue?: string | undefined;
}): string {
  const status = options.completedOnly
    ? `ExecutionStatus = 'Completed'`
    : `ExecutionStatus != 'ContinuedAsNew'`;
  const queue = options.taskQueue ? ` AND TaskQueue = '${options.taskQueue}'` : '';
  return `StartTime >= '${options.since.toISOString()}' AND ${status}${queue}`;
}

/** A listed or described execution, as far as these helpers read it. */
interface ListedRun {
  type: string;
  typedSearchAttributes: TypedSearchAttributes;
  parentExecution?: unknown;
  startTime: Date;
  closeTime?: Date | undefined;
}

/** A run's job kind (`LlmosKind`, else by its workflow type); undefined for what is no job. */
export function jobKindOfRun(run: Pick<ListedRun, 'type' | 'typedSearchAttributes'>): string | undefined {
  return run.typedSearchAttributes.get(LlmosKind) ?? jobKindOfWorkflowType[run.type];
}

/** The kind of a top-level job run; undefined for a child (its spend is in its parent's) or no job. */
export function topLevelJobKind(run: ListedRun): string | undefined {
  return run.parentExecution ? undefined : jobKindOfRun(run);
}

/** Start to close of a closed run, in milliseconds. */
export function runDurationMs(run: ListedRun): number | undefined {
  return run.closeTime ? run.closeTime.getTime() - run.startTime.getTime() : undefined;
}
