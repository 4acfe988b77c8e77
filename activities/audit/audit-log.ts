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
