import { z } from 'zod';

/**
 * What a tenant's data may go to, and how. `providers` and `models` are allow-lists (absent: any);
 * `models` entries are `provider:model` or `provider:*`. `requireMasking`: the tenant's guard
 * profile must mask personal data in its input and outside texts, or the worker does not start.
 * A tenant's policy replaces the default whole: a field it leaves out is not the default's.
 */
export const TenantPolicySchema = z
  .object({
    providers: z.array(z.string().min(1)).optional(),
    models: z.array(z.string().regex(/^[a-z]+:.+$/, 'a model is provider:model or provider:*')).optional(),
    requireMasking: z.boolean().default(false),
    /**
     * Days the details of the tenant's audit records, and the values of its runs' PII vaults, are
     * kept; `llmos audit prune` empties and removes what is older. Absent: kept for good.
     */
    auditRetentionDays: z.number().int().positive().optional(),
  })
  .strict();
export type TenantPolicy = z.infer<typeof TenantPolicySchema>;

/** `config/policies.yaml`: the policy of runs without a tenant, and one per tenant. */
export const PolicyConfigSchema = z
  .object({
    default: TenantPolicySchema,
    tenants: z.record(z.string().min(1), TenantPolicySchema).default({}),
  })
  .strict();
export type PolicyConfig = z.infer<typeof PolicyConfigSchema>;

/** A tenant's policy, or the default one for a run without a tenant or an unknown one. */
export function policyFor(config: PolicyConfig, tenant?: string): TenantPolicy {
  return (tenant !== undefined ? config.tenants[tenant] : undefined) ?? config.default;
}

/**
 * Why `policy` refuses to send data to `model` (`provider:model`), or undefined when it allows
 * it. Pure: workflows check every call with it.
 */
export function policyRefusal(policy: TenantPolicy, model: string): string | undefined {
  const provider = model.slice(0, model.indexOf(':'));
  if (policy.providers && !policy.providers.includes(provider))
    return `the policy allows providers ${policy.providers.join(', ')}, not ${provider}`;
  if (policy.models && !policy.models.some((allowed) => allowed === model || allowed === `${provider}:*`))
    return `the policy allows models ${policy.models.join(', ')}, not ${model}`;
  return undefined;
}
