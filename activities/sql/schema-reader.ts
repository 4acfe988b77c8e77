/** What each SQL dialect gives introspection: how to read a schema's structure, count rows and sample values. */
import type { ColumnInfo } from '../../common/database.js';

/** A table's structure as one catalog query reads it; `from` is how to name it in SQL. */
export interface TableStructure {
  name: string;
  from: string;
  comment?: string;
  columns: Array<Omit<ColumnInfo, 'samples'>>;
}

type Row = Array<string | number | boolean | null>;

/** What each dialect contributes: the structure query, and the count and sample statements. */
export interface SchemaReader {
  readStructure(query: (sql: string) => Promise<Row[]>): Promise<TableStructure[]>;
  countSql(table: TableStructure): string;
  /** undefined for columns not worth sampling (blobs). */
  sampleSql(table: TableStructure, column: TableStructure['columns'][number]): string | undefined;
}
