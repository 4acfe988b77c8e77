import type { Customer, SessionContinuation, SessionTurn } from '../../common/customer-service.js';

/** The most a summary keeps: a model that ignores its word limit cannot grow the session's input. */
const maxSummaryChars = 2_000;
/** The most of one message or reply the prompt quotes word for word. */
const maxQuotedChars = 1_000;

/**
 * What a session remembers of its conversation: a summary of the turns it no longer keeps word for
 * word (turns 1 to `summarised`), and the recent turns. The agent reads the summary and the last
 * `keep` turns; once twice that many wait, the older ones are folded into the summary (a model
 * call, `foldable` then `folded`). Bounded whatever the number of turns, so it is what the session
 * carries into its next execution. Deterministic: plain data.
 */
export class SessionMemory {
  private constructor(
    private summaryText: string,
    private summarisedThrough: number,
    private readonly turns: SessionTurn[],
    private readonly keep: number,
  ) {}

  static start(keep: number, continued?: Pick<SessionContinuation, 'summary' | 'summarised' | 'recent'>) {
    return new SessionMemory(
      continued?.summary ?? '',
      continued?.summarised ?? 0,
      [...(continued?.recent ?? [])],
      keep,
    );
  }

  get summary(): string {
    return this.summaryText;
  }

  get summarised(): number {
    return this.summarisedThrough;
  }

  get recent(): SessionTurn[] {
    return [...this.turns];
  }

  remember(turn: SessionTurn): void {
    this.turns.push(turn);
  }

  /** The turn a message of this id got, when the session still remembers it word for word. */
  answered(messageId: string): SessionTurn | undefined {
    return this.turns.find((turn) => turn.messageId === messageId);
  }

  /** The turns to fold into the summary now: none until twice `keep` wait. */
  foldable(): SessionTurn[] {
    return this.turns.length >= 2 * this.keep ? this.turns.slice(0, this.turns.length - this.keep) : [];
  }

  /** The summary now covers the turns up to `through`: they leave the recent ones. */
  folded(summary: string, through: number): void {
    this.summaryText = summary.trim().slice(0, maxSummaryChars);
    this.summarisedThrough = through;
    const kept = this.turns.filter((turn) => turn.turn > through);
    this.turns.splice(0, this.turns.length, ...kept);
  }

  /**
   * The turns up to `through` are let go unsummarised (the summary's call failed and too many
   * wait): the summary says so, rather than passing for a whole account.
   */
  dropped(through: number): void {
    const from = this.summarisedThrough + 1;
    const note = `(Turns ${from} to ${through} could not be summarised and are not remembered.)`;
    this.folded(this.summaryText === '' ? note : `${this.summaryText}\n${note}`, through);
  }

  /** The memory as the turn prompt's variables. */
  promptVariables(customer: Customer): { customer: string; summary: string; recent: string } {
    return {
      customer: customer.name ? `${customer.name} (${customer.id})` : customer.id,
      summary: this.summaryText === '' ? '(nothing earlier)' : this.summaryText,
      recent:
        this.turns.length === 0
          ? '(none: this is the first message)'
          : transcript(this.turns.slice(-this.keep)),
    };
  }
}

/** Turns as the prompts quote them: the customer's message, then the reply; a person's reply alone. */
export function transcript(turns: readonly SessionTurn[]): string {
  return turns
    .map((turn) =>
      turn.outcome === 'person'
        ? `Agent (a person, ${turn.by ?? 'unnamed'}): ${quoted(turn.reply)}`
        : `Customer: ${quoted(turn.message)}\nAgent: ${quoted(turn.reply)}`,
    )
    .join('\n\n');
}

const quoted = (text: string) =>
  text.length <= maxQuotedChars
    ? text
    : `${text.slice(0, maxQuotedChars)} [... ${text.length - maxQuotedChars} more characters]`;
