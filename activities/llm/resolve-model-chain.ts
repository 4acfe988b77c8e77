import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../common/errors.js';
import { resolveChain, type ModelCatalog } from '../../common/model-catalog.js';
import type { ResolvedModels } from '../../common/task-queues.js';

/**
 * The models a run may use, in order (an alias's fallback chain from the worker's catalog, or the
 * one `provider:model` named), and the providers whose calls must go through their own task queue
 * because this worker has a request rate limit for them (`LLMOS_RATE_LIMITS`). An activity, so
 * both are in the run's history and the run keeps them when workers change.
 */
export function createResolveModelChain(catalog: ModelCatalog, rateLimitedProviders: readonly string[]) {
  return function resolveModelChain(input: { model: string }): Promise<ResolvedModels> {
    try {
      return Promise.resolve({
        models: [...resolveChain(catalog, input.model)],
        providerQueues: [...rateLimitedProviders],
      });
    } catch (error) {
      return Promise.reject(
        ApplicationFailure.create({
          type: ErrorType.InvalidInput,
          message: (error as Error).message,
          nonRetryable: true,
        }),
      );
    }
  };
}
