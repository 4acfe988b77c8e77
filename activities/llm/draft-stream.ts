import type { Context } from '@temporalio/activity';
import { WorkflowStreamClient } from '@temporalio/workflow-streams/client';
import { replyStreamTopic, type ReplyStreamEvent, type StreamTarget } from '../../common/reply-stream.js';

/**
 * The pieces that come within this time go out as one draft, in one signal: a reader sees the
 * text move, and history gets one small event per interval, not one item per token.
 */
const batchIntervalMs = 150;
/** How long the last batch may take once the call is over: drafts are never worth holding a call up. */
const closeTimeoutMs = 2_000;

/** A model call's drafts on their way to a workflow's reply stream. */
export interface DraftStream {
  /** Adds a piece of text to the next draft. Never throws. */
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
    batchInterval: 1_000,
    maxRetryDuration: closeTimeoutMs,
  });
  const topic = publisher.topic<ReplyStreamEvent>(replyStreamTopic);
  const call = `${info.workflowExecution?.workflowId ?? info.activityId}/${info.activityId}`;
  const warn = (error: unknown) => {
    context.log.warn(`reply stream of ${target.workflowId}: ${(error as Error).message}`);
  };
  let pending = '';
  let timer: NodeJS.Timeout | undefined;
  const publish = () => {
    timer = undefined;
    if (pending === '') return;
    const text = pending;
    pending = '';
    try {
      topic.publish(
        { type: 'draft', key: target.key, call, attempt: info.attempt, text },
        { forceFlush: true },
      );
    } catch (error) {
      warn(error);
    }
  };
  return {
    push(text) {
      pending += text;
      timer ??= setTimeout(publish, batchIntervalMs);
    },
    async close() {
      clearTimeout(timer);
      publish();
      let giveUp: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        giveUp = setTimeout(() => {
          warn(new Error(`the last drafts were not sent within ${closeTimeoutMs} ms`));
          resolve();
        }, closeTimeoutMs);
      });
      await Promise.race([publisher[Symbol.asyncDispose]().catch(warn), timeout]);
      clearTimeout(giveUp);
    },
  };
}
