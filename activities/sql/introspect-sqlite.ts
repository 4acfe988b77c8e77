import type { SchemaReader, TableStructure } from './schema-reader.js';

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The first foreign key on each column; `to` is NULL when it names the target's primary key implicitly. */
const structureSql = `
SELECT m.name AS table_name, p.name AS column_name, p.type, p."notnull" AS not_null, p.pk,
       (SELECT f."table" FROM pragma_foreign_key_list(m.name) f WHERE f."from" = p.name ORDER BY f.id, f.seq LIMIT 1) AS ref_table,
       (SELECT f."to" FROM pragma_foreign_key_list(m.name) f WHERE f."from" = p.name ORDER BY f.id, f.seq LIMIT 1) AS ref_column
  FROM sqlite_master m, pragma_table_info(m.name) p
 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
 ORDER BY m.name, p.cid`;

type StructureRow = [string, string, string, number, number, string | null, string | null];

/** SQLite's schema (user tables, no comments: SQLite has none) from one query over its pragmas. */
export const sqliteSchemaReader: SchemaReader = {
  async readStructure(query) {
    const tables = new Map<string, TableStructure>();
    const references: Array<{ column: TableStructure['columns'][number]; table: string; to: string | null }> =
      [];
    for (const row of (await query(structureSql)) as StructureRow[]) {
      const [tableName, name, type, notNull, pk, refTable, refColumn] = row;
      let table = tables.get(tableName);
      if (!table) tables.set(tableName, (table = { name: tableName, from: quote(tableName), columns: [] }));
      const column: TableStructure['columns'][number] = {
        name,
        type,
        nullable: !notNull && !pk,
        primaryKey: pk > 0,
      };
      table.columns.push(column);
      if (refTable) references.push({ column, table: refTable, to: refColumn });
    }
    for (const { column, table, to } of references) {
      const target = [...tables.values()].find(
        (candidate) => candidate.name.toLowerCase() === table.toLowerCase(),
      );
      const key = to ?? target?.columns.find((candidate) => candidate.primaryKey)?.name;
      if (key) column.references = { table: target?.name ?? table, column: key };
    }
    return [...tables.values()];
  },
  countSql: (table) => `SELECT count(*) FROM ${table.from}`,
  sampleSql(table, column) {
    if (/BLOB/i.test(column.type)) return undefined;
    const name = quote(column.name);
    return `SELECT DISTINCT v FROM (SELECT substr(CAST(${name} AS TEXT), 1, 41) AS v FROM ${table.from}
             WHERE ${name} IS NOT NULL AND typeof(${name}) <> 'blob' LIMIT 1000) LIMIT 3`;
  },
};
