import type { GuardedResult } from '../common/guards.js';

/**
 * The result with its answer as the user should read it: the placeholders the provider saw
 * (`<EMAIL_1>`) put back to their values, from the vault the run's workers wrote (the audit
 * trail's database of this environment). Only here, at the user's end: history, the trace and
 * the provider only ever hold the placeholders.
 */
export async function withRestoredAnswer<Result extends GuardedResult & { answer: string | null }>(
  result: Result,
): Promise<Result> {
  if (!result.piiVault || result.answer === null) return result;
  const { restoreFromVault } = await import('../workers/local-tools/audit.js');
  return { ...result, answer: await restoreFromVault(result.answer, result.piiVault) };
}
