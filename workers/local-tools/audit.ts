/** The audit trail a worker with this environment writes, for `llmos audit` to read and verify. */
import { openSqliteAuditLog, type AuditLog } from '../../activities/audit/sqlite-audit-log.js';
import { WorkerConfigSchema } from '../config.js';

export function workerAuditLog(env: NodeJS.ProcessEnv = process.env): { log: AuditLog; file: string } {
  // Only the audit setting: a bad value elsewhere in the worker's environment is not the caller's business.
  const { LLMOS_AUDIT_FILE: file } = WorkerConfigSchema.pick({ LLMOS_AUDIT_FILE: true }).parse(env);
  return { log: openSqliteAuditLog(file), file };
}
