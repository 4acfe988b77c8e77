import pg from 'pg';

/**
 * A pool on the audit trail's PostgreSQL database, for its stores (the trail, the PII vault). An
 * idle connection the server ends (a restart, a dropped database) is replaced on next use;
 * unheard, its error would end the process.
 */
export function openStorePool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => undefined);
  return pool;
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
    await client.query(
      typeof lock === 'number'
        ? 'SELECT pg_advisory_xact_lock($1)'
        : 'SELECT pg_advisory_xact_lock(hashtext($1))',
      [lock],
    );
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
