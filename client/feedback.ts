import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { describeIssues } from '../common/describe-issues.js';
import {
  feedbackIdPrefix,
  feedbackOfMemo,
  feedbackSinceQuery,
  feedbackWorkflowType,
  RunFeedbackSchema,
  summarizeScores,
  type RunFeedback,
} from '../common/feedback.js';
import { jobKindOfRun } from '../common/run-window.js';
import { LlmosFeedbackScore } from '../common/search-attributes.js';
import { defaultTaskQueue } from '../common/task-queues.js';
import { hasFeedbackSearchAttribute } from './start-run.js';

/**
 * Records a person's feedback on a run, open or long closed: a `runFeedbackWorkflow` execution
 * whose memo holds it with the run's kind and whose `LlmosFeedbackScore` search attribute (where the namespace has
 * it) lets the UI and visibility queries find it. Returns the feedback's workflow id.
 *
 * @throws Error naming the problem: a score out of range, a run that does not exist.
 */
export async function recordFeedback(
  client: Client,
  given: Omit<RunFeedback, 'kind'>,
  options: { taskQueue?: string | undefined } = {},
): Promise<string> {
  const parsed = RunFeedbackSchema.safeParse(given);
  if (!parsed.success) throw new Error(`invalid feedback: ${describeIssues(parsed.error.issues).join('; ')}`);
  let kind: string | undefined;
  try {
    const run = await client.workflow.getHandle(parsed.data.workflowId).describe();
    kind = jobKindOfRun(run);
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      throw new Error(`no run has the workflow id ${parsed.data.workflowId}`);
    throw error;
  }
  const feedback: RunFeedback = { ...parsed.data, ...(kind ? { kind } : {}) };
  const workflowId = `${feedbackIdPrefix(parsed.data.workflowId)}${crypto.randomUUID()}`;
  await client.workflow.start(feedbackWorkflowType, {
    args: [feedback],
    workflowId,
    taskQueue: options.taskQueue ?? process.env.LLMOS_TASK_QUEUE ?? defaultTaskQueue,
    memo: { feedback },
    ...((await hasFeedbackSearchAttribute(client))
      ? { typedSearchAttributes: [{ key: LlmosFeedbackScore, value: parsed.data.score }] }
      : {}),
  });
  return workflowId;
}

/** The feedback given since `since`, by the run's workflow id (from the executions' memos). */
export async function feedbackSince(client: Client, since: Date): Promise<Map<string, RunFeedback[]>> {
  const byRun = new Map<string, RunFeedback[]>();
  for await (const info of client.workflow.list({ query: feedbackSinceQuery(since) })) {
    const feedback = feedbackOfMemo(info.memo);
    if (!feedback) continue;
    byRun.set(feedback.workflowId, [...(byRun.get(feedback.workflowId) ?? []), feedback]);
  }
  return byRun;
}

/**
 * The feedback given since `since` on runs of one kind, on one task queue (where the feedback
 * was recorded: a deployment's): how many scores and their mean. What `llmos eval` shows beside
 * a dataset's accuracy.
 */
export async function feedbackOfKind(
  client: Client,
  options: { kind: string; since: Date; taskQueue: string },
): Promise<{ count: number; meanScore: number | null }> {
  const scores: number[] = [];
  for await (const info of client.workflow.list({
    query: `${feedbackSinceQuery(options.since)} AND TaskQueue = '${options.taskQueue}'`,
  })) {
    const feedback = feedbackOfMemo(info.memo);
    if (feedback?.kind === options.kind) scores.push(feedback.score);
  }
  return summarizeScores(scores);
}
