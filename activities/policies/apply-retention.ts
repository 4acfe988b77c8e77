import type { PolicyConfig } from '../../common/policies.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { RetentionScope } from '../audit/retention-scope.js';
import type { PiiVault } from '../guards/vault/pii-vault.js';

const dayMs = 86_400_000;

/** One retention pass's outcome: whose records, the cutoff, what went. */
export interface RetentionOutcome {
  /** The tenant, or `default` for the records of runs without a policy of their own. */
  policy: string;
  before: string;
  /** Audit records whose detail was emptied. */
  records: number;
  /** PII vaults removed, with every value in them. */
  vaults: number;
}

/**
 * Applies each policy's `auditRetentionDays`: empties the detail of the audit records older than
 * that (each record keeps its place, time, kind and hashes, so the chain still verifies) and
 * removes the PII vaults that got no value since, and records the pass in the chain. The
 * default policy's retention covers runs without a tenant and tenants without a policy of their
 * own. Idempotent: a second pass at the same time finds nothing more to do.
 */
export async function applyRetention(
  policies: PolicyConfig,
  stores: { audit: AuditLog; vault: PiiVault },
  now: Date = new Date(),
): Promise<RetentionOutcome[]> {
  const passes: { policy: string; days: number; scope: Omit<RetentionScope, 'before'> }[] = [];
  const own = Object.keys(policies.tenants);
  if (policies.default.auditRetentionDays !== undefined)
    passes.push({
      policy: 'default',
      days: policies.default.auditRetentionDays,
      scope: own.length > 0 ? { exceptTenants: own } : {},
    });
  for (const [tenant, policy] of Object.entries(policies.tenants))
    if (policy.auditRetentionDays !== undefined)
      passes.push({ policy: tenant, days: policy.auditRetentionDays, scope: { tenant } });
  const outcomes: RetentionOutcome[] = [];
  for (const { policy, days, scope } of passes) {
    const before = new Date(now.getTime() - days * dayMs).toISOString();
    const vaults = await stores.vault.prune({ ...scope, before });
    const records = await stores.audit.prune({ ...scope, before }, now, { vaults });
    outcomes.push({ policy, before, records, vaults });
  }
  return outcomes;
}
