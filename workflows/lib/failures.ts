import { ErrorType } from '../../common/errors.js';
import { ActivityFailure, ApplicationFailure, TemporalFailure, TimeoutFailure } from '@temporalio/workflow';

/**
 * The type and message of what really went wrong: an activity failure is unwrapped to its cause,
 * whose `type` is one of `ErrorType` (or a Temporal failure name such as a timeout).
 */
export function describeFailure(error: unknown): { type: string; message: string } {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (current instanceof ApplicationFailure)
    return { type: current.type ?? 'Error', message: current.message };
  if (current instanceof TemporalFailure) return { type: current.name, message: current.message };
  if (current instanceof Error) return { type: current.name, message: current.message };
  return { type: 'Error', message: String(current) };
}

/**
 * The type and first detail of the application failure under `error` (an activity failure is
 * unwrapped to its cause); the detail is what the activity put there, unchecked.
 */
export function failureDetails<Details>(error: unknown): { type?: string; details?: Partial<Details> } {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  if (!(current instanceof ApplicationFailure)) return {};
  const details = current.details?.[0];
  return {
    ...(current.type ? { type: current.type } : {}),
    ...(details && typeof details === 'object' ? { details } : {}),
  };
}

/**
 * How long a model call that failed with `error` should wait before it is made again, or
 * undefined when waiting would not help: a rate limit (the provider's `retry-after`, else
 * `defaultMs`) or an open breaker (until its trial). Both activities put the wait in the failure's
 * details; the failure's own next-retry delay does not reach the workflow.
 */
export function waitAskedFor(error: unknown, defaultMs: number): number | undefined {
  const { type, details } = failureDetails<{ retryAfterMs?: unknown; retryInMs?: unknown }>(error);
  let asked: unknown;
  if (type === ErrorType.ModelRateLimited) asked = details?.retryAfterMs;
  else if (type === ErrorType.ModelCircuitOpen) asked = details?.retryInMs;
  else return undefined;
  return typeof asked === 'number' && Number.isFinite(asked) && asked >= 0 ? Math.max(asked, 1) : defaultMs;
}

/**
 * Whether an activity ran out of its schedule-to-close time: a run's deadline, when the run gives
 * a call the time it has left (no timer of its own), not a failure of the model.
 */
export function isScheduleToCloseTimeout(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof TimeoutFailure &&
    error.cause.timeoutType === 'SCHEDULE_TO_CLOSE'
  );
}

/**
 * What the model reads when a tool call failed for good: `ToolFailed:`, the failure's own type
 * when it says more (`McpTimeout`, `McpUnavailable`), and its message, so the model can choose
 * what to do next (another tool, another argument, an answer that says what failed).
 */
export function failedToolObservation(error: unknown): string {
  const { type, message } = describeFailure(error);
  const kind = type === ErrorType.ToolFailed || type === 'Error' ? '' : `${type}: `;
  return `${ErrorType.ToolFailed}: ${kind}${message}`;
}
