import type { RunCaps, RunTotals } from '../../common/run-contract.js';
import { findExhaustedCap, type CapStop } from '../lib/caps.js';
import { addTotals, emptyTotals } from '../../common/run-totals.js';

type Spend = { modelCalls: number; totalTokens: number; costUsd: number };

const spendOf = (totals: RunTotals | RunCaps): Spend =>
  'maxIterations' in totals
    ? { modelCalls: totals.maxIterations, totalTokens: totals.maxTotalTokens, costUsd: totals.maxCostUsd }
    : { modelCalls: totals.modelCalls, totalTokens: totals.totalTokens, costUsd: totals.costUsd };

/**
 * Splits a run's caps among child runs that spend in parallel (one per document). Each child is
 * promised an equal part of what is neither spent nor promised to the children in flight, and
 * its promise is replaced by what it really used when it ends, so the children together never
 * get more than `fraction` of the caps (a child stops itself at its own caps). Deterministic.
 */
export class CapShares {
  private spent: RunTotals = emptyTotals;
  private promised: Spend = { modelCalls: 0, totalTokens: 0, costUsd: 0 };
  private readonly limit: RunCaps;

  constructor(
    caps: RunCaps,
    fraction: number,
    private readonly startedAt: number,
  ) {
    this.limit = {
      maxIterations: Math.max(1, Math.floor(caps.maxIterations * fraction)),
      maxTotalTokens: Math.max(1, Math.floor(caps.maxTotalTokens * fraction)),
      maxCostUsd: caps.maxCostUsd * fraction,
      maxWallTimeMs: caps.maxWallTimeMs,
    };
  }

  /** What the finished children used. */
  get totals(): RunTotals {
    return this.spent;
  }

  /**
   * Caps for one more child when `sharers` children (this one included) may take a share before
   * any running one ends; or the cap that leaves nothing to give.
   */
  take(sharers: number): { caps: RunCaps } | { stop: CapStop } {
    const elapsedMs = Date.now() - this.startedAt;
    const used: Spend = {
      modelCalls: this.spent.modelCalls + this.promised.modelCalls,
      totalTokens: this.spent.totalTokens + this.promised.totalTokens,
      costUsd: this.spent.costUsd + this.promised.costUsd,
    };
    const stop = findExhaustedCap(this.limit, {
      iterations: used.modelCalls,
      totals: { ...this.spent, ...used },
      elapsedMs,
    });
    if (stop) return { stop };
    const parts = Math.max(1, sharers);
    const caps: RunCaps = {
      maxIterations: Math.max(1, Math.floor((this.limit.maxIterations - used.modelCalls) / parts)),
      maxTotalTokens: Math.max(1, Math.floor((this.limit.maxTotalTokens - used.totalTokens) / parts)),
      maxCostUsd: (this.limit.maxCostUsd - used.costUsd) / parts,
      maxWallTimeMs: Math.max(1, this.limit.maxWallTimeMs - elapsedMs),
    };
    this.promise(spendOf(caps), 1);
    return { caps };
  }

  /** A child ended: its promise is released and what it used is spent. Unknown use keeps the whole promise spent. */
  settle(caps: RunCaps, used: RunTotals | undefined): void {
    this.promise(spendOf(caps), -1);
    this.spent = addTotals(
      this.spent,
      used ?? {
        ...emptyTotals,
        modelCalls: caps.maxIterations,
        totalTokens: caps.maxTotalTokens,
        costUsd: caps.maxCostUsd,
        costComplete: false,
      },
    );
  }

  private promise(spend: Spend, sign: 1 | -1): void {
    this.promised = {
      modelCalls: this.promised.modelCalls + sign * spend.modelCalls,
      totalTokens: this.promised.totalTokens + sign * spend.totalTokens,
      costUsd: this.promised.costUsd + sign * spend.costUsd,
    };
  }
}
