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
