/**
 * The nearest-rank percentile: the smallest value with at least `p`% of the values at or below
 * it. Always an observed value, never an interpolated one, which is what a latency report should
 * quote (p99 of 10 runs is the slowest run). `p` 0 gives the minimum.
 *
 * @throws RangeError when `values` is empty or `p` is outside [0, 100].
 */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of no values');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside [0, 100]`);
  const sorted = [...values].sort((first, second) => first - second);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? Number.NaN;
}
