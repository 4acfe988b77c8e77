import { createHash } from 'node:crypto';
import pg from 'pg';
import type { SqlExecution } from '../../common/database.js';
import type { ExecuteOptions, SqlConnection } from './sql-backend.js';
import { postgresTypes, toJsonValue } from './postgres-values.js';

/** SQLSTATE query_canceled: what statement_timeout raises. */
const queryCanceled = '57014';
/** Beyond the server's own statement_timeout: give up on a connection that stopped answering. */
const clientGraceMs = 5_000;

const pools = new Map<string, { pool: pg.Pool; users: number }>();

function acquirePool(url: string): pg.Pool {
  let entry = pools.get(url);
  if (!entry) {
    const pool = new pg.Pool({
      connectionString: url,
      types: postgresTypes,
      max: 4,
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: 10_000,
      // Idle connections must not keep a worker (or a test) process alive.
      allowExitOnIdle: true,
    });
    // An idle client losing its connection must not crash the worker; the next checkout reconnects.
    pool.on('error', () => undefined);
    entry = { pool, users: 0 };
    pools.set(url, entry);
  }
  entry.users += 1;
  return entry.pool;
}

async function releasePool(url: string): Promise<void> {
  const entry = pools.get(url);
  if (!entry) return;
  entry.users -= 1;
  if (entry.users > 0) return;
  pools.delete(url);
  await entry.pool.end();
}

/** Errors the server raised about the statement (they carry a SQLSTATE), as opposed to connection trouble. */
function isStatementError(error: unknown): error is pg.DatabaseError {
  return error instanceof pg.DatabaseError;
}

export interface PostgresConnectionOptions {
  /** A role without write privileges to `SET LOCAL ROLE` to for every statement. */
  role?: string;
}

/**
 * PostgreSQL, read-only: every statement runs in `BEGIN READ ONLY` with `SET LOCAL
 * statement_timeout` (and `SET LOCAL ROLE` when a read-only role is configured), as `DECLARE ...
 * CURSOR FOR <sql>` sent with the extended protocol (so exactly one statement, and only a SELECT
 * or VALUES), `FETCH maxRows + 1`, and always `ROLLBACK`. One pool per URL; the password comes
 * from the URL or, better, from PGPASSWORD on the worker, so URLs in workflow history carry none.
 */
export function createPostgresConnection(
  url: string,
  options: PostgresConnectionOptions = {},
): SqlConnection {
  const pool = acquirePool(url);
  let closed = false;

  async function inReadOnlyTransaction<T>(timeoutMs: number, work: (client: pg.PoolClient) => Promise<T>) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.ceil(timeoutMs))}`);
      if (options.role) await client.query(`SET LOCAL ROLE ${client.escapeIdentifier(options.role)}`);
      return await work(client);
    } catch (error) {
      if (!isStatementError(error)) broken = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      if (!broken) await client.query('ROLLBACK').catch((error: Error) => (broken = error));
      client.release(broken ?? false);
    }
  }

  return {
    dialect: 'postgres',
    async execute(sql: string, { timeoutMs, maxRows }: ExecuteOptions): Promise<SqlExecution> {
      const statement = sql.trim().replace(/;\s*$/, '');
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      try {
        return await inReadOnlyTransaction(timeoutMs, async (client) => {
          const extended = { queryMode: 'extended', query_timeout: timeoutMs + clientGraceMs };
          await client.query({ ...extended, text: `DECLARE llmos_cursor NO SCROLL CURSOR FOR ${statement}` });
          const result = await client.query<unknown[]>({
            ...extended,
            text: `FETCH ${maxRows + 1} FROM llmos_cursor`,
            rowMode: 'array',
          });
          const truncated = result.rows.length > maxRows;
          return {
            ok: true as const,
            elapsedMs: elapsed(),
            columns: result.fields.map((field) => field.name),
            rows: result.rows.slice(0, maxRows).map((row) => row.map(toJsonValue)),
            truncated,
          };
        });
      } catch (error) {
        if (!isStatementError(error)) throw error;
        const timedOut = error.code === queryCanceled;
        return {
          ok: false,
          elapsedMs: elapsed(),
          timedOut,
          error: timedOut ? `timed out after ${timeoutMs} ms` : error.message,
        };
      }
    },
    /**
     * sha256 over every row of every user table, in a stable order. Reads all the data: meant for
     * tests and audits, not for every statement.
     */
    async checksum() {
      return inReadOnlyTransaction(300_000, async (client) => {
        const tables = await client.query<{ name: string }>(
          `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY (current_schemas(false))
            ORDER BY 1`,
        );
        const hash = createHash('sha256');
        for (const { name } of tables.rows) {
          const digest = await client.query<{ md5: string }>(
            `SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5 FROM ${name} t`,
          );
          hash.update(`${name}\n${digest.rows[0]?.md5}\n`);
        }
        return hash.digest('hex');
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      await releasePool(url);
    },
  };
}
