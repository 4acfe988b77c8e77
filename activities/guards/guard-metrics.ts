import type { MetricMeter } from '@temporalio/common';
import { instrumentsFor, safely } from '../metrics/instruments.js';

/**
 * What each guard stage's verdict adds to the worker's metrics: `llmos_guard_verdicts_total` by
 * stage (`input`, `untrusted`, `output`) and verdict (`allow`, `flag`, `mask`, `block`). The
 * blocks are the refusals.
 */
export function recordGuardVerdict(meter: MetricMeter, stage: string, verdict: string): void {
  safely(() => {
    const verdicts = instrumentsFor(meter, 'guard verdicts', () =>
      meter.createCounter('llmos_guard_verdicts', '{verdict}', 'Guard stage verdicts'),
    );
    verdicts.add(1, { stage, verdict });
  });
}
