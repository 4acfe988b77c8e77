import type { EvalReport, ItemOutcome } from './run-eval.js';

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** The metric rows of a report, as label and value. */
function metricRows(report: EvalReport): Array<[string, string]> {
  return [
    ['prompt', `${report.prompt.id}@${report.prompt.version}`],
    ['accuracy', `${percent(report.accuracy)} (${report.correct}/${report.items.length})`],
    ['95% interval', `${percent(report.interval.low)} - ${percent(report.interval.high)}`],
    ['consistency', report.consistency === null ? 'n/a (1 sample)' : report.consistency.toFixed(3)],
    ['no required tool', String(report.withoutRequiredTool)],
    ['tokens', report.totalTokens.toLocaleString('en-US')],
    ['cost', `$${report.costUsd.toFixed(6)}${report.costComplete ? '' : ' (lower bound)'}`],
    ['latency p50', seconds(report.latency.p50)],
    ['latency p95', seconds(report.latency.p95)],
    ['latency p99', seconds(report.latency.p99)],
  ];
}

/** The reports side by side: one column per prompt version. */
export function formatReports(reports: readonly EvalReport[]): string {
  const rows = reports.map(metricRows);
  const labels = rows[0]?.map(([label]) => label) ?? [];
  const header = ['', ...reports.map((report) => report.promptVersion)];
  const table = [
    header,
    ...labels.map((label, index) => [label, ...rows.map((row) => row[index]?.[1] ?? '')]),
  ];
  const widths = header.map((_unused, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  return table
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** One line per item that was not answered correctly, so a regression can be looked at. */
export function formatMisses(report: EvalReport): string[] {
  return report.items
    .filter((item) => !item.correct)
    .map((item: ItemOutcome) => {
      const answer =
        item.answer === null ? '(no answer)' : JSON.stringify(item.answer.replace(/\s+/g, ' ').slice(0, 80));
      const why = item.toolCalls === 0 && item.answer !== null ? ', no tool call' : '';
      return `  ${report.promptVersion} #${item.id}: expected ${item.expected}, got ${answer} (${item.stopReason}${why}; ${item.workflowId})`;
    });
}
