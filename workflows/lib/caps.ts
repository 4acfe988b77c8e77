import type { RunCaps, CapsRaise, RunTotals, StopReason } from '../../common/run-contract.js';

export interface CapStop {
  stopReason: Extract<StopReason, 'iteration_limit' | 'budget_exhausted' | 'deadline'>;
  detail: string;
}

export interface CapUse {
  iterations: number;
  totals: RunTotals;
  elapsedMs: number;
}

/** Output tokens asked for per call: never more than the token cap has left. */
const maxOutputTokensPerCall = 4_096;

/** The output tokens the next call may ask for. */
export function outputAllowance(caps: RunCaps, totals: RunTotals): number {
  return Math.max(1, Math.min(maxOutputTokensPerCall, caps.maxTotalTokens - totals.totalTokens));
}

/** The first cap the next model call would break, or undefined when the call may be scheduled. */
export function findExhaustedCap(caps: RunCaps, use: CapUse): CapStop | undefined {
  if (use.elapsedMs >= caps.maxWallTimeMs) {
    return {
      stopReason: 'deadline',
      detail: `wall time ${use.elapsedMs} ms reached the cap of ${caps.maxWallTimeMs} ms`,
    };
  }
  if (use.iterations >= caps.maxIterations) {
    return {
      stopReason: 'iteration_limit',
      detail: `${use.iterations} model calls reached the cap of ${caps.maxIterations}`,
    };
  }
  if (use.totals.totalTokens >= caps.maxTotalTokens) {
    return {
      stopReason: 'budget_exhausted',
      detail: `${use.totals.totalTokens} tokens reached the cap of ${caps.maxTotalTokens}`,
    };
  }
  if (use.totals.costUsd >= caps.maxCostUsd) {
    return {
      stopReason: 'budget_exhausted',
      detail: `$${use.totals.costUsd.toFixed(6)} reached the cap of $${caps.maxCostUsd}`,
    };
  }
  return undefined;
}

/** Why a raise is refused, or undefined when it is acceptable: a raise never lowers a cap. */
export function checkRaise(caps: RunCaps, raise: CapsRaise): string | undefined {
  const lowered = (Object.keys(raise) as (keyof RunCaps)[]).filter(
    (key) => (raise[key] ?? caps[key]) < caps[key],
  );
  if (lowered.length > 0)
    return `a raise cannot lower caps: ${lowered.map((key) => `${key} is ${caps[key]}`).join(', ')}`;
  if (Object.values(raise).every((value) => value === undefined)) return 'the raise names no cap';
  return undefined;
}

export function applyRaise(caps: RunCaps, raise: CapsRaise): RunCaps {
  return {
    maxIterations: raise.maxIterations ?? caps.maxIterations,
    maxTotalTokens: raise.maxTotalTokens ?? caps.maxTotalTokens,
    maxCostUsd: raise.maxCostUsd ?? caps.maxCostUsd,
    maxWallTimeMs: raise.maxWallTimeMs ?? caps.maxWallTimeMs,
  };
}
