/** The audit trail a worker with this environment writes, for `llmos audit` to read and verify. */
import type { AuditLog } from '../../activities/audit/audit-log.js';
import { openPostgresAuditLog } from '../../activities/audit/postgres-audit-log.js';
import { openSqliteAuditLog } from '../../activities/audit/sqlite-audit-log.js';
import { WorkerConfigSchema } from '../config.js';

/** LLMOS_AUDIT_POSTGRES_URL when set, else the SQLite file LLMOS_AUDIT_FILE; `where` names it (without a password). */
export function workerAuditLog(env: NodeJS.ProcessEnv = process.env): { log: AuditLog; where: string } {
  // Only the audit settings: a bad value elsewhere in the worker's environment is not the caller's business.
  const config = WorkerConfigSchema.pick({ LLMOS_AUDIT_FILE: true, LLMOS_AUDIT_POSTGRES_URL: true }).parse(
    env,
  );
  if (config.LLMOS_AUDIT_POSTGRES_URL) {
    const url = new URL(config.LLMOS_AUDIT_POSTGRES_URL);
    url.password = '';
    return { log: openPostgresAuditLog(config.LLMOS_AUDIT_POSTGRES_URL), where: url.href };
  }
  return { log: openSqliteAuditLog(config.LLMOS_AUDIT_FILE), where: config.LLMOS_AUDIT_FILE };
}
