import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { DatabaseSchema } from '../../common/database.js';
import { introspectDatabase } from '../../activities/sql/open-database.js';
import { closeAllDatabases } from '../../activities/sql/open-database.js';
import { postgresTestUrl, requirePostgres } from '../helpers/postgres.js';

const chinookTables = [
  'Album',
  'Artist',
  'Customer',
  'Employee',
  'Genre',
  'Invoice',
  'InvoiceLine',
  'MediaType',
  'Playlist',
  'PlaylistTrack',
  'Track',
];

function checkChinook(schema: DatabaseSchema): void {
  assert.deepEqual(schema.tables.map((table) => table.name).sort(), chinookTables);
  const track = schema.tables.find((table) => table.name === 'Track')!;
  assert.equal(track.rowCount, 3503);
  const column = (name: string) => track.columns.find((candidate) => candidate.name === name)!;
  assert.deepEqual(column('AlbumId').references, { table: 'Album', column: 'AlbumId' });
  assert.equal(column('TrackId').primaryKey, true);
  assert.equal(column('TrackId').nullable, false);
  assert.equal(column('Composer').nullable, true);
  assert.equal(column('Name').samples.length, 3);
  for (const table of schema.tables) {
    for (const { samples } of table.columns) {
      assert.ok(samples.length <= 3 && samples.every((sample) => sample.length <= 40));
    }
  }
  const playlistTrack = schema.tables.find((table) => table.name === 'PlaylistTrack')!;
  assert.deepEqual(
    playlistTrack.columns.map((candidate) => [
      candidate.name,
      candidate.primaryKey,
      candidate.references?.table,
    ]),
    [
      ['PlaylistId', true, 'Playlist'],
      ['TrackId', true, 'Track'],
    ],
  );
  assert.match(schema.fingerprint, /^[0-9a-f]{64}$/);
}

after(() => closeAllDatabases());

describe('introspection of SQLite', () => {
  it('reads Chinook: tables, keys, row counts, samples', async () => {
    const schema = await introspectDatabase('examples/databases/chinook.sqlite');
    assert.equal(schema.dialect, 'sqlite');
    checkChinook(schema);
    const artist = schema.tables.find((table) => table.name === 'Artist')!;
    assert.deepEqual(artist.columns[1], {
      name: 'Name',
      type: 'NVARCHAR(120)',
      nullable: true,
      primaryKey: false,
      samples: ['AC/DC', 'Accept', 'Aerosmith'],
    });
  });

  it('gives a stable fingerprint that differs between databases, and skips blobs', async () => {
    const first = await introspectDatabase('examples/databases/chinook.sqlite');
    const second = await introspectDatabase('examples/databases/chinook.sqlite');
    assert.equal(second.fingerprint, first.fingerprint);
    const northwind = await introspectDatabase('examples/databases/northwind.sqlite');
    assert.notEqual(northwind.fingerprint, first.fingerprint);
    assert.ok(!northwind.tables.some((table) => table.name === 'sqlite_stat1'));
    const photo = northwind.tables
      .find((table) => table.name === 'Employee')!
      .columns.find((c) => c.name === 'Photo')!;
    assert.deepEqual(photo.samples, []);
  });
});

describe('introspection of PostgreSQL', requirePostgres(), () => {
  it('reads Chinook with the same names, plus comments', async () => {
    const schema = await introspectDatabase(postgresTestUrl()!);
    assert.equal(schema.dialect, 'postgres');
    checkChinook(schema);
    const track = schema.tables.find((table) => table.name === 'Track')!;
    assert.match(track.comment ?? '', /song/);
    assert.equal(
      track.columns.find((column) => column.name === 'Milliseconds')!.comment,
      'Length of the track in milliseconds.',
    );
    assert.equal(track.columns.find((column) => column.name === 'UnitPrice')!.type, 'numeric(10,2)');
  });

  it('gives a stable fingerprint, different from the SQLite one', async () => {
    const first = await introspectDatabase(postgresTestUrl()!);
    const second = await introspectDatabase(postgresTestUrl()!);
    assert.equal(second.fingerprint, first.fingerprint);
    assert.equal(second, first, 'the second call is served from the cache');
    const sqlite = await introspectDatabase('examples/databases/chinook.sqlite');
    assert.notEqual(sqlite.fingerprint, first.fingerprint);
  });
});
