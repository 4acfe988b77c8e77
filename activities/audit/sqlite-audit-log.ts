import { addMissingColumns, openSharedSqlite, settled } from '../llm/shared-sqlite.js';
import type { AuditEntry } from '../../common/audit.js';
import { insertColumns, insertValues, linkEntries, verifyChain } from './audit-chain.js';
import {
  auditTableSql,
  pruneOnlyCondition,
  retentionColumns,
  retentionEntry,
  toRecord,
  type AuditLog,
  type AuditRow,
} from './audit-log.js';
import { scopeCondition, type RetentionScope } from './retention-scope.js';

/**
 * The audit trail in a SQLite file (LLMOS_AUDIT_FILE): the default, for the workers of one
 * machine. Triggers refuse DELETE, and every UPDATE but a retention pass's emptying of an old
 * detail; an append runs in one immediate transaction, so two workers never chain onto the same
 * record.
 */
export function openSqliteAuditLog(file: string): AuditLog {
  const db = openSharedSqlite(file);
  db.exec(auditTableSql('INTEGER'));
  // A trail made before retention existed gets its columns; its records keep their hashes.
  addMissingColumns(db, 'audit_records', retentionColumns);
  db.exec(`
    DROP TRIGGER IF EXISTS audit_records_no_update;
    CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records WHEN NOT (${pruneOnlyCondition})
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
    CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
      BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
  `);
  const last = db.prepare('SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1');
  const known = db.prepare('SELECT 1 FROM audit_records WHERE key = ?');
  const insert = db.prepare(
    `INSERT INTO audit_records (${insertColumns}) VALUES (${insertColumns
      .split(',')
      .map(() => '?')
      .join(', ')})`,
  );
  const appendNow = (entries: readonly AuditEntry[], at: string) => {
    const tail = last.get() as { seq: number; hash: string } | undefined;
    for (const record of linkEntries(tail, entries, (key) => known.get(key) !== undefined, at)) {
      insert.run(...insertValues(record));
    }
  };
  const append = db.transaction(appendNow);
  const prune = db.transaction((scope: RetentionScope, at: string, also: Record<string, number>) => {
    const condition = scopeCondition(scope, () => '?');
    const { changes } = db
      .prepare(
        `UPDATE audit_records SET detail = '{}', pruned_at = ?
         WHERE at < ? AND pruned_at IS NULL AND detail_sha256 IS NOT NULL AND kind <> 'retention' AND ${condition.sql}`,
      )
      .run(at, scope.before, ...condition.values);
    appendNow([retentionEntry(scope, changes, at, also)], at);
    return changes;
  });
  const all = db.prepare('SELECT * FROM audit_records ORDER BY seq');
  const filtered = db.prepare(
    'SELECT * FROM audit_records WHERE (@runId IS NULL OR run_id = @runId) AND (@workflowId IS NULL OR workflow_id = @workflowId) ORDER BY seq',
  );
  return {
    append: (entries, now = new Date()) => settled(() => append.immediate(entries, now.toISOString())),
    read: (filter = {}) =>
      settled(() =>
        (
          filtered.all({ runId: filter.runId ?? null, workflowId: filter.workflowId ?? null }) as AuditRow[]
        ).map(toRecord),
      ),
    verify: () => settled(() => verifyChain((all.all() as AuditRow[]).map(toRecord))),
    prune: (scope, now = new Date(), also = {}) =>
      settled(() => prune.immediate(scope, now.toISOString(), also)),
    close: () =>
      settled(() => {
        db.close();
      }),
  };
}
