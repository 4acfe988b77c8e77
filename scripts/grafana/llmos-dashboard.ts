/**
 * The Grafana dashboard of llmos's Prometheus metrics, typed by Grafana's own dashboard schema
 * (`@grafana/schema`): `npm run build:dashboard` writes it to
 * deploy/grafana/dashboards/llmos.json, which docker-compose's Grafana loads, and a test keeps the
 * two the same and has a real Prometheus run every query against a worker's metrics.
 */
import { DashboardCursorSync, type Dashboard, type Panel, type RowPanel } from '@grafana/schema';

/** A Prometheus query of a panel (Grafana's schema leaves a target's fields to its datasource). */
export type PromQuery = {
  refId: string;
  datasource: { type: string; uid: string };
  expr: string;
  legendFormat: string;
};

/** The datasource docker-compose provisions (deploy/grafana/provisioning/datasources). */
const prometheus = { type: 'prometheus', uid: 'prometheus' };

/** Grafana's own rate window: at least four scrapes, whatever the interval. */
const rateWindow = '$__rate_interval';

let nextId = 1;
let row = 0;

function timeseries(
  title: string,
  description: string,
  unit: string,
  queries: [expr: string, legend: string][],
  at: { x: number; w?: number },
): Panel {
  const targets: PromQuery[] = queries.map(([expr, legendFormat], index) => ({
    refId: String.fromCharCode(65 + index),
    datasource: prometheus,
    expr,
    legendFormat,
  }));
  return {
    id: nextId++,
    type: 'timeseries',
    title,
    description,
    datasource: prometheus,
    gridPos: { x: at.x, y: row, w: at.w ?? 12, h: 8 },
    fieldConfig: { defaults: { unit }, overrides: [] },
    options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] } },
    targets,
  };
}

function section(title: string): RowPanel {
  const panel: RowPanel = {
    id: nextId++,
    type: 'row',
    title,
    collapsed: false,
    gridPos: { x: 0, y: row, w: 24, h: 1 },
    panels: [],
  };
  row += 1;
  return panel;
}

/** Panels side by side on the current row, which then ends. */
function side(...panels: Panel[]): Panel[] {
  row += 8;
  return panels;
}

const quantiles = (metric: string, by: string): [string, string][] =>
  (['0.5', '0.95', '0.99'] as const).map((q) => [
    `histogram_quantile(${q}, sum by (le, ${by}) (rate(${metric}_bucket[${rateWindow}])))`,
    `p${Number(q) * 100} {{${by}}}`,
  ]);

const callRate = (selector = '') => `sum(rate(llmos_model_calls_total${selector}[${rateWindow}]))`;

export const llmosDashboard: Dashboard = {
  uid: 'llmos',
  title: 'llmos',
  description:
    'Model calls, tokens, cost, latency, errors, cache, budgets, tools, guards and monitors of llmos workers',
  tags: ['llmos', 'llm', 'temporal'],
  schemaVersion: 39,
  version: 1,
  editable: true,
  graphTooltip: DashboardCursorSync.Crosshair,
  refresh: '30s',
  time: { from: 'now-6h', to: 'now' },
  timezone: 'browser',
  panels: [
    section('Models'),
    ...side(
      timeseries(
        'Tokens per second',
        'gen_ai.client.token.usage, by model and token type',
        'short',
        [
          [
            `sum by (gen_ai_request_model, gen_ai_token_type) (rate(gen_ai_client_token_usage_sum[${rateWindow}]))`,
            '{{gen_ai_request_model}} {{gen_ai_token_type}}',
          ],
        ],
        { x: 0 },
      ),
      timeseries(
        'Cost per hour',
        'What model calls cost, in USD per hour, by model',
        'currencyUSD',
        [
          [
            `sum by (gen_ai_request_model) (rate(llmos_model_cost_microusd_total[${rateWindow}])) * 3600 / 1e6`,
            '{{gen_ai_request_model}}',
          ],
        ],
        { x: 12 },
      ),
    ),
    ...side(
      timeseries(
        'Model call latency',
        'gen_ai.client.operation.duration: p50, p95 and p99 of the provider time, by model',
        's',
        quantiles('gen_ai_client_operation_duration', 'gen_ai_request_model'),
        { x: 0 },
      ),
      timeseries(
        'Model calls by outcome',
        'answered, cache-hit, or the error type of a failed call',
        'reqps',
        [[`sum by (outcome) (rate(llmos_model_calls_total[${rateWindow}]))`, '{{outcome}}']],
        { x: 12 },
      ),
    ),
    section('Errors, fallbacks and breakers'),
    ...side(
      timeseries(
        'Error ratio',
        'Failed model calls over all model calls',
        'percentunit',
        [[`${callRate('{outcome!~"answered|cache-hit"}')} / ${callRate()}`, 'errors']],
        { x: 0, w: 8 },
      ),
      timeseries(
        'Fallbacks',
        'Moves of runs to the next model of their chain, per hour',
        'short',
        [[`sum by (from, to) (increase(llmos_model_fallbacks_total[1h]))`, '{{from}} -> {{to}}']],
        { x: 8, w: 8 },
      ),
      timeseries(
        'Circuit breakers open',
        "1 while a model's breaker turns calls away",
        'short',
        [['max by (gen_ai_request_model) (llmos_breaker_open)', '{{gen_ai_request_model}}']],
        { x: 16, w: 8 },
      ),
    ),
    section('Cache and budgets'),
    ...side(
      timeseries(
        'Cache hit ratio',
        'Model calls answered from the response cache',
        'percentunit',
        [[`${callRate('{outcome="cache-hit"}')} / ${callRate()}`, 'hit ratio']],
        { x: 0, w: 8 },
      ),
      timeseries(
        'Cache savings per hour',
        'What cache hits saved, in USD per hour',
        'currencyUSD',
        [[`sum(rate(llmos_cache_saved_microusd_total[${rateWindow}])) * 3600 / 1e6`, 'saved']],
        { x: 8, w: 8 },
      ),
      timeseries(
        'Shared budgets',
        'Spent, held by calls in flight, and left, by scope',
        'currencyUSD',
        [
          ['max by (scope) (llmos_budget_spent_usd)', 'spent {{scope}}'],
          ['max by (scope) (llmos_budget_reserved_usd)', 'reserved {{scope}}'],
          ['max by (scope) (llmos_budget_remaining_usd)', 'left {{scope}}'],
        ],
        { x: 16, w: 8 },
      ),
    ),
    section('Tools and guards'),
    ...side(
      timeseries(
        'Tool calls',
        'By tool and outcome',
        'reqps',
        [[`sum by (tool, outcome) (rate(llmos_tool_calls_total[${rateWindow}]))`, '{{tool}} {{outcome}}']],
        { x: 0, w: 8 },
      ),
      timeseries('Tool latency', 'p50, p95 and p99, by tool', 's', quantiles('llmos_tool_duration', 'tool'), {
        x: 8,
        w: 8,
      }),
      timeseries(
        'Guard verdicts',
        'By stage and verdict: refusals and blocks show here',
        'reqps',
        [
          [
            `sum by (stage, verdict) (rate(llmos_guard_verdicts_total[${rateWindow}]))`,
            '{{stage}} {{verdict}}',
          ],
        ],
        { x: 16, w: 8 },
      ),
    ),
    section('Monitors and workers'),
    ...side(
      timeseries(
        'Monitors firing',
        'config/monitors.yaml: 1 while a monitor fires; the scale-up flag',
        'short',
        [
          ['max by (monitor) (llmos_monitor_firing)', '{{monitor}}'],
          ['max(llmos_scale_up_requested)', 'scale up requested'],
        ],
        { x: 0 },
      ),
      timeseries(
        'Activity slots free',
        "The Temporal SDK's own: a worker with none left is saturated",
        'short',
        [['sum by (worker_type) (temporal_worker_task_slots_available)', '{{worker_type}}']],
        { x: 12 },
      ),
    ),
  ],
};

/** Every Prometheus query of the dashboard, for checking them against a real server. */
export function dashboardQueries(dashboard: Dashboard = llmosDashboard): string[] {
  return (dashboard.panels ?? []).flatMap((panel) =>
    'targets' in panel ? (panel.targets ?? []).map((target) => String(target.expr)) : [],
  );
}
