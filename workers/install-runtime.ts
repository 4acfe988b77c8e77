import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/**
 * Sets the Temporal SDK's log level for this process (`LLMOS_LOG_LEVEL` wins). Must run before the
 * first connection or worker is created; later calls are ignored, so it is safe to call twice.
 */
export function installRuntime(defaultLevel: LogLevel): void {
  const level = (process.env.LLMOS_LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? defaultLevel;
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // Already installed by an earlier call in this process.
  }
}
