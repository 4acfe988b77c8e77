import { z } from 'zod';

export const SqlDialectSchema = z.enum(['sqlite', 'postgres']);
export type SqlDialect = z.infer<typeof SqlDialectSchema>;

/** What the SQL guard decided about one statement. */
export interface SqlVerdict {
  safe: boolean;
  /** Why it was refused; absent when safe. */
  reason?: string;
  /** Tables the statement reads (CTE names excluded), lower-cased. */
  tables: string[];
  /** Functions it calls, lower-cased. */
  functions: string[];
}

export interface ColumnInfo {
  name: string;
  /** The declared type, as the database reports it. */
  type: string;
  nullable: boolean;
  primaryKey: boolean;
  /** The column this one references, when it is a foreign key. */
  references?: { table: string; column: string };
  comment?: string;
  /** A few distinct non-null values, as text, for schema linking and the prompt. */
  samples: string[];
}

export interface TableInfo {
  name: string;
  comment?: string;
  rowCount: number;
  columns: ColumnInfo[];
}

/** A database's schema as introspected; `fingerprint` changes whenever the schema does. */
export interface DatabaseSchema {
  dialect: SqlDialect;
  fingerprint: string;
  tables: TableInfo[];
}

/** Rows as plain JSON: integers beyond 2^53 and blobs are rendered as text. */
export interface QueryRows {
  columns: string[];
  rows: Array<Array<string | number | boolean | null>>;
  /** True when the row limit cut the result: `rows` holds the first `maxRows`. */
  truncated: boolean;
}

/** One execution of a checked statement. SQL errors and timeouts are outcomes, not failures. */
export type SqlExecution =
  | ({ ok: true; elapsedMs: number } & QueryRows)
  | { ok: false; elapsedMs: number; error: string; timedOut: boolean };
