import sqlParser from 'node-sql-parser';
import type { SqlDialect } from '../../../common/database.js';
import { refuse } from './refusal.js';

// node-sql-parser is CommonJS; under ESM its exports arrive on the default import.
const { Parser } = sqlParser;
const parser = new Parser();

const parserDatabase: Record<SqlDialect, string> = { sqlite: 'sqlite', postgres: 'postgresql' };

/**
 * Parses with node-sql-parser's grammar for the dialect; returns the statements' ASTs.
 *
 * The 5.4.0 SQLite grammar rejects `OVER (ORDER BY ...)` and `OVER ()` (it wants PARTITION BY),
 * INTERSECT and EXCEPT, all valid SQLite that the Chinook gold queries use. For SQLite, text its
 * own grammar refuses is parsed again with the PostgreSQL grammar; the AST is still judged with
 * SQLite's rules and function allow-list, and the lexical check (run on every statement) holds the
 * SQLite tokenizer's view of statement boundaries, quotes and parameters.
 */
export function parseStatements(sql: string, dialect: SqlDialect): unknown[] {
  let ast: unknown;
  try {
    ast = parser.astify(sql, { database: parserDatabase[dialect] });
  } catch (error) {
    if (dialect !== 'sqlite') refuse(`cannot parse: ${describeParseError(error)}`);
    try {
      ast = parser.astify(sql, { database: parserDatabase.postgres });
    } catch {
      refuse(`cannot parse: ${describeParseError(error)}`);
    }
  }
  const statements = Array.isArray(ast) ? (ast as unknown[]) : [ast];
  return statements.filter((statement) => statement != null);
}

/** The parser's message lists every token it expected; the position and what it found say enough. */
function describeParseError(error: unknown): string {
  if (typeof error !== 'object' || error === null) return String(error);
  const { found, location, message } = error as { found?: unknown; location?: unknown; message?: unknown };
  const start = (location as { start?: { line?: number; column?: number } } | undefined)?.start;
  if (start?.line !== undefined && start.column !== undefined) {
    const what = typeof found === 'string' ? `"${found}"` : 'end of input';
    return `unexpected ${what} at line ${start.line} column ${start.column}`;
  }
  return typeof message === 'string' ? message.slice(0, 200) : 'unknown error';
}
