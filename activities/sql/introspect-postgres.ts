import type { SchemaReader, TableStructure } from './schema-reader.js';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Tables of the schemas on the search_path (normally `public`), with keys and comments, in one query. */
const structureSql = `
SELECT n.nspname, c.relname, obj_description(c.oid, 'pg_class'),
       a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       col_description(c.oid, a.attnum),
       EXISTS (SELECT 1 FROM pg_constraint k
                WHERE k.conrelid = c.oid AND k.contype = 'p' AND a.attnum = ANY (k.conkey)),
       (SELECT json_build_array(rn.nspname, rc.relname, ra.attname)::text
          FROM pg_constraint k
          JOIN pg_class rc ON rc.oid = k.confrelid
          JOIN pg_namespace rn ON rn.oid = rc.relnamespace
          JOIN pg_attribute ra ON ra.attrelid = k.confrelid
                              AND ra.attnum = k.confkey[array_position(k.conkey, a.attnum)]
         WHERE k.conrelid = c.oid AND k.contype = 'f' AND a.attnum = ANY (k.conkey)
         ORDER BY k.conname LIMIT 1)
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY (current_schemas(false))
 ORDER BY array_position(current_schemas(false), n.nspname), c.relname, a.attnum`;

type StructureRow = [
  string,
  string,
  string | null,
  string,
  string,
  boolean,
  string | null,
  boolean,
  string | null,
];

/** `public` tables keep their bare name; tables of other search_path schemas are `schema.table`. */
const displayName = (schema: string, table: string) => (schema === 'public' ? table : `${schema}.${table}`);

export const postgresSchemaReader: SchemaReader = {
  async readStructure(query) {
    const tables = new Map<string, TableStructure>();
    for (const row of (await query(structureSql)) as StructureRow[]) {
      const [schema, tableName, tableComment, name, type, notNull, comment, primaryKey, reference] = row;
      const key = `${schema}.${tableName}`;
      let table = tables.get(key);
      if (!table) {
        table = {
          name: displayName(schema, tableName),
          from: `${quote(schema)}.${quote(tableName)}`,
          columns: [],
        };
        if (tableComment) table.comment = tableComment;
        tables.set(key, table);
      }
      const column: TableStructure['columns'][number] = { name, type, nullable: !notNull, primaryKey };
      if (reference) {
        const [targetSchema, targetTable, targetColumn] = JSON.parse(reference) as [string, string, string];
        column.references = { table: displayName(targetSchema, targetTable), column: targetColumn };
      }
      if (comment) column.comment = comment;
      table.columns.push(column);
    }
    return [...tables.values()];
  },
  countSql: (table) => `SELECT count(*) FROM ${table.from}`,
  sampleSql(table, column) {
    if (column.type === 'bytea') return undefined;
    const name = quote(column.name);
    return `SELECT DISTINCT v FROM (SELECT left(${name}::text, 41) AS v FROM ${table.from}
             WHERE ${name} IS NOT NULL LIMIT 1000) s LIMIT 3`;
  },
};
