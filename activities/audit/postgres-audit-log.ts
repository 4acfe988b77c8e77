import type pg from 'pg';
import { inLockedTransaction, openStorePool, schemaOnce } from './postgres-store.js';
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
import { scopeCondition } from './retention-scope.js';

/**
 * The schema, created on first use: the same table as the SQLite store's (a table made before
 * retention existed gets its columns), and a trigger that refuses DELETE and every UPDATE but a
 * retention pass's emptying of an old detail.
 */
const schema = `${auditTableSql('BIGINT')}
  ${retentionColumns.map((column) => `ALTER TABLE audit_records ADD COLUMN IF NOT EXISTS ${column};`).join('\n  ')}
  CREATE OR REPLACE FUNCTION audit_records_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND (${pruneOnlyCondition}) THEN RETURN NEW; END IF;
      RAISE EXCEPTION 'audit records are append-only';
    END $$;
  DROP TRIGGER IF EXISTS audit_records_no_change ON audit_records;
  CREATE TRIGGER audit_records_no_change BEFORE UPDATE OR DELETE ON audit_records
    FOR EACH ROW EXECUTE FUNCTION audit_records_refuse();
`;

/** Serialises appends across every worker: the chain has one tail. */
const appendLock = 0x6c6c6d6f;

/**
 * The audit trail in PostgreSQL (LLMOS_AUDIT_POSTGRES_URL), for workers on several machines.
 * An append takes a transaction-scoped advisory lock, so appends from any worker chain one
 * after another; reads need no lock.
 */
export function openPostgresAuditLog(url: string): AuditLog {
  const pool = openStorePool(url);
  const ensureSchema = schemaOnce(pool, appendLock, async (client) => {
    await client.query(schema);
  });
  const select = async (where: string, values: unknown[]) => {
    await ensureSchema();
    const result = await pool.query<AuditRow>(`SELECT * FROM audit_records ${where} ORDER BY seq`, values);
    return result.rows.map(toRecord);
  };
  /** Runs `work` in a transaction that holds the append lock: the chain has one tail. */
  const locked = async <T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    await ensureSchema();
    return inLockedTransaction(pool, appendLock, work);
  };
  const appendWith = async (client: pg.PoolClient, entries: readonly AuditEntry[], at: string) => {
    const tail = await client.query<{ seq: string; hash: string }>(
      'SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1',
    );
    const keys = entries.map((entry) => entry.key);
    const known = await client.query<{ key: string }>('SELECT key FROM audit_records WHERE key = ANY($1)', [
      keys,
    ]);
    const recorded = new Set(known.rows.map((row) => row.key));
    const row = tail.rows[0];
    const last = row ? { seq: Number(row.seq), hash: row.hash } : undefined;
    for (const record of linkEntries(last, entries, (key) => recorded.has(key), at)) {
      const values = insertValues(record);
      await client.query(
        `INSERT INTO audit_records (${insertColumns}) VALUES (${values.map((_value, index) => `$${index + 1}`).join(', ')})`,
        values,
      );
    }
  };
  return {
    append: (entries: readonly AuditEntry[], now = new Date()) =>
      locked((client) => appendWith(client, entries, now.toISOString())),
    prune: (scope, now = new Date(), also = {}) =>
      locked(async (client) => {
        const at = now.toISOString();
        const condition = scopeCondition(scope, (index) => `$${index + 3}`);
        const { rowCount } = await client.query(
          `UPDATE audit_records SET detail = '{}', pruned_at = $1
           WHERE at < $2 AND pruned_at IS NULL AND detail_sha256 IS NOT NULL AND kind <> 'retention' AND ${condition.sql}`,
          [at, scope.before, ...condition.values],
        );
        const pruned = rowCount ?? 0;
        await appendWith(client, [retentionEntry(scope, pruned, at, also)], at);
        return pruned;
      }),
    read: (filter = {}) =>
      select('WHERE ($1::text IS NULL OR run_id = $1) AND ($2::text IS NULL OR workflow_id = $2)', [
        filter.runId ?? null,
        filter.workflowId ?? null,
      ]),
    async verify() {
      return verifyChain(await select('', []));
    },
    async close() {
      await pool.end();
    },
  };
}
