import { createHash } from 'node:crypto';
import type { ColumnInfo, DatabaseSchema, TableInfo } from '../../common/database.js';
import type { SchemaReader, TableStructure } from './schema-reader.js';
import { postgresSchemaReader } from './introspect-postgres.js';
import { sqliteSchemaReader } from './introspect-sqlite.js';
import type { SqlConnection } from './sql-backend.js';

const sampleLength = 40;
const samplesPerColumn = 3;
const cacheSize = 32;
/** Introspection reads through the same read-only execute path as any query, with these limits. */
const structureTimeoutMs = 30_000;
const dataTimeoutMs = 10_000;

/** Keyed by database and fingerprint; holds promises so concurrent callers share one sampling run. */
const cache = new Map<string, Promise<DatabaseSchema>>();

function truncate(text: string): string {
  return text.length > sampleLength ? `${text.slice(0, sampleLength - 1)}…` : text;
}

async function sample(connection: SqlConnection, reader: SchemaReader, tables: TableStructure[]) {
  const run = async (sql: string) => {
    const result = await connection.execute(sql, { timeoutMs: dataTimeoutMs, maxRows: samplesPerColumn });
    return result.ok ? result.rows : undefined;
  };
  const sampled: TableInfo[] = [];
  for (const table of tables) {
    const { from: _from, ...info } = table;
    const counted = await run(reader.countSql(table));
    const columns: ColumnInfo[] = [];
    for (const column of table.columns) {
      const sql = reader.sampleSql(table, column);
      const rows = sql ? ((await run(sql)) ?? []) : [];
      columns.push({ ...column, samples: rows.map((row) => truncate(String(row[0]))) });
    }
    // -1: the count did not finish within its timeout.
    sampled.push({ ...info, rowCount: Number(counted?.[0]?.[0] ?? -1), columns });
  }
  return sampled;
}

/**
 * The schema of an open database. The structure costs one catalog query; its sha256 is the
 * fingerprint, and row counts and samples are read only when this process has not seen that
 * database with that fingerprint before.
 */
export async function introspectWith(database: string, connection: SqlConnection): Promise<DatabaseSchema> {
  const { dialect } = connection;
  const reader = dialect === 'sqlite' ? sqliteSchemaReader : postgresSchemaReader;
  const structure = await reader.readStructure(async (sql) => {
    const result = await connection.execute(sql, { timeoutMs: structureTimeoutMs, maxRows: 1_000_000 });
    if (!result.ok) throw new Error(`cannot read the schema: ${result.error}`);
    return result.rows;
  });
  const fingerprint = createHash('sha256').update(JSON.stringify({ dialect, structure })).digest('hex');
  const key = `${database}\u0000${fingerprint}`;
  let schema = cache.get(key);
  if (!schema) {
    schema = sample(connection, reader, structure).then((tables) => ({ dialect, fingerprint, tables }));
    cache.set(key, schema);
    schema.catch(() => cache.delete(key));
    if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  }
  return schema;
}
