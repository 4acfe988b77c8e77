import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../common/errors.js';
import { resolveChain, type ModelCatalog } from '../../common/model-catalog.js';
import type { ResolvedModels } from '../../common/task-queues.js';
import { policyFor, policyRefusal, type PolicyConfig, type TenantPolicy } from '../../common/policies.js';
import { currentGuardPlace, type GuardService } from '../guards/guard-service.js';
import type { ModelOverrideLookup } from '../monitors/model-overrides.js';

/**
 * The models a run may use, in order (an alias's fallback chain from the worker's catalog, or the
 * one `provider:model` named), the providers whose calls must go through their own task queue
 * because this worker has a request rate limit for them (`LLMOS_RATE_LIMITS`), and the policy of
 * the run's tenant when it limits where data may go (the run checks every call against it). An
 * activity, so all three are in the run's history and the run keeps them when workers change.
 * Each model of the chain the policy refuses is recorded in the audit trail (idempotent). An
 * alias a monitor has switched (`config/monitors.yaml`, `switch_model`) resolves to the smaller
 * model alone until the switch ends.
 */
export function createResolveModelChain(
  catalog: ModelCatalog,
  rateLimitedProviders: readonly string[],
  governance: { policies: PolicyConfig; guards: GuardService },
  /** The monitors' switches of aliases to smaller models (`createModelOverrides`); none without it. */
  overrideFor?: ModelOverrideLookup,
) {
  return async function resolveModelChain(input: {
    model: string;
    tenant?: string;
  }): Promise<ResolvedModels> {
    let models: string[];
    try {
      models = [...resolveChain(catalog, input.model)];
    } catch (error) {
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: (error as Error).message,
        nonRetryable: true,
      });
    }
    // An alias a monitor switched runs on the smaller model alone, while the switch holds.
    const override =
      overrideFor && Object.hasOwn(catalog.aliases, input.model)
        ? await overrideFor(input.model, (message) => {
            log.warn(message);
          })
        : undefined;
    if (override) {
      log.info(
        `${input.model} runs on ${override.to}: switched by monitor ${override.monitor} (${override.reason})`,
      );
      models = [override.to];
    }
    const policy = await limitingPolicy(governance, input.tenant, models);
    return { models, providerQueues: [...rateLimitedProviders], ...(policy ? { policy } : {}) };
  };
}

/**
 * The tenant's policy when it limits where data may go (undefined when it does not), with each
 * of `models` it refuses recorded in the audit trail. For an activity: it records where it runs.
 */
export async function limitingPolicy(
  governance: { policies: PolicyConfig; guards: GuardService },
  tenant: string | undefined,
  models: readonly string[],
): Promise<TenantPolicy | undefined> {
  const policy = policyFor(governance.policies, tenant);
  if (policy.providers === undefined && policy.models === undefined) return undefined;
  const place = currentGuardPlace(tenant);
  for (const model of models) {
    const reason = policyRefusal(policy, model);
    if (reason)
      await governance.guards.record(
        'policy-refusal',
        { model, reason, ...(tenant ? { tenant } : {}) },
        place,
        `policy-refusal-${model}`,
      );
  }
  return policy;
}
