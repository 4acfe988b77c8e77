import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../common/errors.js';
import { resolveChain, type ModelCatalog } from '../../common/model-catalog.js';

/**
 * The models a run may use, in order: an alias's fallback chain from the worker's catalog, or the
 * one `provider:model` named. An activity, so the chain a run started with is in its history.
 */
export function createResolveModelChain(catalog: ModelCatalog) {
  return function resolveModelChain(input: { model: string }): Promise<string[]> {
    try {
      return Promise.resolve([...resolveChain(catalog, input.model)]);
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
