import pg from 'pg';
import type { AuditEntry } from '../../common/audit.js';
import { insertValues, linkEntries, verifyChain } from './audit-chain.js';
import { auditTableSql, toRecord, type AuditLog, type AuditRow } from './audit-log.js';

/** The schema, created on first use: the same table as the SQLite store's, and triggers that refuse UPDATE and DELETE. */
const schema = `${auditTableSql('BIGINT')}
  CREATE OR REPLACE FUNCTION audit_records_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$;
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
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  let ready: Promise<void> | undefined;
  const ensureSchema = () => {
    ready ??= (async () => {
      const client = await pool.connect();
      try {
        await client.query('SELECT pg_advisory_lock($1)', [appendLock]);
        await client.query(schema);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [appendLock]).catch(() => undefined);
        client.release();
      }
    })();
    return ready;
  };
  const select = async (where: string, values: unknown[]) => {
    await ensureSchema();
    const result = await pool.query<AuditRow>(`SELECT * FROM audit_records ${where} ORDER BY seq`, values);
    return result.rows.map(toRecord);
  };
  return {
    async append(entries: readonly AuditEntry[], now = new Date()) {
      await ensureSchema();
      const at = now.toISOString();
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('SELECT pg_advisory_xact_lock($1)', [appendLock]);
        const tail = await client.query<{ seq: string; hash: string }>(
          'SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1',
        );
        const keys = entries.map((entry) => entry.key);
        const known = await client.query<{ key: string }>(
          'SELECT key FROM audit_records WHERE key = ANY($1)',
          [keys],
        );
        const recorded = new Set(known.rows.map((row) => row.key));
        const row = tail.rows[0];
        const last = row ? { seq: Number(row.seq), hash: row.hash } : undefined;
        for (const record of linkEntries(last, entries, (key) => recorded.has(key), at)) {
          await client.query(
            'INSERT INTO audit_records (seq, at, key, workflow_id, run_id, kind, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
            insertValues(record),
          );
        }
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
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
