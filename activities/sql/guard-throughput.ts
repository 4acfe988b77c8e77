import type { SqlDialect } from '../../common/database.js';
import { checkSql } from './sql-guard.js';

/**
 * Runs the guard over `statements` round-robin for about `seconds` of wall time and reports how
 * many checks it did and the rate. For benchmarks only: synchronous, it blocks the event loop.
 */
export function measureGuardThroughput(
  statements: string[],
  dialect: SqlDialect,
  seconds: number,
): { statements: number; perSecond: number } {
  if (statements.length === 0) throw new Error('measureGuardThroughput needs at least one statement');
  const budgetMs = seconds * 1000;
  const started = performance.now();
  let checked = 0;
  let elapsedMs = 0;
  do {
    // Check the clock once per pass so the timer does not dominate cheap statements.
    for (const statement of statements) checkSql(statement, { dialect });
    checked += statements.length;
    elapsedMs = performance.now() - started;
  } while (elapsedMs < budgetMs);
  return { statements: checked, perSecond: checked / (elapsedMs / 1000) };
}
