import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  closeAllDatabases,
  describeDatabase,
  openDatabase,
  type SqlBackend,
} from '../../activities/sql/open-database.js';

const chinook = 'examples/databases/chinook.sqlite';
const slowQuery =
  'WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c WHERE x < 100000000';

describe('SQLite backend', () => {
  let backend: SqlBackend;
  before(async () => {
    backend = await openDatabase(chinook);
  });
  after(async () => {
    await backend.close();
    await closeAllDatabases();
  });

  it('returns rows as JSON and cuts them at maxRows', async () => {
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

    const all = await backend.execute('SELECT count(*) AS n FROM "Genre"', { timeoutMs: 5_000, maxRows: 3 });
    assert.ok(all.ok);
    assert.deepEqual(all.rows, [[25]]);
    assert.equal(all.truncated, false);
  });

  it('renders big integers and blobs as text', async () => {
    const result = await backend.execute("SELECT 9007199254740993 AS big, x'00ff10' AS blob, 42 AS small", {
      timeoutMs: 5_000,
      maxRows: 1,
    });
    assert.ok(result.ok);
    assert.deepEqual(result.rows, [['9007199254740993', '<blob 3 bytes>', 42]]);
  });

  it('reports a SQL error as an outcome', async () => {
    const result = await backend.execute('SELECT "Nope" FROM "Track"', { timeoutMs: 5_000, maxRows: 10 });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.equal(result.timedOut, false);
    assert.match(result.error, /no such column: "?Nope/);
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

  it('refuses writes even without the guard, and the file stays unchanged', async () => {
    const before = await backend.checksum();
    for (const sql of [
      'DELETE FROM "Track"',
      'UPDATE "Artist" SET "Name" = \'x\'',
      'CREATE TABLE "Evil" (x)',
    ]) {
      const result = await backend.execute(sql, { timeoutMs: 5_000, maxRows: 1 });
      assert.ok(!result.ok, sql);
      assert.match(result.error, /attempt to write a readonly database/, sql);
    }
    // Switching query_only off does not help: the file itself is open read-only.
    await backend.execute('PRAGMA query_only = OFF', { timeoutMs: 5_000, maxRows: 1 });
    const stillReadOnly = await backend.execute('DELETE FROM "Track"', { timeoutMs: 5_000, maxRows: 1 });
    assert.ok(!stillReadOnly.ok);
    assert.equal(await backend.checksum(), before);
  });

  it('names a missing file, and a database name that is neither a file nor a URL', async () => {
    await assert.rejects(
      openDatabase('examples/databases/missing.sqlite'),
      /SQLite database not found: .*missing\.sqlite/,
    );
    await assert.rejects(openDatabase('no-such-thing'), /unknown database "no-such-thing"/);
    await assert.rejects(
      openDatabase('package.json'),
      /cannot open SQLite database .*package\.json: file is not a database/,
    );
  });

  it('redacts the password of a URL for logs', () => {
    assert.equal(
      describeDatabase('postgres://reader:s3cret@db.example:5432/shop'),
      'postgres://reader:***@db.example:5432/shop',
    );
    assert.equal(describeDatabase(chinook), chinook);
  });
});
