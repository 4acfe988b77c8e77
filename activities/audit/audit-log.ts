import type { AuditEntry, AuditRecord } from '../../common/audit.js';
import type { ChainVerdict } from './audit-chain.js';
import type { RetentionScope } from './retention-scope.js';

/** The audit trail's store: append-only, hash-chained. */
export interface AuditLog {
  /** Appends the entries in order; an entry whose key is recorded already is skipped. Idempotent. */
  append(entries: readonly AuditEntry[], now?: Date): Promise<void>;
  /** Records in order, all or one run's. */
  read(filter?: { runId?: string; workflowId?: string }): Promise<AuditRecord[]>;
  /** Checks the whole chain. */
  verify(): Promise<ChainVerdict>;
  /**
   * Empties the detail of the records in `scope` written before `scope.before` (never a
   * retention record, nor one written before digests existed), and records the pass in the
   * chain (with `also`: what else the pass removed), in one transaction. Returns how many it
   * emptied.
   */
  prune(scope: RetentionScope, now?: Date, also?: Record<string, number>): Promise<number>;
  close(): Promise<void>;
}

/** A record as both stores keep it: snake-case columns, the detail as JSON text. */
export interface AuditRow {
  seq: number;
  at: string;
  key: string;
  workflow_id: string;
  run_id: string;
  kind: AuditRecord['kind'];
  detail: string;
  prev_hash: string;
  hash: string;
  tenant: string | null;
  detail_sha256: string | null;
  pruned_at: string | null;
}

/** The retention pass's own record, which `verifyChain` checks every emptied record against. */
export function retentionEntry(
  scope: RetentionScope,
  pruned: number,
  at: string,
  also: Record<string, number> = {},
): AuditEntry {
  return {
    key: `retention/${scope.tenant ?? 'default'}/${at}`,
    workflowId: 'llmos-audit-retention',
    runId: 'retention',
    kind: 'retention',
    detail: { ...scope, ...also, pruned },
    ...(scope.tenant ? { tenant: scope.tenant } : {}),
  };
}

export const toRecord = (row: AuditRow): AuditRecord => ({
  seq: Number(row.seq),
  at: row.at,
  key: row.key,
  workflowId: row.workflow_id,
  runId: row.run_id,
  kind: row.kind,
  detail: JSON.parse(row.detail) as Record<string, unknown>,
  prevHash: row.prev_hash,
  hash: row.hash,
  ...(row.tenant !== null ? { tenant: row.tenant } : {}),
  ...(row.detail_sha256 !== null ? { detailSha256: row.detail_sha256 } : {}),
  ...(row.pruned_at !== null ? { prunedAt: row.pruned_at } : {}),
});

/** The table both stores keep, and its index by run; `seq` is SQLite's INTEGER or PostgreSQL's BIGINT. */
export const auditTableSql = (seqType: 'INTEGER' | 'BIGINT'): string => `
  CREATE TABLE IF NOT EXISTS audit_records (
    seq ${seqType} PRIMARY KEY,
    at TEXT NOT NULL,
    key TEXT NOT NULL UNIQUE,
    workflow_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    tenant TEXT,
    detail_sha256 TEXT,
    pruned_at TEXT
  );
  CREATE INDEX IF NOT EXISTS audit_records_run ON audit_records (run_id);
`;

/** The columns a table made before retention existed lacks, as `ALTER TABLE ... ADD COLUMN` takes them. */
export const retentionColumns = ['tenant TEXT', 'detail_sha256 TEXT', 'pruned_at TEXT'];

/**
 * The one change a store lets through: a retention pass emptying an old record's detail, every
 * other column as it was (`OLD` and `NEW` as the UPDATE trigger sees them).
 */
export const pruneOnlyCondition = `
  OLD.pruned_at IS NULL AND NEW.pruned_at IS NOT NULL AND NEW.detail = '{}'
  AND OLD.detail_sha256 IS NOT NULL AND NEW.detail_sha256 = OLD.detail_sha256
  AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.key = OLD.key AND NEW.kind = OLD.kind
  AND NEW.workflow_id = OLD.workflow_id AND NEW.run_id = OLD.run_id
  AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
  AND NEW.tenant IS NOT DISTINCT FROM OLD.tenant`;
