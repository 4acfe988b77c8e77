import type { SessionEvalReport } from './run-session-eval.js';
import { wilsonInterval } from './stats.js';

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;

/** The report as a table by category, the totals, and one line per case not handled correctly. */
export function formatSessionReport(report: SessionEvalReport): string {
  const rows = [
    ['category', 'cases', 'correct', 'share'],
    ...report.byCategory.map(({ category, cases, correct }) => [
      category,
      String(cases),
      String(correct),
      percent(correct / cases),
    ]),
    [
      'all',
      String(report.cases.length),
      String(report.correct),
      percent(report.correct / report.cases.length),
    ],
  ];
  const widths = rows[0]!.map((_unused, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const table = rows.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join('  ')
      .trimEnd(),
  );
  const interval = wilsonInterval(report.correct, report.cases.length);
  const lines = [
    `Customer-service evaluation: ${report.cases.length} cases on ${report.model}`,
    '',
    ...table,
    '',
    `95% interval of the share: ${percent(interval.low)} - ${percent(interval.high)}`,
    `turn latency p50 ${(report.latency.p50 / 1000).toFixed(2)} s, p95 ${(report.latency.p95 / 1000).toFixed(2)} s`,
    `${report.totalTokens.toLocaleString('en-US')} tokens, $${report.costUsd.toFixed(6)}`,
  ];
  const misses = report.cases.filter((outcome) => !outcome.correct);
  if (misses.length > 0) {
    lines.push('', 'Not handled correctly:');
    for (const miss of misses)
      lines.push(
        `  ${miss.id} (${miss.category}, ${miss.language}): ${miss.problems.join('; ')}`,
        `    reply: ${JSON.stringify(miss.reply.replace(/\s+/g, ' ').slice(0, 160))}${miss.sessionId ? ` (${miss.sessionId})` : ''}`,
      );
  }
  return lines.join('\n');
}
