import { randomUUID } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL the SQL tests run against: LLMOS_TEST_POSTGRES_URL, set by `npm test` and CI
 * from scripts/postgres/setup-postgres.sh (Chinook loaded, read-only role `llmos_reader`).
 */
export function postgresTestUrl(): string | undefined {
  return process.env.LLMOS_TEST_POSTGRES_URL || undefined;
}

/** node:test options that skip a PostgreSQL test, saying why, when there is no test database. */
export function requirePostgres(): { skip: string | false } {
  return postgresTestUrl()
    ? { skip: false }
    : {
        skip: 'LLMOS_TEST_POSTGRES_URL is not set: run scripts/postgres/setup-postgres.sh (npm test does when PostgreSQL is installed)',
      };
}

/**
 * A database of its own for one test, so runs never meet: the test cluster trusts local
 * connections, and its superuser makes it. `url` reaches it as that superuser (the stores
 * create their tables); `drop` removes it, closing what is still connected.
 */
export async function createTestDatabase(
  prefix: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new URL(postgresTestUrl() ?? 'postgres://localhost/postgres');
  admin.username = 'postgres';
  admin.pathname = '/postgres';
  const database = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const asAdmin = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin.href });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await asAdmin(`CREATE DATABASE ${database}`);
  const url = new URL(admin.href);
  url.pathname = `/${database}`;
  return { url: url.href, drop: () => asAdmin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`) };
}
