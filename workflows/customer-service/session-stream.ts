import { WorkflowStream, type WorkflowStreamState } from '@temporalio/workflow-streams/workflow';
import { replyStreamTopic, type ReplyStreamEvent } from '../../common/reply-stream.js';

/**
 * The session's reply stream (`@temporalio/workflow-streams`): the agent's model calls publish
 * their drafts to it by signal, the session adds each decided reply and each person's reply, and
 * readers (`llmos serve`, through the client library's `followReplies`) poll it by update. It
 * keeps only the turn under way and the one before, so what it carries across continue-as-new
 * stays small. Deterministic: it changes only on the session's own steps and the signals in history.
 */
export class SessionStream {
  readonly #stream: WorkflowStream;
  /** Where the turn before this one began in the stream; unknown in a new execution's first turn. */
  #lastTurnStart: number | undefined;

  /** Construct before the first `await`: the stream's handlers must be there for the first reader. */
  constructor(state: WorkflowStreamState | undefined) {
    this.#stream = new WorkflowStream(state);
  }

  publish(event: ReplyStreamEvent): void {
    this.#stream.topic<ReplyStreamEvent>(replyStreamTopic).publish(event);
  }

  /** A new turn begins: what came before the last turn is dropped. */
  startTurn(): void {
    const { base_offset, log } = this.#stream.getState();
    if (this.#lastTurnStart !== undefined) this.#stream.truncate(this.#lastTurnStart);
    this.#lastTurnStart = base_offset + log.length;
  }

  /** Readers are let go (their polls end, new ones are refused until the next execution): before continuing as new or closing. */
  detachReaders(): void {
    this.#stream.detachPollers();
  }

  get state(): WorkflowStreamState {
    return this.#stream.getState();
  }
}
