import type { History } from '@temporalio/common/lib/proto-utils.js';

type HistoryEvent = NonNullable<History['events']>[number];
type EventType = NonNullable<HistoryEvent['eventType']>;

/** Milliseconds since the epoch of an event's `eventTime`. */
function eventMs(event: HistoryEvent): number {
  const time = event.eventTime;
  if (!time) throw new Error(`history event ${String(event.eventId)} has no time`);
  return Number(time.seconds ?? 0) * 1_000 + (time.nanos ?? 0) / 1e6;
}

// Numeric values of temporal.api.enums.v1.EventType: the proto enum is a runtime value the
// bench does not need to load for three constants.
const activityTaskScheduled = 10 as EventType;
const workflowExecutionCompleted = 2 as EventType;

/**
 * The latency of each agent step in a run's history: from one model call's scheduling to the
 * next's (the last step ends when the run completes). A step is a model call and the tool calls
 * it asked for, so this is what the run spends per step, server round trips included.
 */
export function stepLatenciesFromHistory(
  events: readonly HistoryEvent[],
  modelActivityType = 'callChatModel',
): number[] {
  const starts: number[] = [];
  let completedAt: number | undefined;
  for (const event of events) {
    if (
      event.eventType === activityTaskScheduled &&
      event.activityTaskScheduledEventAttributes?.activityType?.name === modelActivityType
    )
      starts.push(eventMs(event));
    else if (event.eventType === workflowExecutionCompleted) completedAt = eventMs(event);
  }
  if (completedAt === undefined) throw new Error('the run in this history has not completed');
  return starts.map((start, index) => (starts[index + 1] ?? completedAt) - start);
}
