import type { QueryRows } from './database.js';

type Cell = QueryRows['rows'][number][number];

const cellText = (value: Cell): string => (value === null ? '' : String(value));

/** RFC 4180 CSV: fields with a comma, quote or line break are quoted, quotes doubled; CRLF line ends. */
export function rowsToCsv(result: Pick<QueryRows, 'columns' | 'rows'>): string {
  const field = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  return [result.columns, ...result.rows.map((row) => row.map(cellText))]
    .map((row) => row.map(field).join(','))
    .join('\r\n');
}

/**
 * Rows as an aligned text table with a header rule, for terminals. Cells are cut at
 * `maxCellWidth` characters and line breaks shown as spaces; `null` prints as NULL.
 */
export function rowsToTable(result: Pick<QueryRows, 'columns' | 'rows'>, maxCellWidth = 40): string {
  const show = (value: Cell): string => {
    const text = value === null ? 'NULL' : String(value).replace(/\s+/g, ' ');
    return text.length > maxCellWidth ? `${text.slice(0, maxCellWidth - 1)}…` : text;
  };
  const body = result.rows.map((row) => row.map(show));
  const header = result.columns.map((column) => show(column));
  const widths = header.map((title, index) =>
    Math.max(title.length, ...body.map((row) => (row[index] ?? '').length)),
  );
  const numeric = result.columns.map(
    (_column, index) =>
      result.rows.length > 0 &&
      result.rows.every((row) => typeof row[index] === 'number' || row[index] === null),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) =>
        numeric[index] ? cell.padStart(widths[index] ?? 0) : cell.padEnd(widths[index] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}
