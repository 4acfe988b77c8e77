import type { AuditLog } from '../activities/audit/audit-log.js';
import { GuardService } from '../activities/guards/guard-service.js';
import { loadGuardConfig } from '../activities/guards/load-guard-config.js';
import type { PiiVault } from '../activities/guards/vault/pii-vault.js';
import type { WorkerConfig } from './config.js';
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
 * The worker's guard pipeline: the guard configuration (LLMOS_GUARDS_FILE, read now, so a bad
 * file stops the worker before it takes a task), and the audit trail and PII vault, in one
 * database (LLMOS_AUDIT_POSTGRES_URL, else the SQLite file LLMOS_AUDIT_FILE).
 */
export function guardsFromConfig(config: WorkerConfig): { guards: GuardService; close: () => Promise<void> } {
  const guardConfig = config.LLMOS_GUARDS_FILE
    ? loadGuardConfig(config.LLMOS_GUARDS_FILE)
    : loadGuardConfig();
  const audit = lazily<AuditLog>(() => openAuditLog(config).log);
  const vault = lazily<PiiVault>(() => openPiiVault(config));
  const guards = new GuardService(guardConfig, { vault: vault.get, audit: audit.get });
  return { guards, close: async () => void (await Promise.all([audit.close(), vault.close()])) };
}
