import { ApplicationFailure } from '@temporalio/activity';
import { ErrorType } from '../../../common/errors.js';
import { providerOf } from '../../../common/model-ref.js';
import type { TokenWindowStore } from './token-window.js';

/** The longest a waiting call sleeps before it asks the window again. */
const recheckMs = 1_000;

/** Tokens per minute by `provider` (all its models together) or `provider:model` (that model alone). */
export type TokenLimits = Readonly<Record<string, number>>;

/** A granted call: settle it with the tokens it really used (input plus output). */
export interface TokenGrant {
  settle(tokens: number): Promise<void>;
}

export interface AcquireOptions {
  /** Unique per call attempt: the grant is recorded under it. */
  id: string;
  /** Waits that long; cancellable (the activity's sleep). */
  sleep: (ms: number) => Promise<void>;
  /** Past this wait the call is handed to Temporal as a retry after the rest of it, so the attempt's timeout is not spent idle. */
  maxWaitMs: number;
  /** Store failures are logged, and the call goes ahead: a broken limiter must not stop every model call. */
  warn: (message: string) => void;
}

/**
 * Tokens per minute across every worker that shares the window store (a SQLite file per
 * machine, or Redis). A call takes its upper-bound estimate (input counted, plus its whole output
 * allowance, as OpenAI's own limiter counts it) before it is sent, and settles to what it used.
 */
export class TokenLimiter {
  constructor(
    readonly limits: TokenLimits,
    private readonly window: TokenWindowStore,
  ) {}

  /** The limit that applies to `model`: its own, else its provider's. */
  limitFor(model: string): { key: string; tokensPerMinute: number } | undefined {
    for (const key of [model, providerOf(model)]) {
      const tokensPerMinute = this.limits[key];
      if (tokensPerMinute !== undefined) return { key, tokensPerMinute };
    }
    return undefined;
  }

  /**
   * Waits until the window has room for `tokens`, then records them. Undefined when no limit
   * applies (or the store failed).
   * @throws ApplicationFailure `ModelRequestRejected` (non-retryable) when the request alone is
   *   over the limit; `ModelRateLimited` (retryable, next retry when the window has room) when
   *   there is still no room after `maxWaitMs`.
   */
  async acquire(model: string, tokens: number, options: AcquireOptions): Promise<TokenGrant | undefined> {
    const limit = this.limitFor(model);
    if (!limit) return undefined;
    if (tokens > limit.tokensPerMinute)
      throw ApplicationFailure.create({
        type: ErrorType.ModelRequestRejected,
        message:
          `the request may use ${tokens} tokens (input plus output allowance), more than the ` +
          `${limit.tokensPerMinute} tokens per minute allowed for ${limit.key} (LLMOS_TOKEN_LIMITS)`,
        nonRetryable: true,
      });
    let waitedMs = 0;
    for (;;) {
      let result;
      try {
        result = await this.window.take(limit.key, options.id, tokens, limit.tokensPerMinute);
      } catch (error) {
        options.warn(`token limiter unavailable, calling without it: ${(error as Error).message}`);
        return undefined;
      }
      if (result.granted)
        return {
          settle: (used) =>
            this.window.settle(limit.key, options.id, used).catch((error: unknown) => {
              options.warn(`token limiter settle failed: ${(error as Error).message}`);
            }),
        };
      // Waited long enough with no call settling early: the window is full of what calls used.
      if (waitedMs >= options.maxWaitMs)
        throw ApplicationFailure.create({
          type: ErrorType.ModelRateLimited,
          message: `${limit.key} is at its limit of ${limit.tokensPerMinute} tokens per minute; room for ${tokens} more in ${Math.ceil(result.retryInMs / 1_000)} s`,
          nextRetryDelay: result.retryInMs,
        });
      // Asked again within a second, not only when the oldest grant expires: calls that settle
      // below their estimate free room early.
      const pause = Math.min(result.retryInMs, recheckMs);
      await options.sleep(pause);
      waitedMs += pause;
    }
  }

  close(): Promise<void> {
    return this.window.close();
  }
}
