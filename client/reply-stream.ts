/**
 * Reading a session's reply stream from the client's side: the events as they come (drafts of the
 * reply being written, each decided reply, each person's reply), and what a reader should show of
 * them. Part of the client library; `llmos serve` turns it into server-sent events.
 */
import type { Client } from '@temporalio/client';
import { WorkflowStreamClient } from '@temporalio/workflow-streams/client';
import { replyStreamTopic, ReplyStreamEventSchema, type ReplyStreamEvent } from '../common/reply-stream.js';

/** The stream's end: where a reader starts to read only what comes after now. */
export function replyStreamOffset(client: Client, sessionId: string): Promise<number> {
  return WorkflowStreamClient.create(client, sessionId).getOffset();
}

/**
 * The session's reply-stream events from `fromOffset` (0: the oldest it still keeps), following
 * continue-as-new, until the session closes. An event that does not fit the schema is skipped.
 */
export async function* followReplies(
  client: Client,
  sessionId: string,
  fromOffset = 0,
): AsyncGenerator<{ offset: number; event: ReplyStreamEvent }> {
  const topic = WorkflowStreamClient.create(client, sessionId).topic<unknown>(replyStreamTopic);
  for await (const item of topic.subscribe(fromOffset)) {
    const parsed = ReplyStreamEventSchema.safeParse(item.data);
    if (parsed.success) yield { offset: item.offset, event: parsed.data };
  }
}

/** What a reader shows of one message's reply. */
export interface ReplyView {
  key: string;
  text: string;
  /** `draft` while the model writes; then the decided reply's outcome, or `person`. */
  state: 'draft' | 'final';
  outcome?: string;
  by?: string;
  piiVault?: string;
}

/**
 * Folds reply-stream events into what a reader shows, by key. A draft grows with its call's
 * pieces; a later model call of the same reply starts it again (the text the model wrote before a
 * tool call is not the answer); a later attempt of the same call starts it again and the earlier
 * attempt's pieces, late or not, are dropped, so a retried call never shows text twice or mixed.
 * A decided reply replaces the draft, and no draft changes it after.
 */
export class ReplyViews {
  readonly #views = new Map<string, ReplyView & { call?: string; attempt?: number; calls: Set<string> }>();

  /** The view the event changed, or undefined when the event is stale and was dropped. */
  apply(event: ReplyStreamEvent): ReplyView | undefined {
    const view = this.#views.get(event.key) ?? { key: event.key, text: '', state: 'draft', calls: new Set() };
    this.#views.set(event.key, view);
    if (event.type !== 'draft') {
      Object.assign(view, {
        text: event.text,
        state: 'final',
        outcome: event.type === 'reply' ? event.outcome : 'person',
        ...(event.type === 'person' ? { by: event.by } : {}),
        ...(event.type === 'reply' && event.piiVault ? { piiVault: event.piiVault } : {}),
      });
      return publicView(view);
    }
    if (view.state === 'final') return undefined;
    if (event.call !== view.call) {
      // A call already passed by is over: its late pieces are dropped.
      if (view.calls.has(event.call)) return undefined;
      view.calls.add(event.call);
      Object.assign(view, { call: event.call, attempt: event.attempt, text: '' });
    } else if (event.attempt < view.attempt!) return undefined;
    else if (event.attempt > view.attempt!) Object.assign(view, { attempt: event.attempt, text: '' });
    view.text += event.text;
    return publicView(view);
  }
}

function publicView(view: ReplyView & { call?: string; attempt?: number; calls: Set<string> }): ReplyView {
  const { call: _call, attempt: _attempt, calls: _calls, ...shown } = view;
  return { ...shown };
}
