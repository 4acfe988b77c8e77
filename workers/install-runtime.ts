import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { WorkerConfigSchema } from './config.js';

/**
 * Sets the Temporal SDK's runtime for this process: its log level (`LLMOS_LOG_LEVEL` wins) and,
 * with LLMOS_METRICS_ADDRESS, its Prometheus endpoint, which serves the SDK's metrics and those
 * activities record (`activities/llm/model-metrics.ts`). Must run before the first connection or
 * worker is created; later calls are ignored, so it is safe to call twice.
 *
 * @throws Error naming LLMOS_METRICS_ADDRESS when it is not `host:port`.
 */
export function installRuntime(defaultLevel: LogLevel): void {
  const level = (process.env.LLMOS_LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? defaultLevel;
  const parsed = WorkerConfigSchema.pick({ LLMOS_METRICS_ADDRESS: true }).safeParse(process.env);
  if (!parsed.success)
    throw new Error(`LLMOS_METRICS_ADDRESS: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
  const metrics = parsed.data.LLMOS_METRICS_ADDRESS;
  try {
    Runtime.install({
      logger: new DefaultLogger(level),
      ...(metrics
        ? {
            telemetryOptions: {
              metrics: {
                prometheus: { bindAddress: metrics, countersTotalSuffix: true, useSecondsForDurations: true },
              },
            },
          }
        : {}),
    });
  } catch {
    // Already installed by an earlier call in this process.
  }
}
