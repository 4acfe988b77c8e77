import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeAllDatabases, openDatabase, type SqlBackend } from '../../activities/sql/open-database.js';
import { postgresTestUrl, requirePostgres } from '../helpers/postgres.js';

const slowQuery =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c WHERE x < 100000000';

describe('PostgreSQL backend', requirePostgres(), () => {
  let backend: SqlBackend;
  before(async () => {
    backend = await openDatabase(postgresTestUrl()!);
  });
  after(async () => {
    await backend?.close();
    await closeAllDatabases();
  });

  it('returns rows with the same values as SQLite and cuts them at maxRows', async () => {
    const result = await backend.execute(
      'SELECT "TrackId", "Name", "UnitPrice" FROM "Track" ORDER BY "TrackId"',
      {
        timeoutMs: 5_000,
        maxRows: 3,
      },
    );
    assert.ok(result.ok);
    assert.deepEqual(result.columns, ['TrackId', 'Name', 'UnitPrice']);
    assert.deepEqual(result.rows[0], [1, 'For Those About To Rock (We Salute You)', 0.99]);
    assert.equal(result.rows.length, 3);
    assert.equal(result.truncated, true);

    const all = await backend.execute('SELECT count(*) AS n FROM "Genre";', { timeoutMs: 5_000, maxRows: 3 });
    assert.ok(all.ok);
    assert.deepEqual(all.rows, [[25]]);
    assert.equal(all.truncated, false);
  });

  it('keeps values that a number cannot hold as text', async () => {
    const result = await backend.execute(
      `SELECT 9007199254740993::bigint, 12345678901234567890.5::numeric, '\\x00ff10'::bytea, DATE '2024-02-29', true`,
      { timeoutMs: 5_000, maxRows: 1 },
    );
    assert.ok(result.ok);
    assert.deepEqual(result.rows, [
      ['9007199254740993', '12345678901234567890.5', '<blob 3 bytes>', '2024-02-29', true],
    ]);
  });

  it('reports a SQL error as an outcome', async () => {
    const result = await backend.execute('SELECT "Nope" FROM "Track"', { timeoutMs: 5_000, maxRows: 10 });
    assert.ok(!result.ok);
    assert.equal(result.timedOut, false);
    assert.match(result.error, /column "Nope" does not exist/);
  });

  it('stops a slow query at its timeout, and the next query works', async () => {
    const started = Date.now();
    const result = await backend.execute(slowQuery, { timeoutMs: 500, maxRows: 10 });
    const elapsed = Date.now() - started;
    assert.ok(!result.ok);
    assert.equal(result.timedOut, true);
    assert.ok(elapsed < 1_000, `took ${elapsed} ms`);

    const next = await backend.execute('SELECT count(*) FROM "Album"', { timeoutMs: 5_000, maxRows: 1 });
    assert.ok(next.ok);
    assert.deepEqual(next.rows, [[347]]);
  });

  it('runs every statement in a read-only transaction with its timeout', async () => {
    const result = await backend.execute(
      "SELECT current_setting('transaction_read_only'), current_setting('statement_timeout')",
      { timeoutMs: 1_234, maxRows: 1 },
    );
    assert.ok(result.ok);
    assert.deepEqual(result.rows, [['on', '1234ms']]);
  });

  it('refuses writes even without the guard, and the data stays unchanged', async () => {
    const before = await backend.checksum();
    for (const sql of [
      'DELETE FROM "Track"',
      'WITH gone AS (DELETE FROM "Track" RETURNING 1) SELECT count(*) FROM gone',
      'SELECT 1; DELETE FROM "Track"',
      'SELECT 1; COMMIT; DELETE FROM "Track"',
    ]) {
      const result = await backend.execute(sql, { timeoutMs: 5_000, maxRows: 1 });
      assert.ok(!result.ok, sql);
    }
    assert.equal(await backend.checksum(), before);
  });

  it('switches to a configured read-only role', async () => {
    const reader = await openDatabase(postgresTestUrl()!, { postgresRole: 'llmos_reader' });
    try {
      const result = await reader.execute('SELECT current_user', { timeoutMs: 5_000, maxRows: 1 });
      assert.ok(result.ok);
      assert.deepEqual(result.rows, [['llmos_reader']]);
    } finally {
      await reader.close();
    }
  });

  it('names a bad URL and an unreachable database', async () => {
    await assert.rejects(openDatabase('postgres://'), /PostgreSQL URL without a host: postgres:\/\//);
    await assert.rejects(
      openDatabase('postgres://reader:s3cret@127.0.0.1:1/chinook'),
      (error: Error) =>
        /cannot open PostgreSQL database postgres:\/\/reader:\*\*\*@127\.0\.0\.1:1\/chinook/.test(
          error.message,
        ) && !error.message.includes('s3cret'),
    );
  });
});
