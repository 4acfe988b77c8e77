import { inWorkflowContext, metricMeter } from '@temporalio/workflow';
import type { ModelFallback } from '../../common/run-contract.js';
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
  ErrorType.PolicyViolation,
  'TimeoutFailure',
]);

/** Whether `failure` is one the next model of a chain may not have. */
export const isFallbackFailure = (failure: { type: string }): boolean => fallbackTypes.has(failure.type);

/**
 * The models a run may use, in order (an alias's chain, or the one model named). The run uses
 * the current one; a failure of a fallback kind moves it, for the rest of the run, to the next.
 * Deterministic: a workflow holds it.
 */
export class ModelChain {
  private index = 0;
  readonly fallbacks: ModelFallback[];

  /** `earlier`: the moves the run made before this chain was handed on (it continued as new). */
  constructor(
    private models: readonly string[],
    earlier: readonly ModelFallback[] = [],
  ) {
    if (models.length === 0) throw new Error('a model chain needs at least one model');
    this.fallbacks = [...earlier];
  }

  /** Switches to one model for the rest of the run (a cheaper one past a budget's soft limit), recorded like a fallback. */
  switchTo(model: string, reason: string, iteration: number): void {
    this.moved({ from: this.current, to: model, reason, iteration });
    this.models = [model];
    this.index = 0;
  }

  get current(): string {
    return this.models[this.index]!;
  }

  /** The current model and those after it: what a child run continues with. */
  get remaining(): string[] {
    return this.models.slice(this.index);
  }

  /** Moves to the next model after `failure`; false when there is none or the failure is not one to fall back on. */
  fallBack(failure: { type: string; message: string }, iteration: number): boolean {
    if (!isFallbackFailure(failure) || this.index + 1 >= this.models.length) return false;
    const from = this.current;
    this.index += 1;
    this.moved({ from, to: this.current, reason: `${failure.type}: ${failure.message}`, iteration });
    return true;
  }

  /**
   * Follows a move a child run made down the same chain, so this run skips the model the child
   * left too. Only forward along this chain: a move to a model this run is already past, or to
   * one not in it (a child's budget downgrade: the ledger tells this run on its own), changes nothing.
   */
  follow(fallback: ModelFallback, iteration: number): void {
    const at = this.models.indexOf(fallback.to);
    if (at <= this.index) return;
    this.moved({ from: this.current, to: fallback.to, reason: fallback.reason, iteration });
    this.index = at;
  }

  /**
   * Records a move, and counts it in the worker's metrics (`llmos_model_fallbacks_total` by the
   * models left and taken). Workflow metrics are not emitted on replay: a move counts once.
   */
  private moved(fallback: ModelFallback): void {
    this.fallbacks.push(fallback);
    if (inWorkflowContext())
      metricMeter
        .createCounter('llmos_model_fallbacks', '{move}', 'Moves to another model of a run')
        .add(1, { from: fallback.from, to: fallback.to });
  }
}
