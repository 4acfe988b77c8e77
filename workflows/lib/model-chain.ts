import type { ModelFallback } from '../../common/agent.js';
import { ErrorType } from '../../common/errors.js';

/**
 * Failures another model may not have: the provider refused the request (401, 403, 404, 400),
 * is not configured, is failing (retries exhausted: 5xx, 429, malformed answers, timeouts) or
 * has its breaker open. Not a context overflow (the conversation is shrunk instead) or a
 * cancellation.
 */
const fallbackTypes: ReadonlySet<string> = new Set([
  ErrorType.ModelRequestRejected,
  ErrorType.UnknownModel,
  ErrorType.ModelCircuitOpen,
  ErrorType.ModelUnavailable,
  ErrorType.ModelRateLimited,
  ErrorType.ModelResponseMalformed,
  'TimeoutFailure',
]);

/**
 * The models a run may use, in order (an alias's chain, or the one model named). The run uses
 * the current one; a failure of a fallback kind moves it, for the rest of the run, to the next.
 * Deterministic: a workflow holds it.
 */
export class ModelChain {
  private index = 0;
  readonly fallbacks: ModelFallback[] = [];

  constructor(private models: readonly string[]) {
    if (models.length === 0) throw new Error('a model chain needs at least one model');
  }

  /** Switches to one model for the rest of the run (a cheaper one past a budget's soft limit), recorded like a fallback. */
  switchTo(model: string, reason: string, iteration: number): void {
    this.fallbacks.push({ from: this.current, to: model, reason, iteration });
    this.models = [model];
    this.index = 0;
  }

  get current(): string {
    return this.models[this.index]!;
  }

  /** Moves to the next model after `failure`; false when there is none or the failure is not one to fall back on. */
  fallBack(failure: { type: string; message: string }, iteration: number): boolean {
    if (!fallbackTypes.has(failure.type) || this.index + 1 >= this.models.length) return false;
    const from = this.current;
    this.index += 1;
    this.fallbacks.push({ from, to: this.current, reason: `${failure.type}: ${failure.message}`, iteration });
    return true;
  }
}
