import type { AuditLog } from '../activities/audit/audit-log.js';
import { GuardService } from '../activities/guards/guard-service.js';
import type { PiiVault } from '../activities/guards/vault/pii-vault.js';
import type { WorkerConfig } from './config.js';
import type { PolicyConfig } from '../common/policies.js';
import { loadGovernanceFiles } from '../activities/policies/load-policies.js';
import { openAuditLog, openPiiVault } from './local-tools/audit.js';

/** Opened on first use: a worker whose runs never reach a guard step opens no database. */
function lazily<T extends { close(): Promise<void> }>(
  open: () => T,
): { get: () => T; close: () => Promise<void> } {
  let opened: T | undefined;
  return {
    get: () => (opened ??= open()),
    close: async () => {
      await opened?.close();
      opened = undefined;
    },
  };
}

/**
 * The worker's governance: the guard configuration (LLMOS_GUARDS_FILE) and the policies
 * (LLMOS_POLICIES_FILE), both read now, so a bad file stops the worker before it takes a task;
 * and the audit trail and PII vault, in one database (LLMOS_AUDIT_POSTGRES_URL, else the SQLite
 * file LLMOS_AUDIT_FILE), opened on first use.
 */
export function governanceFromConfig(config: WorkerConfig): {
  guards: GuardService;
  policies: PolicyConfig;
  close: () => Promise<void>;
} {
  const { guards: guardConfig, policies } = loadGovernanceFiles({
    guards: config.LLMOS_GUARDS_FILE,
    policies: config.LLMOS_POLICIES_FILE,
  });
  const audit = lazily<AuditLog>(() => openAuditLog(config).log);
  const vault = lazily<PiiVault>(() => openPiiVault(config));
  const guards = new GuardService(guardConfig, { vault: vault.get, audit: audit.get });
  return { guards, policies, close: async () => void (await Promise.all([audit.close(), vault.close()])) };
}
