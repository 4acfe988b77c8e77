/**
 * Resolves on SIGINT or SIGTERM. A timer keeps the event loop alive meanwhile: the native
 * Temporal server handle does not, and Node would otherwise exit at once.
 */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => {}, 60_000);
    const stop = () => {
      clearInterval(keepAlive);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
