/** Tokens-per-minute limits count what was granted over the last minute, sliding. */
export const tokenWindowMs = 60_000;

export type TakeResult = { granted: true } | { granted: false; retryInMs: number };

/**
 * The tokens granted to model calls over the last minute, per limit key (`openai`,
 * `openai:gpt-4o`), shared by every worker that uses the same store. Grants are recorded under
 * a caller's id so that a call can correct its estimate with what it used.
 */
export interface TokenWindowStore {
  /**
   * Grants `tokens` under `key` when the last minute's grants plus them stay within `limit`, and
   * records them under `id`; otherwise says how long until enough grants have left the window.
   * Atomic: two workers never both take the last room.
   */
  take(key: string, id: string, tokens: number, limit: number): Promise<TakeResult>;
  /** Replaces the tokens of grant `id` with what the call used (a grant already out of the window is ignored). */
  settle(key: string, id: string, tokens: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * The decision `take` makes over the grants still in the window (`at` ascending): room now, or the
 * wait until the oldest grants have expired enough of it. A request larger than the whole limit
 * never fits; callers refuse it before asking.
 */
export function decideTake(
  grants: readonly { at: number; tokens: number }[],
  tokens: number,
  limit: number,
  now: number,
): TakeResult {
  let used = grants.reduce((sum, grant) => sum + grant.tokens, 0);
  if (used + tokens <= limit) return { granted: true };
  for (const grant of grants) {
    used -= grant.tokens;
    if (used + tokens <= limit)
      return { granted: false, retryInMs: Math.max(1, grant.at + tokenWindowMs - now) };
  }
  return { granted: false, retryInMs: tokenWindowMs };
}
