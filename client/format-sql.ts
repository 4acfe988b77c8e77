import { rowsToCsv, rowsToTable } from '../common/format-rows.js';
import type { SqlResult } from '../common/sql.js';
import { formatGuards, formatModelMoves, formatTotals } from './format-agent.js';

/** An NL2SQL result as the CLI prints it: the SQL, the rows, and what it cost. */
export function formatSqlResult(result: SqlResult, format: 'table' | 'json' | 'csv'): string {
  if (format === 'json') return JSON.stringify(result, null, 2);
  if (format === 'csv') return result.rows ? rowsToCsv(result.rows) : '';
  const lines: string[] = [];
  for (const statement of result.statements) {
    const outcome = !statement.verdict.safe
      ? `refused: ${statement.verdict.reason}`
      : !statement.execution
        ? 'not run'
        : statement.execution.ok
          ? `${statement.execution.rowCount} rows in ${statement.execution.elapsedMs} ms`
          : `${statement.execution.timedOut ? 'timed out' : 'failed'}: ${statement.execution.error}`;
    lines.push(`SQL (attempt ${statement.attempt}): ${statement.sql}`, `  -> ${outcome}`);
  }
  if (result.rows) {
    lines.push('', rowsToTable(result.rows));
    if (result.rows.truncated) lines.push(`(cut at ${result.rows.rows.length} rows)`);
  }
  if (result.answer) lines.push('', `Answer: ${result.answer}`);
  lines.push(
    '',
    `Stop reason: ${result.stopReason} (${result.stopDetail})`,
    `Database: ${result.database}; tables linked: ${result.linkedTables.map((table) => table.table).join(', ') || 'none'}`,
    `Usage: ${formatTotals(result.totals)}; ${result.totals.modelCalls} model calls`,
    ...formatModelMoves(result, 'model call'),
    ...formatGuards(result),
  );
  if (result.error) lines.push(`Error: ${result.error.type}: ${result.error.message}`);
  return lines.join('\n');
}
