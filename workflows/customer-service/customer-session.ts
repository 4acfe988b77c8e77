import { workflowInfo } from '@temporalio/workflow';
import type {
  CustomerServiceConfig,
  CustomerServiceInput,
  Handoff,
  SessionClosedBy,
  SessionContinuation,
  SessionState,
} from '../../common/customer-service.js';
import type { RunCaps, RunTotals } from '../../common/run-contract.js';
import { addTotals, emptyTotals } from '../../common/run-totals.js';
import { RunGuards } from '../lib/run-guards.js';
import { SerialQueue } from '../lib/serial-queue.js';
import { SessionMemory } from './session-memory.js';
import type { SessionStream } from './session-stream.js';

/**
 * A session's state, workflow side: its memory, totals and counts, the queue its turns wait in,
 * and whether (and why) it closed. Deterministic: every value comes from the input, history, or
 * the turns' activities and child runs.
 */
export class CustomerSession {
  readonly config: CustomerServiceConfig;
  readonly memory: SessionMemory;
  readonly queue = new SerialQueue();
  /** The session's guard pipeline: one vault for every turn, so a value keeps its placeholder. */
  readonly guards: RunGuards | undefined;
  readonly execution: number;
  readonly startedAt: number;
  /** Turns answered in the whole session, and in this execution. */
  turns: number;
  turnsHere = 0;
  totals: RunTotals;
  closedBy: SessionClosedBy | undefined;
  /** Set while a person has the conversation. */
  handoff: Handoff | undefined;
  /** The last hand-off that ended, and who gave the session back (this execution only). */
  lastHandoff: SessionState['lastHandoff'];
  closedDetail: string | undefined;

  constructor(
    readonly input: CustomerServiceInput,
    config: CustomerServiceConfig,
    /** Where drafts, decided replies and people's replies go out to readers. */
    readonly stream: SessionStream,
  ) {
    const { continued } = input;
    this.config = config;
    this.memory = SessionMemory.start(config.session.recentTurns, continued);
    this.guards = RunGuards.start(input);
    this.execution = continued?.execution ?? 1;
    this.startedAt = continued?.startedAt ?? workflowInfo().startTime.getTime();
    this.turns = continued?.turns ?? 0;
    this.totals = continued?.totals ?? emptyTotals;
    this.handoff = continued?.handoff;
  }

  get open(): boolean {
    return this.closedBy === undefined;
  }

  close(by: SessionClosedBy, detail: string): void {
    if (!this.open) return;
    this.closedBy = by;
    this.closedDetail = detail;
  }

  spent(totals: RunTotals): void {
    this.totals = addTotals(this.totals, totals);
  }

  /** Why the session may take no further turn, if a session cap says so. */
  capReached(): string | undefined {
    const { caps } = this.config.session;
    if (this.turns >= caps.maxTurns) return `the session reached its ${caps.maxTurns} turns`;
    if (this.totals.totalTokens >= caps.maxTotalTokens)
      return `the session used its ${caps.maxTotalTokens} tokens`;
    if (this.totals.costUsd >= caps.maxCostUsd) return `the session spent its $${caps.maxCostUsd}`;
    if (Date.now() - this.startedAt >= caps.maxWallTime)
      return `the session reached its wall time of ${caps.maxWallTime} ms`;
    return undefined;
  }

  /** A turn's caps: the configured ones, within what is left of the session's. */
  turnCaps(): RunCaps {
    const turn = this.config.turn.caps;
    const session = this.config.session.caps;
    return {
      ...turn,
      maxTotalTokens: Math.max(
        1,
        Math.min(turn.maxTotalTokens, session.maxTotalTokens - this.totals.totalTokens),
      ),
      maxCostUsd: Math.max(1e-6, Math.min(turn.maxCostUsd, session.maxCostUsd - this.totals.costUsd)),
      maxWallTimeMs: Math.max(
        1,
        Math.min(turn.maxWallTimeMs, this.startedAt + session.maxWallTime - Date.now()),
      ),
    };
  }

  /** Whether to continue as new before the next turn: after the configured turns, or when Temporal suggests it. */
  get dueToContinue(): boolean {
    return (
      this.turnsHere > 0 &&
      (this.turnsHere >= this.config.session.continueAsNewAfterTurns || workflowInfo().continueAsNewSuggested)
    );
  }

  continuation(): SessionContinuation {
    return {
      execution: this.execution + 1,
      startedAt: this.startedAt,
      turns: this.turns,
      summary: this.memory.summary,
      summarised: this.memory.summarised,
      recent: this.memory.recent,
      totals: this.totals,
      ...(this.handoff ? { handoff: this.handoff } : {}),
      stream: this.stream.state,
    };
  }

  get state(): SessionState {
    return {
      status: this.open ? 'open' : 'closed',
      ...(this.closedBy ? { closedBy: this.closedBy, closedDetail: this.closedDetail ?? '' } : {}),
      config: { name: this.config.name, version: this.config.version },
      customer: this.input.customer,
      turns: this.turns,
      execution: this.execution,
      summary: this.memory.summary,
      recent: this.memory.recent,
      totals: this.totals,
      caps: this.config.session.caps,
      ...(this.handoff ? { handoff: this.handoff } : {}),
      ...(this.lastHandoff ? { lastHandoff: this.lastHandoff } : {}),
    };
  }
}
