import type { SqlDialect, SqlVerdict } from '../../common/database.js';
import { checkLexically } from './guard/lexical-check.js';
import { parseStatements } from './guard/parse-statements.js';
import { GuardRefusal, refuse } from './guard/refusal.js';
import { walkStatement, type StatementFindings } from './guard/statement-walker.js';

export interface CheckSqlOptions {
  dialect: SqlDialect;
  /** When given, every table read must be one of these (case-insensitive); CTE names are not tables. */
  allowedTables?: readonly string[];
}

/** Longer statements are refused before parsing so a huge input cannot stall the worker. */
const maxStatementLength = 20_000;

/**
 * Decides whether one model-written statement is safe to run: exactly one read-only SELECT
 * (CTEs, set operations and subqueries included), only allow-listed functions, no system
 * catalogs, and optionally only the allowed tables. Pure, synchronous and fast (a parse and a
 * walk); it never throws for bad SQL, it answers `safe: false` with a short reason.
 */
export function checkSql(sql: string, options: CheckSqlOptions): SqlVerdict {
  let findings: StatementFindings | undefined;
  try {
    findings = inspect(sql, options.dialect);
    checkAllowedTables(findings, options.allowedTables);
    return { safe: true, ...listed(findings) };
  } catch (error) {
    if (!(error instanceof GuardRefusal)) throw error;
    return { safe: false, reason: error.reason, ...listed(findings) };
  }
}

function inspect(sql: string, dialect: SqlDialect): StatementFindings {
  if (sql.trim() === '') refuse('empty statement');
  if (sql.length > maxStatementLength) refuse(`statement is longer than ${maxStatementLength} characters`);
  const statements = parseStatements(sql, dialect);
  if (statements.length === 0) refuse('empty statement');
  if (statements.length > 1) refuse(`${statements.length} statements; exactly one is allowed`);
  const lexicalProblem = checkLexically(sql, dialect);
  if (lexicalProblem !== undefined) refuse(lexicalProblem);
  const statement = statements[0] as { type?: unknown } | undefined;
  if (statement?.type !== 'select') {
    const type = typeof statement?.type === 'string' ? statement.type.toUpperCase() : 'an unknown statement';
    refuse(`only SELECT is allowed, got ${type}`);
  }
  return walkStatement(statement, dialect);
}

function checkAllowedTables(findings: StatementFindings, allowedTables: readonly string[] | undefined): void {
  if (allowedTables === undefined) return;
  const allowed = new Set(allowedTables.map((table) => table.toLowerCase()));
  for (const [lower, written] of findings.tables) {
    const bare = lower.slice(lower.lastIndexOf('.') + 1);
    if (!allowed.has(lower) && !allowed.has(bare)) refuse(`table ${written} is not in the allowed tables`);
  }
}

function listed(findings: StatementFindings | undefined): Pick<SqlVerdict, 'tables' | 'functions'> {
  return {
    tables: [...(findings?.tables.keys() ?? [])].sort(),
    functions: [...(findings?.functions ?? [])].sort(),
  };
}
