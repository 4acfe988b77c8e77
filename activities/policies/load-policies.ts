import { fileURLToPath } from 'node:url';
import { judgesNamed, type GuardConfig } from '../../common/guards.js';
import { policyFor, policyRefusal, PolicyConfigSchema, type PolicyConfig } from '../../common/policies.js';
import { guardProfileFor, loadGuardConfig } from '../guards/load-guard-config.js';
import { ConfigFileError, readYamlConfig } from '../read-yaml-config.js';

/** The policies that ship with llmos. */
export const builtInPoliciesFile = fileURLToPath(new URL('../../config/policies.yaml', import.meta.url));

/**
 * Reads and checks a policy file (LLMOS_POLICIES_FILE, else the built-in one), and that every
 * tenant whose policy requires masking has a guard profile that masks personal data in its input
 * and outside texts, and that every model judge a tenant's profile asks is one its policy allows:
 * a worker that would send a tenant's data where its policy forbids does not start.
 */
/**
 * A worker's governance files as its environment names them (LLMOS_GUARDS_FILE,
 * LLMOS_POLICIES_FILE; the built-in ones when unset), checked against each other.
 */
export function loadGovernanceFiles(files: { guards?: string | undefined; policies?: string | undefined }): {
  guards: GuardConfig;
  policies: PolicyConfig;
} {
  const guards = loadGuardConfig(files.guards);
  return { guards, policies: loadPolicies(guards, files.policies) };
}

export function loadPolicies(guards: GuardConfig, file: string = builtInPoliciesFile): PolicyConfig {
  const policies = readYamlConfig(file, PolicyConfigSchema, 'policy file');
  // Every tenant with a policy or a guard profile of its own, under the policy that applies to it.
  const names = new Set([...Object.keys(policies.tenants), ...Object.keys(guards.tenants)]);
  const tenants = [
    ['default', policies.default] as const,
    ...[...names].map((tenant) => [tenant, policyFor(policies, tenant)] as const),
  ];
  for (const [tenant, policy] of tenants) {
    const profile = guardProfileFor(guards, tenant === 'default' ? undefined : tenant);
    // A model judge receives the tenant's texts too: its model must be one the policy allows.
    for (const { judge, where } of judgesNamed(profile)) {
      const defined = guards.judges[judge];
      const refusal = defined?.kind === 'model' ? policyRefusal(policy, defined.model) : undefined;
      if (refusal)
        throw new ConfigFileError(
          `${file}: tenant ${tenant}'s guard profile asks the judge "${judge}" (${where}), but ${refusal}`,
        );
    }
    if (!policy.requireMasking) continue;
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
