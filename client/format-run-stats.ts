import type { LatencySummary } from './eval/stats.js';
import type { RunStats, StatsRow } from './run-stats.js';

const seconds = (latency: LatencySummary, at: 'p50' | 'p95' | 'p99') =>
  latency.count === 0 ? '-' : `${(latency[at] / 1000).toFixed(2)}s`;
const share = (value: number | null) => (value === null ? '-' : `${(value * 100).toFixed(1)}%`);
const usd = (value: number | null, digits: number) => (value === null ? '-' : value.toFixed(digits));

const columns: [title: string, width: number, cell: (row: StatsRow) => string][] = [
  ['runs', 6, (row) => String(row.runs)],
  ['errors', 8, (row) => share(row.errorRate)],
  ['run p50', 9, (row) => seconds(row.runLatency, 'p50')],
  ['p95', 8, (row) => seconds(row.runLatency, 'p95')],
  ['p99', 8, (row) => seconds(row.runLatency, 'p99')],
  ['calls', 7, (row) => String(row.modelCalls)],
  ['call p50', 10, (row) => seconds(row.callLatency, 'p50')],
  ['p95', 8, (row) => seconds(row.callLatency, 'p95')],
  ['p99', 8, (row) => seconds(row.callLatency, 'p99')],
  ['tokens', 11, (row) => row.tokens.toLocaleString('en-US')],
  ['cost $', 10, (row) => usd(row.costUsd, 6)],
  // Six places: a call to a small model costs tens of micro-dollars.
  ['$/run', 10, (row) => usd(row.costPerRunUsd, 6)],
  ['$/call', 10, (row) => usd(row.costPerCallUsd, 6)],
  ['cache', 7, (row) => share(row.cacheHitRate)],
  [
    'feedback',
    12,
    (row) =>
      row.feedback.meanScore === null ? '-' : `${row.feedback.meanScore.toFixed(2)} (${row.feedback.count})`,
  ],
];

function table(title: string, rows: readonly StatsRow[]): string[] {
  if (rows.length === 0) return [];
  return [
    title,
    `  ${''.padEnd(26)}${columns.map(([name, width]) => name.padStart(width)).join('')}`,
    ...rows.map(
      (row) =>
        `  ${row.key.slice(0, 25).padEnd(26)}${columns.map(([, width, cell]) => cell(row).padStart(width)).join('')}`,
    ),
    '',
  ];
}

const counts = (entries: Record<string, number>) =>
  Object.entries(entries)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([key, count]) => `${key.toLowerCase()} ${count}`)
    .join(', ');

/** The stats as aligned text tables, after a line of how the runs ended. */
export function formatRunStats(stats: RunStats): string {
  return [
    `Outcomes: ${counts(stats.statuses) || 'none'}`,
    ...(Object.keys(stats.stopReasons).length > 0
      ? [`Stop reasons of completed runs: ${counts(stats.stopReasons)}`]
      : []),
    '',
    ...table('Total', [stats.total]),
    ...table('By workflow kind', stats.byKind),
    ...table('By model', stats.byModel),
    ...table('By prompt version', stats.byPrompt),
  ].join('\n');
}
