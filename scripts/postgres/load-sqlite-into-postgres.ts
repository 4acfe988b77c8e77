/**
 * Copies a SQLite database into an empty PostgreSQL database with the same table and column
 * names (double-quoted, so `"Artist"("ArtistId", "Name")` stays PascalCase), mapped types,
 * primary keys and foreign keys. Used by setup-postgres.sh to load Chinook.
 *
 *   node --import tsx scripts/postgres/load-sqlite-into-postgres.ts <file.sqlite> <postgres-url>
 *
 * All in one transaction: it either loads everything or nothing.
 */
import Database from 'better-sqlite3';
import pg from 'pg';

interface SqliteColumn {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}
interface SqliteForeignKey {
  id: number;
  seq: number;
  table: string;
  from: string;
  to: string | null;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** SQLite's declared types to PostgreSQL's; anything unknown becomes text. */
function mapType(declared: string, needsBigint: boolean): string {
  const type = declared.trim().toUpperCase();
  const size = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(type);
  if (/INT/.test(type)) return needsBigint ? 'bigint' : 'integer';
  if (/CHAR|CLOB|TEXT/.test(type)) return size?.[1] ? `varchar(${size[1]})` : 'text';
  if (/NUMERIC|DECIMAL/.test(type)) return size?.[2] ? `numeric(${size[1]},${size[2]})` : 'numeric';
  if (/REAL|FLOA|DOUB/.test(type)) return 'double precision';
  if (/BLOB/.test(type)) return 'bytea';
  if (/DATETIME|TIMESTAMP/.test(type)) return 'timestamp';
  if (type === 'DATE') return 'date';
  if (/BOOL/.test(type)) return 'boolean';
  return 'text';
}

const [sqlitePath, url] = process.argv.slice(2);
if (!sqlitePath || !url) {
  console.error('usage: load-sqlite-into-postgres.ts <file.sqlite> <postgres-url>');
  process.exit(2);
}

const sqlite = new Database(sqlitePath, { readonly: true, fileMustExist: true });
const tables = sqlite
  .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
  .pluck()
  .all() as string[];

const client = new pg.Client({ connectionString: url });
await client.connect();
const started = Date.now();
try {
  await client.query('BEGIN');
  const foreignKeys: string[] = [];
  for (const table of tables) {
    const columns = sqlite.prepare(`SELECT * FROM pragma_table_info(?)`).all(table) as SqliteColumn[];
    const definitions = columns.map((column) => {
      const max = sqlite
        .prepare(
          `SELECT max(abs(${quote(column.name)})) FROM ${quote(table)} WHERE typeof(${quote(column.name)}) = 'integer'`,
        )
        .pluck()
        .get() as number | null;
      const type = mapType(column.type, (max ?? 0) > 2_147_483_647);
      return `${quote(column.name)} ${type}${column.notnull ? ' NOT NULL' : ''}`;
    });
    const keyColumns = columns.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk);
    if (keyColumns.length > 0)
      definitions.push(`PRIMARY KEY (${keyColumns.map((c) => quote(c.name)).join(', ')})`);
    await client.query(`DROP TABLE IF EXISTS ${quote(table)} CASCADE`);
    await client.query(`CREATE TABLE ${quote(table)} (${definitions.join(', ')})`);

    const keys = sqlite.prepare(`SELECT * FROM pragma_foreign_key_list(?)`).all(table) as SqliteForeignKey[];
    for (const id of new Set(keys.map((key) => key.id))) {
      const parts = keys.filter((key) => key.id === id).sort((a, b) => a.seq - b.seq);
      const target = parts[0]!.table;
      const targetColumns = parts.every((part) => part.to)
        ? ` (${parts.map((part) => quote(part.to!)).join(', ')})`
        : '';
      foreignKeys.push(
        `ALTER TABLE ${quote(table)} ADD FOREIGN KEY (${parts.map((p) => quote(p.from)).join(', ')}) REFERENCES ${quote(target)}${targetColumns}`,
      );
    }

    const names = columns.map((column) => quote(column.name)).join(', ');
    const batchSize = Math.max(1, Math.min(1_000, Math.floor(30_000 / columns.length)));
    let batch: unknown[][] = [];
    let copied = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const values: unknown[] = [];
      const tuples = batch.map((row) => {
        const placeholders = row.map((value) => {
          values.push(value);
          return `$${values.length}`;
        });
        return `(${placeholders.join(', ')})`;
      });
      await client.query(`INSERT INTO ${quote(table)} (${names}) VALUES ${tuples.join(', ')}`, values);
      copied += batch.length;
      batch = [];
    };
    for (const row of sqlite
      .prepare(`SELECT ${names} FROM ${quote(table)}`)
      .raw()
      .iterate() as Iterable<unknown[]>) {
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    console.log(`${table}: ${copied} rows`);
  }
  // Foreign keys last, so the load order of the tables does not matter.
  for (const statement of foreignKeys) await client.query(statement);
  await client.query('COMMIT');
  await client.query('ANALYZE');
  console.log(`loaded ${tables.length} tables in ${Date.now() - started} ms`);
} catch (error) {
  await client.query('ROLLBACK').catch(() => undefined);
  throw error;
} finally {
  await client.end();
  sqlite.close();
}
