import type { Context } from '@temporalio/activity';
import { WorkflowStreamClient } from '@temporalio/workflow-streams/client';
import { replyStreamTopic, type ReplyStreamEvent, type StreamTarget } from '../../common/reply-stream.js';

/** Pieces are sent in batches this often: a reader sees text move, history gets one signal per batch. */
const batchIntervalMs = 150;
/** How long the last batch may take once the call is over: drafts are never worth holding a call up. */
const closeTimeoutMs = 2_000;

/** A model call's drafts on their way to a workflow's reply stream. */
export interface DraftStream {
  /** Publishes one piece of text. Never throws. */
  push(text: string): void;
  /** Sends what is left, for at most two seconds; failures are logged, not thrown. */
  close(): Promise<void>;
}

/**
 * Opens the reply stream of `target.workflowId` for this activity's drafts, tagged with the call
 * (workflow and activity id) and the attempt, so a reader drops a superseded attempt's text. Best
 * effort by design: the workflow records the final reply itself, so a draft that cannot be sent
 * (the workflow closed, the server busy) is logged and dropped, and the model call goes on.
 */
export function openDraftStream(context: Context, target: StreamTarget): DraftStream {
  const { info } = context;
  const publisher = WorkflowStreamClient.create(context.client, target.workflowId, {
    batchInterval: batchIntervalMs,
    maxRetryDuration: closeTimeoutMs,
  });
  const topic = publisher.topic<ReplyStreamEvent>(replyStreamTopic);
  const call = `${info.workflowExecution?.workflowId ?? info.activityId}/${info.activityId}`;
  const warn = (error: unknown) => {
    context.log.warn(`reply stream of ${target.workflowId}: ${(error as Error).message}`);
  };
  return {
    push(text) {
      if (text === '') return;
      try {
        topic.publish({ type: 'draft', key: target.key, call, attempt: info.attempt, text });
      } catch (error) {
        warn(error);
      }
    },
    async close() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          warn(new Error(`the last drafts were not sent within ${closeTimeoutMs} ms`));
          resolve();
        }, closeTimeoutMs);
      });
      await Promise.race([publisher[Symbol.asyncDispose]().catch(warn), timeout]);
      clearTimeout(timer);
    },
  };
}
