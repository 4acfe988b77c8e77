/** Summary statistics for `llmos eval` reports. Pure. */
import { percentile } from '../../common/percentile.js';

export { percentile };

export interface LatencySummary {
  /** How many latencies were summarized; every other field is 0 when this is 0. */
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  readonly max: number;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** p50/p95/p99 (nearest rank), mean and max of latencies in milliseconds; all 0 for none. */
export function summarizeLatencies(milliseconds: readonly number[]): LatencySummary {
  if (milliseconds.length === 0) return { count: 0, p50: 0, p95: 0, p99: 0, mean: 0, max: 0 };
  return {
    count: milliseconds.length,
    p50: percentile(milliseconds, 50),
    p95: percentile(milliseconds, 95),
    p99: percentile(milliseconds, 99),
    mean: mean(milliseconds),
    // reduce, not Math.max(...): spreading a long array overflows the call stack.
    max: milliseconds.reduce((largest, value) => Math.max(largest, value), Number.NEGATIVE_INFINITY),
  };
}

/** The share of correct answers in [0, 1]; 0 when nothing was asked. */
export function accuracy(correct: number, total: number): number {
  return total === 0 ? 0 : correct / total;
}

/**
 * The Wilson score interval for an accuracy: with a dozen questions 10/12 correct means anything
 * from about 55% to 95%, and a report should say so. `z` 1.96 is the 95% interval; both bounds
 * are 0 when nothing was asked.
 */
export function wilsonInterval(correct: number, total: number, z = 1.96): { low: number; high: number } {
  if (total === 0) return { low: 0, high: 0 };
  const share = correct / total;
  const zSquared = z * z;
  const centre = share + zSquared / (2 * total);
  const spread = z * Math.sqrt((share * (1 - share)) / total + zSquared / (4 * total * total));
  const denominator = 1 + zSquared / total;
  return {
    // Exact at the ends, where floating point lands a hair inside.
    low: correct === 0 ? 0 : (centre - spread) / denominator,
    high: correct === total ? 1 : (centre + spread) / denominator,
  };
}
