import { CancellationScope, isCancellation } from '@temporalio/workflow';
import type { RunCaps, RunTotals } from '../../common/run-contract.js';
import { findExhaustedCap, outputAllowance, type CapStop } from './caps.js';
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
 * The caps of a run that makes model calls in several places (its own, and sub-agents'), and
 * what it has used so far. `maxIterations` bounds model calls, sub-agents' included.
 */
export class CapsMeter {
  totals: RunTotals = emptyTotals;

  constructor(
    readonly caps: RunCaps,
    private readonly startedAt: number,
  ) {}

  elapsedMs(): number {
    return Date.now() - this.startedAt;
  }

  exhausted(): CapStop | undefined {
    return findExhaustedCap(this.caps, {
      iterations: this.totals.modelCalls,
      totals: this.totals,
      elapsedMs: this.elapsedMs(),
    });
  }

  /** @throws CapReached when no further model call may be made. */
  assertAvailable(): void {
    const stop = this.exhausted();
    if (stop) throw new CapReached(stop);
  }

  /** The output tokens the next call may ask for. */
  outputAllowance(): number {
    return outputAllowance(this.caps, this.totals);
  }

  /** What is left, as caps for a sub-agent: it cannot spend more than the run has. */
  remainingCaps(): RunCaps {
    return {
      maxIterations: Math.max(1, this.caps.maxIterations - this.totals.modelCalls),
      maxTotalTokens: Math.max(1, this.caps.maxTotalTokens - this.totals.totalTokens),
      maxCostUsd: Math.max(Number.MIN_VALUE, this.caps.maxCostUsd - this.totals.costUsd),
      maxWallTimeMs: Math.max(1, this.caps.maxWallTimeMs - this.elapsedMs()),
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
 * The cap stop a caught error stands for: a `CapReached`, or the run's own deadline cancelling a
 * call in flight. A cancellation from outside (the run was cancelled) is rethrown; any other
 * error gives undefined, for the caller to report.
 */
export function capStopOf(error: unknown, meter: CapsMeter): CapStop | undefined {
  if (error instanceof CapReached) return error.stop;
  if (!isCancellation(error)) return undefined;
  const stop = meter.exhausted();
  if (stop?.stopReason === 'deadline' && !CancellationScope.current().consideredCancelled) return stop;
  throw error;
}
