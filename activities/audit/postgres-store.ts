import pg from 'pg';

/** The server a PostgreSQL URL names, without its password: for messages and logs. */
export function postgresWhere(url: string): string {
  const named = new URL(url);
  named.password = '';
  return named.href;
}

/**
 * A pool for a PostgreSQL store (the audit trail and PII vault, the knowledge bases). An idle
 * connection the server ends (a restart, a dropped database) is replaced on next use; unheard,
 * its error would end the process.
 */
export function openStorePool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  return pool;
}

/** The SQL that takes an advisory lock, or releases a session's, on a bigint key or on a text PostgreSQL hashes. */
const lockSql = (
  kind: 'pg_advisory_lock' | 'pg_advisory_unlock' | 'pg_advisory_xact_lock',
  lock: number | string,
) => (typeof lock === 'number' ? `SELECT ${kind}($1)` : `SELECT ${kind}(hashtext($1))`);

/**
 * A store's schema, made on first use: `create` runs under a session advisory lock on `lock`,
 * so workers starting together take turns (each statement idempotent: `IF NOT EXISTS`). The
 * returned function waits for it; a failure (the server not up yet) is not kept, so the next call
 * tries again.
 */
export function schemaOnce(
  pool: pg.Pool,
  lock: number | string,
  create: (client: pg.PoolClient) => Promise<void>,
): () => Promise<void> {
  let ready: Promise<void> | undefined;
  const make = async () => {
    const client = await pool.connect();
    try {
      await client.query(lockSql('pg_advisory_lock', lock), [lock]);
      await create(client);
    } finally {
      await client.query(lockSql('pg_advisory_unlock', lock), [lock]).catch(() => undefined);
      client.release();
    }
  };
  return () =>
    (ready ??= make().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
}

/**
 * Runs `work` in one transaction that first takes a transaction-scoped advisory lock: a bigint
 * key, or a text PostgreSQL hashes (`hashtext`). Whoever holds the same lock waits; on any
 * failure the transaction rolls back and the error goes on.
 */
export async function inLockedTransaction<T>(
  pool: pg.Pool,
  lock: number | string,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(lockSql('pg_advisory_xact_lock', lock), [lock]);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
