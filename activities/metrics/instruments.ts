import type { MetricMeter } from '@temporalio/common';

const made = new WeakMap<MetricMeter, Map<string, unknown>>();

/**
 * The instruments `make` creates on `meter` for `key` (a model, a tool), made once and kept: a
 * record is then one call into the Temporal runtime, whose exporter serves them (Prometheus,
 * with LLMOS_METRICS_ADDRESS). Keys must name what `make` binds, across every caller.
 */
export function instrumentsFor<T>(meter: MetricMeter, key: string, make: (meter: MetricMeter) => T): T {
  let byKey = made.get(meter);
  if (!byKey) made.set(meter, (byKey = new Map<string, unknown>()));
  if (!byKey.has(key)) byKey.set(key, make(meter));
  return byKey.get(key) as T;
}

/** Runs `record`, swallowing what it throws: a metric must never fail what it describes. */
export function safely(record: () => void): void {
  try {
    record();
  } catch {
    // The metric is lost; the work it counts is not.
  }
}
