import type { MetricMeter } from '@temporalio/common';
import { instrumentsFor, safely } from '../metrics/instruments.js';

/**
 * What each tool call adds to the worker's metrics: `llmos_tool_calls_total` by tool and outcome
 * (`ok`, or the error type: `InvalidToolInput`, `Blocked` for a result the guards withheld,
 * `ToolFailed`, ...) and `llmos_tool_duration` (seconds) by tool.
 */
export function recordToolCall(meter: MetricMeter, tool: string, outcome: string, seconds: number): void {
  safely(() => {
    const { calls, duration } = instrumentsFor(meter, `tool ${tool}`, () => {
      const tagged = meter.withTags({ tool });
      return {
        calls: tagged.createCounter('llmos_tool_calls', '{call}', 'Tool calls by outcome'),
        duration: tagged.createHistogram('llmos_tool_duration', 'float', 's', 'How long a tool call took'),
      };
    });
    calls.add(1, { outcome });
    duration.record(seconds);
  });
}

/** The error type an observation that failed starts with (`InvalidToolInput: ...`), or `failed`. */
export function outcomeOf(output: { ok: boolean; observation: string }): string {
  if (output.ok) return 'ok';
  return /^([A-Z][A-Za-z]+):/.exec(output.observation)?.[1] ?? 'failed';
}
