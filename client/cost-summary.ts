import type { RecordedCall, RecordedRun, RecordedTotals } from './recorded-runs.js';

/** What the cost summary reads of a run. */
export type CostedRun = Pick<RecordedRun, 'day' | 'workflowType' | 'model' | 'totals'> & {
  calls?: Pick<RecordedCall, 'model' | 'costUsd' | 'tokens' | 'cached' | 'cacheSavedUsd'>[] | undefined;
};

export interface CostRow {
  key: string;
  runs: number;
  modelCalls: number;
  tokens: number;
  costUsd: number;
  cacheHits: number;
  cacheSavedUsd: number;
}

export interface CostSummary {
  total: CostRow;
  byDay: CostRow[];
  byWorkflowType: CostRow[];
  byModel: CostRow[];
}

const emptyRow = (key: string): CostRow => ({
  key,
  runs: 0,
  modelCalls: 0,
  tokens: 0,
  costUsd: 0,
  cacheHits: 0,
  cacheSavedUsd: 0,
});

function add(rows: Map<string, CostRow>, key: string, part: Omit<CostRow, 'key'>): void {
  const row = rows.get(key) ?? emptyRow(key);
  rows.set(key, {
    key,
    runs: row.runs + part.runs,
    modelCalls: row.modelCalls + part.modelCalls,
    tokens: row.tokens + part.tokens,
    costUsd: row.costUsd + part.costUsd,
    cacheHits: row.cacheHits + part.cacheHits,
    cacheSavedUsd: row.cacheSavedUsd + part.cacheSavedUsd,
  });
}

const partOf = (totals: RecordedTotals): Omit<CostRow, 'key'> => ({
  runs: 1,
  modelCalls: totals.modelCalls,
  tokens: totals.totalTokens,
  costUsd: totals.costUsd,
  // Absent from runs recorded before the response cache.
  cacheHits: totals.cacheHits ?? 0,
  cacheSavedUsd: totals.cacheSavedUsd ?? 0,
});

/**
 * Spend by day, by workflow type and by model, with what the response cache saved. A run whose
 * calls are traced (agent runs) is split over the models that answered (a fallback moves spend
 * to the next model); other runs count under the model they were started with.
 */
export function summarizeCosts(runs: readonly CostedRun[]): CostSummary {
  const total = new Map<string, CostRow>();
  const byDay = new Map<string, CostRow>();
  const byType = new Map<string, CostRow>();
  const byModel = new Map<string, CostRow>();
  for (const run of runs) {
    const part = partOf(run.totals);
    add(total, 'total', part);
    add(byDay, run.day, part);
    add(byType, run.workflowType, part);
    if (!run.calls || run.calls.length === 0) {
      add(byModel, run.model, part);
      continue;
    }
    const models = new Set(run.calls.map((call) => call.model));
    for (const call of run.calls)
      add(byModel, call.model, {
        runs: 0,
        modelCalls: 1,
        tokens: call.tokens,
        costUsd: call.costUsd,
        cacheHits: call.cached ? 1 : 0,
        cacheSavedUsd: call.cacheSavedUsd,
      });
    for (const model of models) add(byModel, model, { ...emptyRow(model), runs: 1 });
  }
  const sorted = (rows: Map<string, CostRow>) =>
    [...rows.values()].sort((a, b) => b.costUsd - a.costUsd || a.key.localeCompare(b.key));
  return {
    total: total.get('total') ?? emptyRow('total'),
    byDay: [...byDay.values()].sort((a, b) => a.key.localeCompare(b.key)),
    byWorkflowType: sorted(byType),
    byModel: sorted(byModel),
  };
}

/** The summary as aligned text tables. */
export function formatCostSummary(summary: CostSummary): string {
  const table = (title: string, rows: CostRow[]): string[] => [
    title,
    `  ${''.padEnd(28)}${'runs'.padStart(6)}${'calls'.padStart(8)}${'tokens'.padStart(12)}${'cost $'.padStart(12)}${'cache hits'.padStart(12)}${'saved $'.padStart(11)}`,
    ...rows.map(
      (row) =>
        `  ${row.key.slice(0, 27).padEnd(28)}${String(row.runs).padStart(6)}${String(row.modelCalls).padStart(8)}` +
        `${row.tokens.toLocaleString('en-US').padStart(12)}${row.costUsd.toFixed(4).padStart(12)}` +
        `${String(row.cacheHits).padStart(12)}${row.cacheSavedUsd.toFixed(4).padStart(11)}`,
    ),
    '',
  ];
  return [
    ...table('Total', [summary.total]),
    ...table('By day (UTC)', summary.byDay),
    ...table('By workflow type', summary.byWorkflowType),
    ...table('By model', summary.byModel),
  ].join('\n');
}
