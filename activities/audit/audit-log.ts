import type { AuditEntry, AuditRecord } from '../../common/audit.js';
import type { ChainVerdict } from './audit-chain.js';

/** The audit trail's store: append-only, hash-chained. */
export interface AuditLog {
  /** Appends the entries in order; an entry whose key is recorded already is skipped. Idempotent. */
  append(entries: readonly AuditEntry[], now?: Date): Promise<void>;
  /** Records in order, all or one run's. */
  read(filter?: { runId?: string; workflowId?: string }): Promise<AuditRecord[]>;
  /** Checks the whole chain. */
  verify(): Promise<ChainVerdict>;
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
    hash TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_records_run ON audit_records (run_id);
`;
