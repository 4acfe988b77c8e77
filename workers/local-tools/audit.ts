/** The audit trail and PII vault a worker with this environment writes, for `llmos audit` and the answers shown to users. */
import type { AuditLog } from '../../activities/audit/audit-log.js';
import { openPostgresAuditLog } from '../../activities/audit/postgres-audit-log.js';
import { postgresWhere } from '../../activities/audit/postgres-store.js';
import { openSqliteAuditLog } from '../../activities/audit/sqlite-audit-log.js';
import { unmaskPii } from '../../activities/guards/pii/mask-pii.js';
import type { PiiVault } from '../../activities/guards/vault/pii-vault.js';
import { openPostgresPiiVault } from '../../activities/guards/vault/postgres-pii-vault.js';
import { openSqlitePiiVault } from '../../activities/guards/vault/sqlite-pii-vault.js';
import { WorkerConfigSchema, type WorkerConfig } from '../config.js';
import { loadGovernanceFiles } from '../../activities/policies/load-policies.js';
import { applyRetention, type RetentionOutcome } from '../../activities/policies/apply-retention.js';

export type AuditSettings = Pick<WorkerConfig, 'LLMOS_AUDIT_FILE' | 'LLMOS_AUDIT_POSTGRES_URL'>;

/** Only the audit settings: a bad value elsewhere in the worker's environment is not the caller's business. */
function auditSettings(env: NodeJS.ProcessEnv): AuditSettings {
  return WorkerConfigSchema.pick({ LLMOS_AUDIT_FILE: true, LLMOS_AUDIT_POSTGRES_URL: true }).parse(env);
}

/** LLMOS_AUDIT_POSTGRES_URL when set, else the SQLite file LLMOS_AUDIT_FILE; `where` names it (without a password). */
export function openAuditLog(settings: AuditSettings): { log: AuditLog; where: string } {
  if (settings.LLMOS_AUDIT_POSTGRES_URL) {
    return {
      log: openPostgresAuditLog(settings.LLMOS_AUDIT_POSTGRES_URL),
      where: postgresWhere(settings.LLMOS_AUDIT_POSTGRES_URL),
    };
  }
  return { log: openSqliteAuditLog(settings.LLMOS_AUDIT_FILE), where: settings.LLMOS_AUDIT_FILE };
}

/** The runs' masked values, in the audit trail's database. */
export function openPiiVault(settings: AuditSettings): PiiVault {
  return settings.LLMOS_AUDIT_POSTGRES_URL
    ? openPostgresPiiVault(settings.LLMOS_AUDIT_POSTGRES_URL)
    : openSqlitePiiVault(settings.LLMOS_AUDIT_FILE);
}

export const workerAuditLog = (env: NodeJS.ProcessEnv = process.env) => openAuditLog(auditSettings(env));
export const workerPiiVault = (env: NodeJS.ProcessEnv = process.env) => openPiiVault(auditSettings(env));

/** `text` with the placeholders of a run's vault put back to their values: for the user's eyes only. */
export async function restoreFromVault(
  text: string,
  vaultId: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const vault = workerPiiVault(env);
  try {
    return unmaskPii(text, await vault.entries(vaultId));
  } finally {
    await vault.close();
  }
}

/**
 * One retention pass over the environment's audit trail and vault, by its policies
 * (LLMOS_POLICIES_FILE, checked against LLMOS_GUARDS_FILE as a worker checks them).
 */
export async function pruneByPolicies(
  env: NodeJS.ProcessEnv,
  now: Date,
): Promise<{ outcomes: RetentionOutcome[]; where: string }> {
  const config = WorkerConfigSchema.pick({ LLMOS_GUARDS_FILE: true, LLMOS_POLICIES_FILE: true }).parse(env);
  const { policies } = loadGovernanceFiles({
    guards: config.LLMOS_GUARDS_FILE,
    policies: config.LLMOS_POLICIES_FILE,
  });
  const { log, where } = workerAuditLog(env);
  const vault = workerPiiVault(env);
  try {
    return { outcomes: await applyRetention(policies, { audit: log, vault }, now), where };
  } finally {
    await Promise.all([log.close(), vault.close()]);
  }
}
