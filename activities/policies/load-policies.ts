import { fileURLToPath } from 'node:url';
import type { GuardConfig } from '../../common/guards.js';
import { PolicyConfigSchema, type PolicyConfig } from '../../common/policies.js';
import { guardProfileFor } from '../guards/load-guard-config.js';
import { ConfigFileError, readYamlConfig } from '../read-yaml-config.js';

/** The policies that ship with llmos. */
export const builtInPoliciesFile = fileURLToPath(new URL('../../config/policies.yaml', import.meta.url));

/**
 * Reads and checks a policy file (LLMOS_POLICIES_FILE, else the built-in one), and that every
 * tenant whose policy requires masking has a guard profile that masks personal data in its input
 * and outside texts: a worker that would send such a tenant's data unmasked does not start.
 */
export function loadPolicies(guards: GuardConfig, file: string = builtInPoliciesFile): PolicyConfig {
  const policies = readYamlConfig(file, PolicyConfigSchema, 'policy file');
  const tenants = [
    ['default', policies.default] as const,
    ...Object.entries(policies.tenants).map(([tenant, policy]) => [tenant, policy] as const),
  ];
  for (const [tenant, policy] of tenants) {
    if (!policy.requireMasking) continue;
    const profile = guardProfileFor(guards, tenant === 'default' ? undefined : tenant);
    const unmasked = (['input', 'untrusted'] as const).filter(
      (stage) => profile[stage].pii?.action !== 'mask',
    );
    if (unmasked.length > 0)
      throw new ConfigFileError(
        `${file}: tenant ${tenant} requires masking, but its guard profile does not mask personal data in ${unmasked.join(' and ')} texts`,
      );
  }
  return policies;
}
