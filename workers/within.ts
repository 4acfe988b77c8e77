/**
 * `attempt`, or a rejection "no answer within <ms> ms" once `ms` have passed: a call that hangs
 * (a connect, a health check) must not hang its caller. The attempt itself is not cancelled.
 */
export async function within<T>(ms: number, attempt: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
