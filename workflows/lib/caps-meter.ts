import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { CapsRaise, RunCaps, RunTotals } from '../../common/run-contract.js';
import { isScheduleToCloseTimeout } from './failures.js';
import { applyRaise, checkRaise, findExhaustedCap, outputAllowance, type CapStop } from './caps.js';
import { addModelCall, addTotals, emptyTotals } from '../../common/run-totals.js';
import type { CallChatModelOutput } from '../../activities/index.js';
import type { CallAllowance, CallNeed } from '../../common/call-allowance.js';

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
  /** What calls in flight were granted (`grant`) and have not ended: as good as spent until they end. */
  private granted = { totalTokens: 0, costUsd: 0, calls: 0 };
  /** A stop the run came to short of its caps' numbers: no call fits what they leave (`stopWith`). */
  private stopped: CapStop | undefined;

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
    if (this.stopped) return this.stopped;
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
    this.stopped = undefined;
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

  /** Calls in flight that hold a grant. */
  get callsInFlight(): number {
    return this.granted.calls;
  }

  /**
   * Grants one more call a `share`th of the tokens and dollars the caps leave, neither used nor
   * granted to calls in flight. The call is fitted into it (or refused) before it is sent, so
   * calls made in parallel never take the run past its caps together. Give it back with
   * `release` when the call ends, once its use is counted.
   */
  grant(share: number, minOutputTokens: number, atLeast?: CallNeed): CallAllowance {
    const parts = Math.max(1, share);
    const left = this.left();
    const allowance = {
      totalTokens: Math.max(
        Math.floor(left.totalTokens / parts),
        Math.min(left.totalTokens, atLeast?.totalTokens ?? 0),
      ),
      costUsd: Math.max(left.costUsd / parts, Math.min(left.costUsd, atLeast?.costUsd ?? 0)),
      minOutputTokens,
    };
    this.granted = {
      totalTokens: this.granted.totalTokens + allowance.totalTokens,
      costUsd: this.granted.costUsd + allowance.costUsd,
      calls: this.granted.calls + 1,
    };
    return allowance;
  }

  /** What the caps leave, neither used nor granted to calls in flight. */
  left(): CallNeed {
    const { maxTotalTokens, maxCostUsd } = this.current;
    return {
      totalTokens: Math.max(0, maxTotalTokens - this.totals.totalTokens - this.granted.totalTokens),
      costUsd: Math.max(0, maxCostUsd - this.totals.costUsd - this.granted.costUsd),
    };
  }

  /** Whether what the caps leave covers a call that needs `need`. */
  covers(need: CallNeed): boolean {
    const left = this.left();
    return left.totalTokens >= need.totalTokens && left.costUsd >= need.costUsd;
  }

  /** Stops the run short of its caps' numbers: every later call is refused with `stop`. */
  stopWith(stop: CapStop): void {
    this.stopped = stop;
  }

  release(allowance: CallAllowance): void {
    this.granted = {
      totalTokens: this.granted.totalTokens - allowance.totalTokens,
      costUsd: this.granted.costUsd - allowance.costUsd,
      calls: this.granted.calls - 1,
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
