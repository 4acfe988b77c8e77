import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkSql } from '../../activities/sql/sql-guard.js';
import type { SqlDialect } from '../../common/database.js';

type Dialects = SqlDialect | 'both';
const dialectsOf = (which: Dialects): SqlDialect[] => (which === 'both' ? ['sqlite', 'postgres'] : [which]);

const safe: Array<[Dialects, string]> = [
  ['both', 'SELECT "Name" FROM "Artist"'],
  ['both', 'SELECT "Name" FROM "Artist";'],
  [
    'both',
    'SELECT a."Name" FROM "Artist" AS a JOIN "Album" b ON a."ArtistId" = b."ArtistId" LIMIT 5 OFFSET 2',
  ],
  ['both', 'SELECT 1 UNION SELECT 2'],
  ['both', 'SELECT 1 INTERSECT SELECT 2'],
  ['both', 'SELECT 1 EXCEPT SELECT 2'],
  ['both', 'WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5) SELECT n FROM c'],
  [
    'both',
    'SELECT (SELECT max("Total") FROM "Invoice") FROM (SELECT * FROM "Track") s WHERE "x" IN (SELECT "y" FROM "Genre") AND EXISTS (SELECT 1 FROM "Album")',
  ],
  [
    'both',
    'SELECT ROW_NUMBER() OVER (ORDER BY "Name"), RANK() OVER (PARTITION BY "GenreId" ORDER BY "Milliseconds" DESC) FROM "Track"',
  ],
  ['both', 'SELECT SUM(COUNT(*)) OVER () FROM "Track" GROUP BY "GenreId"'],
  [
    'both',
    'SELECT COALESCE("Company", \'none\'), NULLIF("State", \'\'), ABS(-1), ROUND(1.25, 1), LENGTH("Email"), LOWER("City"), UPPER("City"), SUBSTR("Phone", 1, 3), TRIM("Fax"), REPLACE("Email", \'@\', \' at \') FROM "Customer"',
  ],
  ['both', 'SELECT CAST("Total" AS INTEGER), CASE WHEN "Total" > 10 THEN 1 ELSE 0 END FROM "Invoice"'],
  [
    'sqlite',
    'SELECT strftime(\'%Y\', "InvoiceDate"), julianday(\'now\') - julianday("InvoiceDate"), group_concat("BillingCity", \',\'), ifnull("BillingState", \'\'), iif("Total" > 5, \'big\', \'small\'), printf(\'%.2f\', "Total"), typeof("Total") FROM "Invoice"',
  ],
  [
    'postgres',
    'SELECT EXTRACT(YEAR FROM "InvoiceDate")::int, date_trunc(\'month\', "InvoiceDate"), to_char("InvoiceDate", \'YYYY\'), string_agg("BillingCity", \',\' ORDER BY "BillingCity"), count(*) FILTER (WHERE "Total" > 5) FROM "Invoice" WHERE "BillingCity" ILIKE \'a%\' GROUP BY 1, 2, 3',
  ],
  ['postgres', 'SELECT pg_catalog.lower("Name") FROM "Artist"'],
  ['postgres', 'SELECT "Artist"."Name" FROM "Artist" WHERE "Name" = $$AC/DC$$'],
];

const unsafe: Array<[Dialects, string, string]> = [
  ['both', '', 'empty statement'],
  ['both', '   -- only a comment', 'empty statement'],
  ['both', 'SELEC "Name" FROM "Artist"', 'cannot parse'],
  ['both', 'SELECT 1; SELECT 2', '2 statements; exactly one is allowed'],
  ['both', 'SELECT 1; DROP TABLE "Artist"', '2 statements'],
  ['both', 'DELETE FROM "Artist"', 'only SELECT is allowed, got DELETE'],
  ['both', 'INSERT INTO "Artist" ("Name") VALUES (\'x\')', 'only SELECT is allowed, got INSERT'],
  ['both', 'UPDATE "Artist" SET "Name" = \'x\'', 'only SELECT is allowed, got UPDATE'],
  ['both', 'DROP TABLE "Artist"', 'only SELECT is allowed, got DROP'],
  ['both', 'CREATE TABLE x (a int)', 'only SELECT is allowed, got CREATE'],
  ['both', 'ALTER TABLE "Artist" ADD COLUMN x int', 'only SELECT is allowed, got ALTER'],
  ['postgres', 'BEGIN', 'got TRANSACTION'],
  ['postgres', 'COMMIT', 'got TRANSACTION'],
  ['postgres', 'SET search_path = evil', 'got SET'],
  ['postgres', 'CALL p()', 'got CALL'],
  ['postgres', 'DO $$ BEGIN END $$', 'cannot parse'],
  ['postgres', 'COPY "Artist" TO \'/tmp/x\'', 'cannot parse'],
  ['postgres', 'RESET ALL', 'cannot parse'],
  ['sqlite', 'PRAGMA table_info("Artist")', 'cannot parse'],
  ['sqlite', "ATTACH DATABASE '/tmp/x.db' AS x", 'got ATTACH'],
  ['sqlite', 'DETACH DATABASE x', 'cannot parse'],
  ['sqlite', 'VACUUM', 'cannot parse'],
  [
    'postgres',
    'WITH x AS (INSERT INTO "Artist" ("Name") VALUES (\'x\') RETURNING "ArtistId") SELECT * FROM x',
    'only SELECT is allowed, got INSERT',
  ],
  [
    'postgres',
    'WITH x AS (UPDATE "Artist" SET "Name" = \'x\' RETURNING "Name") SELECT * FROM x',
    'only SELECT is allowed, got UPDATE',
  ],
  ['postgres', 'WITH x AS (DELETE FROM "Artist" RETURNING *) SELECT * FROM x', 'cannot parse'],
  ['postgres', 'SELECT * INTO stolen FROM "Customer"', 'SELECT ... INTO is not allowed'],
  ['postgres', 'SELECT * FROM "Customer" FOR UPDATE', 'cannot parse'],
  ['postgres', 'SELECT * FROM "Customer" FOR SHARE', 'cannot parse'],
  ['sqlite', 'SELECT * FROM "Customer" FOR UPDATE', 'cannot parse'],
  ['postgres', 'SELECT pg_sleep(5)', 'function pg_sleep is not allowed in postgres'],
  [
    'postgres',
    'SELECT "Name" FROM "Artist" WHERE "ArtistId" IN (SELECT pg_sleep(5))',
    'function pg_sleep is not allowed',
  ],
  [
    'postgres',
    'SELECT "Name" FROM "Artist" ORDER BY pg_catalog.pg_sleep(1)',
    'function pg_catalog.pg_sleep is not allowed',
  ],
  ['postgres', "SELECT pg_read_file('/etc/passwd')", 'function pg_read_file'],
  ['postgres', "SELECT pg_read_binary_file('/etc/passwd')", 'function pg_read_binary_file'],
  ['postgres', "SELECT pg_ls_dir('.')", 'function pg_ls_dir'],
  ['postgres', "SELECT lo_import('/etc/passwd')", 'function lo_import'],
  ['postgres', "SELECT lo_export(1, '/tmp/x')", 'function lo_export'],
  ['postgres', "SELECT dblink_exec('host=evil', 'DROP TABLE x')", 'function dblink_exec'],
  ['postgres', "SELECT set_config('search_path', 'x', false)", 'function set_config'],
  ['postgres', "SELECT current_setting('data_directory')", 'function current_setting'],
  ['postgres', 'SELECT pg_terminate_backend(1)', 'function pg_terminate_backend'],
  ['postgres', 'SELECT pg_cancel_backend(1)', 'function pg_cancel_backend'],
  ['postgres', 'SELECT public.my_function(1)', 'function public.my_function is not allowed'],
  ['postgres', 'SELECT version()', 'function version'],
  [
    'postgres',
    'SELECT strftime(\'%Y\', "InvoiceDate") FROM "Invoice"',
    'function strftime is not allowed in postgres',
  ],
  ['sqlite', "SELECT load_extension('/tmp/evil.so')", 'function load_extension is not allowed in sqlite'],
  ['sqlite', 'SELECT randomblob(1000000000)', 'function randomblob'],
  ['sqlite', 'SELECT zeroblob(1000000000)', 'function zeroblob'],
  ['sqlite', 'SELECT sqlite_version()', 'function sqlite_version'],
  ['sqlite', "SELECT readfile('/etc/passwd')", 'function readfile'],
  ['sqlite', "SELECT writefile('/tmp/x', 'y')", 'function writefile'],
  [
    'sqlite',
    'SELECT date_trunc(\'month\', "InvoiceDate") FROM "Invoice"',
    'function date_trunc is not allowed in sqlite',
  ],
  ['sqlite', 'SELECT name FROM sqlite_master', 'system table sqlite_master is not allowed'],
  ['postgres', 'SELECT * FROM pg_catalog.pg_user', 'system table pg_catalog.pg_user is not allowed'],
  ['postgres', 'SELECT * FROM information_schema.tables', 'system table information_schema.tables'],
  ['postgres', 'SELECT * FROM pg_shadow', 'system table pg_shadow'],
  // What the parser and the database would tokenize differently.
  ['both', "SELECT 'a\\' ; DELETE FROM \"Artist\"; --'", 'backslash in quoted text'],
  ['sqlite', 'SELECT 1 # 2', 'character # is not allowed'],
  ['sqlite', 'SELECT $a$, 1, $a$', 'character $ is not allowed'],
  ['both', "SELECT 'unterminated", 'cannot parse'],
];

void describe('checkSql', () => {
  void it('accepts read-only SELECTs, CTEs, set operations, subqueries and allow-listed functions', () => {
    for (const [which, sql] of safe) {
      for (const dialect of dialectsOf(which)) {
        const verdict = checkSql(sql, { dialect });
        assert.equal(verdict.reason, undefined, `${dialect}: ${sql}`);
        assert.equal(verdict.safe, true);
      }
    }
  });

  void it('refuses everything else with a short, specific reason', () => {
    for (const [which, sql, reason] of unsafe) {
      for (const dialect of dialectsOf(which)) {
        const verdict = checkSql(sql, { dialect });
        assert.equal(verdict.safe, false, `${dialect} accepted: ${sql}`);
        assert.ok(
          verdict.reason?.includes(reason),
          `${dialect}: ${sql}\n  got: ${verdict.reason}\n  want: ${reason}`,
        );
      }
    }
  });

  void it('lists tables and functions read, lower-cased, sorted and unique; CTE names are not tables', () => {
    const verdict = checkSql(
      'WITH big AS (SELECT * FROM "Invoice" WHERE "Total" > 10) SELECT COUNT(*), max(b."Total"), UPPER(c."City"), upper(c."City") FROM big b JOIN "Customer" c ON c."CustomerId" = b."CustomerId" JOIN "Invoice" i ON 1 = 1',
      { dialect: 'postgres' },
    );
    assert.deepEqual(verdict, {
      safe: true,
      tables: ['customer', 'invoice'],
      functions: ['count', 'max', 'upper'],
    });
  });

  void it('checks allowedTables case-insensitively, looking through CTEs at the tables they read', () => {
    const options = { dialect: 'sqlite', allowedTables: ['customer', 'INVOICE'] } as const;
    assert.equal(
      checkSql('SELECT * FROM "Customer" JOIN "Invoice" USING ("CustomerId")', options).safe,
      true,
    );
    assert.equal(
      checkSql('WITH "Employee" AS (SELECT * FROM "Customer") SELECT * FROM "Employee"', options).safe,
      true,
    );
    assert.equal(
      checkSql(
        'SELECT * FROM "Customer" WHERE "SupportRepId" IN (SELECT "EmployeeId" FROM "Employee")',
        options,
      ).reason,
      'table Employee is not in the allowed tables',
    );
    // Without RECURSIVE a CTE's body cannot see its own name: this reads the real table.
    assert.equal(
      checkSql('WITH "Employee" AS (SELECT * FROM "Employee") SELECT * FROM "Employee"', options).reason,
      'table Employee is not in the allowed tables',
    );
  });

  void it('accepts every Chinook gold query on SQLite, and those without strftime on PostgreSQL', () => {
    const gold = readFileSync(new URL('../fixtures/chinook-gold.jsonl', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; sql: string });
    assert.ok(gold.length > 0);
    for (const { id, sql } of gold) {
      assert.equal(checkSql(sql, { dialect: 'sqlite' }).reason, undefined, `sqlite ${id}`);
      const postgres = checkSql(sql, { dialect: 'postgres' });
      if (sql.includes('strftime'))
        assert.equal(postgres.reason, 'function strftime is not allowed in postgres');
      else assert.equal(postgres.reason, undefined, `postgres ${id}`);
    }
  });
});
