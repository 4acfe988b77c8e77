/**
 * Small shared pieces of the reactAgentWorkflow tests: what the fake provider received, what the
 * workflow's history holds, and polling without fixed sleeps.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { tsToMs } from '@temporalio/common/lib/time.js';
import type { ModelRetry } from '../../common/run-contract.js';
import type { ChatMessage, ToolResultMessage } from '../../common/chat.js';
import type { RecordedRequest } from '../../fake-llm/server.js';

/** Small retry settings so that retried model calls take milliseconds, not seconds. */
export const quickRetry: Partial<ModelRetry> = {
  initialIntervalMs: 100,
  maximumIntervalMs: 200,
  heartbeatTimeoutMs: 5_000,
};

/** The JSON body the provider received. */
export function wireBody(request: RecordedRequest | undefined): Record<string, unknown> {
  if (!request || request.body === null || typeof request.body !== 'object')
    throw new Error('no JSON request recorded');
  return request.body as Record<string, unknown>;
}

/** The request's messages in the neutral shape, as the fake server read them off the wire. */
export function messagesOf(request: RecordedRequest | undefined): ChatMessage[] {
  const messages = request?.chatRequest?.messages;
  if (!messages) throw new Error('the request was not a parseable chat request');
  return messages;
}

export function toolMessagesOf(request: RecordedRequest | undefined): ToolResultMessage[] {
  return messagesOf(request).filter((message): message is ToolResultMessage => message.role === 'tool');
}

/** Names of the activities the workflow scheduled, in order (retries are not new schedules). */
export async function scheduledActivities(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

/** Counts of some history event kinds, for asserting on what happened without timing it. */
export async function historyCounts(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  const count = (has: (event: (typeof events)[number]) => unknown) =>
    events.filter((event) => Boolean(has(event))).length;
  return {
    timersStarted: count((event) => event.timerStartedEventAttributes),
    /** Every timer's duration: the deadline of each model call, and the hold on a cap. */
    timerDurationsMs: events.flatMap((event) => {
      const attributes = event.timerStartedEventAttributes;
      return attributes ? [tsToMs(attributes.startToFireTimeout)] : [];
    }),
    timersFired: count((event) => event.timerFiredEventAttributes),
    updatesAccepted: count((event) => event.workflowExecutionUpdateAcceptedEventAttributes),
    updatesCompleted: count((event) => event.workflowExecutionUpdateCompletedEventAttributes),
    workflowTaskFailures: count((event) => event.workflowTaskFailedEventAttributes),
    activityTasksStarted: count((event) => event.activityTaskStartedEventAttributes),
  };
}

/**
 * Every payload of the run's history after the question was judged, as text: what a reader of
 * history sees once the question is masked (the run's input and the guard step's, before it,
 * hold the question as the caller gave it).
 */
export async function historyAfterQuestion(handle: WorkflowHandle): Promise<string> {
  const events = (await handle.fetchHistory()).events ?? [];
  const judged = events.findIndex((event) => event.activityTaskCompletedEventAttributes);
  // Payload bytes come base64-encoded.
  return JSON.stringify(events.slice(judged), (key, value: unknown) =>
    key === 'data' && typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : value,
  );
}
