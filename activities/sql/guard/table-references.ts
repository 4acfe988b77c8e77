import { refuse } from './refusal.js';

/** Lower-cased name (schema-qualified when written so) to the name as written. */
export type TablesRead = Map<string, string>;

const systemSchemas: ReadonlySet<string> = new Set(['pg_catalog', 'information_schema', 'pg_toast', 'temp']);

/**
 * Records one FROM/JOIN item that names a table (`{ db, table, as }`), unless it names a CTE in
 * scope. System catalogs are refused outright: the job has the schema already, and catalogs are
 * where injection goes looking for users, settings and files.
 */
export function recordTableReference(
  item: Record<string, unknown>,
  cteScope: ReadonlySet<string>,
  tables: TablesRead,
): void {
  const table = item.table;
  if (typeof table !== 'string') return;
  const schema =
    typeof item.db === 'string' ? item.db : typeof item.schema === 'string' ? item.schema : undefined;
  const lower = table.toLowerCase();
  if (schema === undefined && cteScope.has(lower)) return;
  const written = schema === undefined ? table : `${schema}.${table}`;
  const schemaLower = schema?.toLowerCase();
  if (
    (schemaLower !== undefined && systemSchemas.has(schemaLower)) ||
    lower.startsWith('pg_') ||
    lower.startsWith('sqlite_')
  ) {
    refuse(`system table ${written} is not allowed`);
  }
  tables.set(written.toLowerCase(), written);
}
