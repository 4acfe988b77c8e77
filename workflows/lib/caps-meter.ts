import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { CapsRaise, RunCaps, RunTotals } from '../../common/run-contract.js';
import { isScheduleToCloseTimeout } from './failures.js';
import { applyRaise, checkRaise, findExhaustedCap, outputAllowance, type CapStop } from './caps.js';
import { addModelCall, addTotals, emptyTotals } from '../../common/run-totals.js';
import type { CallChatModelOutput } from '../../activities/index.js';

/** Thrown inside a run when the next model call would break a cap; the run ends with its stop. */
export class CapReached extends Error {
  constructor(readonly stop: CapStop) {
    super(stop.detail);
    this.name = 'CapReached';
  }
}

/**
 * A run's caps and what it has used so far: how every job keeps its caps. `maxIterations` bounds
 * model calls, sub-agents' included. Deterministic (workflow time); lives in the workflow.
 */
export class CapsMeter {
  constructor(
    private current: RunCaps,
    /** When the run started (epoch ms, workflow time): the wall-time cap counts from it. */
    readonly startedAt: number,
    /** What the run used before (in its earlier executions, when it continued as new). */
    public totals: RunTotals = emptyTotals,
  ) {}

  get caps(): RunCaps {
    return this.current;
  }

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  /**
   * The cap the next model call would break. `iterations` are the calls counted so far (by
   * default those made) and `elapsedMs` the time to judge the deadline at (by default now).
   */
  exhausted(use: { iterations?: number; elapsedMs?: number } = {}): CapStop | undefined {
    return findExhaustedCap(this.current, {
      iterations: use.iterations ?? this.totals.modelCalls,
      totals: this.totals,
      elapsedMs: use.elapsedMs ?? this.elapsedMs(),
    });
  }

  /** What is left before the deadline, for a call in flight to be cancelled at it (at least 1 ms). */
  timeLeftMs(): number {
    return Math.max(1, this.current.maxWallTimeMs - this.elapsedMs());
  }

  /** Why a raise is refused (it would lower a cap, or names none), or undefined. */
  checkRaise(raise: CapsRaise): string | undefined {
    return checkRaise(this.current, raise);
  }

  raise(raise: CapsRaise): RunCaps {
    this.current = applyRaise(this.current, raise);
    return this.current;
  }

  /** @throws CapReached when no further model call may be made. */
  assertAvailable(): void {
    const stop = this.exhausted();
    if (stop) throw new CapReached(stop);
  }

  /** The output tokens the next call may ask for. */
  outputAllowance(): number {
    return outputAllowance(this.current, this.totals);
  }

  /**
   * Before each model call's attempt: the output tokens it may ask for.
   * @throws CapReached when no further model call may be made.
   */
  nextCallAllowance(): number {
    this.assertAvailable();
    return this.outputAllowance();
  }

  /** The model-call number the next call will have, for the fallbacks record. */
  nextIteration(): number {
    return this.totals.modelCalls + 1;
  }

  /** What is left, as caps for a sub-agent: it cannot spend more than the run has. */
  remainingCaps(): RunCaps {
    return {
      maxIterations: Math.max(1, this.current.maxIterations - this.totals.modelCalls),
      maxTotalTokens: Math.max(1, this.current.maxTotalTokens - this.totals.totalTokens),
      maxCostUsd: Math.max(Number.MIN_VALUE, this.current.maxCostUsd - this.totals.costUsd),
      maxWallTimeMs: this.timeLeftMs(),
    };
  }

  addModelCall(call: CallChatModelOutput): void {
    this.totals = addModelCall(this.totals, call.response.usage, call.costUsd, call.cacheHit);
  }

  addToolCall(): void {
    this.totals = { ...this.totals, toolCalls: this.totals.toolCalls + 1 };
  }

  addRun(totals: RunTotals): void {
    this.totals = addTotals(this.totals, totals);
  }
}

/**
 * The cap stop a caught error stands for: a `CapReached`, or the run's own deadline cutting off a
 * call in flight (by cancelling it, or by its schedule-to-close timeout). A cancellation from
 * outside (the run was cancelled) is rethrown; any other error gives undefined, for the caller to
 * report.
 */
export function capStopOf(error: unknown, meter: CapsMeter): CapStop | undefined {
  if (error instanceof CapReached) return error.stop;
  // A call given the time the run had left (its schedule-to-close timeout) ran out of it.
  if (isScheduleToCloseTimeout(error)) {
    const stop = meter.exhausted();
    return stop?.stopReason === 'deadline' ? stop : undefined;
  }
  if (!isCancellation(error)) return undefined;
  const stop = meter.exhausted();
  if (stop?.stopReason === 'deadline' && !CancellationScope.current().consideredCancelled) return stop;
  throw error;
}
