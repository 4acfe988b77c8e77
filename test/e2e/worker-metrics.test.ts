/**
 * `llmos worker` with LLMOS_METRICS_ADDRESS: its Prometheus endpoint serves the Temporal SDK's
 * metrics and llmos's model-call metrics, and a real Prometheus server (Debian's, installed by
 * scripts/prometheus/install-prometheus.sh) scrapes it during a run and answers a PromQL query, and
 * every query of the Grafana dashboard.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import { projectRoot } from '../../client/project-paths.js';
import { dashboardQueries } from '../../scripts/grafana/llmos-dashboard.js';
import type { reactAgentWorkflow } from '../../workflows/index.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';
import { connectTemporal } from '../helpers/temporal.js';
import { calculatorThenAnswer, fakeProviderEnv } from '../helpers/test-worker.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const prometheusPath = process.env.LLMOS_TEST_PROMETHEUS;

/** The value of the first sample line of `name` whose labels include every one of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

void describe('llmos worker: Prometheus metrics', { timeout: 180_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  let worker: WorkerProcess;
  let metricsAddress: string;
  const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-metrics-'));
  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({
      script: {
        rules: calculatorThenAnswer('6 * 7', 'Forty-two.', { inputTokens: 100, outputTokens: 20 }),
      },
    });
    metricsAddress = `127.0.0.1:${await freePort()}`;
    worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue: `metrics-${randomUUID()}`,
      env: {
        ...fakeProviderEnv(fake.url),
        LLMOS_METRICS_ADDRESS: metricsAddress,
        LLMOS_MODELS_FILE: path.join(projectRoot, 'test', 'fixtures', 'models', 'test-catalog.yaml'),
        // One failing call (however many attempts it makes) opens a model's breaker here.
        LLMOS_BREAKER_FAILURES: '1',
      },
    });
  });
  after(async () => {
    await worker?.stop();
    await fake?.close();
    await temporal?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const scrape = async () => (await fetch(`http://${metricsAddress}/metrics`)).text();

  void it('counts model and tool calls, tokens, durations, budget spend and guard verdicts, beside the SDK metrics', async () => {
    const budgetScope = `metrics-${randomUUID()}`;
    for (let run = 0; run < 3; run += 1) {
      const handle = await temporal.env.client.workflow.start<typeof reactAgentWorkflow>(
        'reactAgentWorkflow',
        {
          args: [
            {
              question: `What is six times seven? (${run})`,
              model: 'openai:gpt-4o-mini',
              tools: ['calculator'],
              budget: { scope: budgetScope, limitUsd: 1 },
            },
          ],
          taskQueue: worker.taskQueue,
          workflowId: `metrics-${randomUUID()}`,
        },
      );
      assert.equal((await handle.result()).answer, 'Forty-two.');
    }
    const tags = { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o-mini' };
    const text = await eventually('the six model calls in the metrics', async () => {
      const scraped = await scrape();
      return sample(scraped, 'llmos_model_calls_total', { ...tags, outcome: 'answered' }) === 6
        ? scraped
        : undefined;
    });
    assert.equal(sample(text, 'gen_ai_client_token_usage_sum', { ...tags, gen_ai_token_type: 'input' }), 600);
    assert.equal(
      sample(text, 'gen_ai_client_token_usage_sum', { ...tags, gen_ai_token_type: 'output' }),
      120,
    );
    assert.equal(sample(text, 'gen_ai_client_operation_duration_count', tags), 6);
    assert.equal(sample(text, 'llmos_tool_calls_total', { tool: 'calculator', outcome: 'ok' }), 3);
    assert.equal(sample(text, 'llmos_tool_duration_count', { tool: 'calculator' }), 3);
    // gpt-4o-mini has a price in the catalog: the calls cost something, in micro-dollars.
    assert.ok((sample(text, 'llmos_model_cost_microusd_total', tags) ?? 0) > 0);
    // Their shared budget's ledger tells what they spent and what is left.
    const spent = sample(text, 'llmos_budget_spent_usd', { scope: budgetScope }) ?? 0;
    const remaining = sample(text, 'llmos_budget_remaining_usd', { scope: budgetScope }) ?? 0;
    const cost = sample(text, 'llmos_model_cost_microusd_total', tags) ?? 0;
    assert.ok(Math.abs(spent * 1_000_000 - cost) < 6, `spent ${spent}, cost ${cost} µUSD`);
    assert.ok(Math.abs(spent + remaining - 1) < 1e-9, `spent ${spent} + remaining ${remaining}`);
    assert.equal(sample(text, 'llmos_budget_reserved_usd', { scope: budgetScope }), 0);
    // The runs' guard stages (the question, the answer) are counted by verdict.
    assert.ok((sample(text, 'llmos_guard_verdicts_total', { stage: 'input' }) ?? 0) >= 3);
    // The SDK's own metrics come from the same endpoint.
    assert.match(text, /^temporal_activity_execution_latency_count\{/m);
  });

  void it(
    'is scraped by a real Prometheus, which answers a PromQL query with the count',
    {
      skip: prometheusPath
        ? false
        : 'LLMOS_TEST_PROMETHEUS is not set: run scripts/prometheus/install-prometheus.sh',
    },
    async () => {
      const port = await freePort();
      const config = path.join(scratch, 'prometheus.yml');
      writeFileSync(
        config,
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: llmos-worker\n    static_configs:\n      - targets: ['${metricsAddress}']\n`,
      );
      const prometheus: ChildProcess = spawn(
        prometheusPath!,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${path.join(scratch, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: 'ignore' },
      );
      try {
        const query = 'sum(llmos_model_calls_total{outcome="answered", gen_ai_request_model="gpt-4o-mini"})';
        const answer = await eventually(
          'Prometheus to answer with six calls',
          async () => {
            const response = await fetch(
              `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`,
            );
            const body = (await response.json()) as { data: { result: { value: [number, string] }[] } };
            const value = body.data.result[0]?.value[1];
            return value === '6' ? body : undefined;
          },
          60_000,
        );
        assert.equal(answer.data.result.length, 1);

        // Every query of the Grafana dashboard is valid PromQL, and those of what these runs did
        // have data once two scrapes are in their window (Grafana's rate window is its own
        // variable: a minute here).
        const ask = async (query: string) => {
          const expr = query.replaceAll('$__rate_interval', '1m');
          const response = await fetch(
            `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expr)}`,
          );
          const body = (await response.json()) as {
            status: string;
            error?: string;
            data?: { result: unknown[] };
          };
          assert.equal(body.status, 'success', `${expr}: ${body.error}`);
          return body.data!.result.length;
        };
        const expected = [
          'gen_ai_client_token_usage_sum',
          'llmos_model_cost_microusd_total',
          'gen_ai_client_operation_duration_bucket',
          'llmos_model_calls_total',
          'llmos_budget_spent_usd',
          'llmos_tool_calls_total',
          'llmos_tool_duration_bucket',
          'llmos_guard_verdicts_total',
          'temporal_worker_task_slots_available',
        ];
        await eventually(
          "data for the dashboard's queries of what the runs did",
          async () => {
            const withData: string[] = [];
            for (const query of dashboardQueries()) if ((await ask(query)) > 0) withData.push(query);
            return expected.every((metric) => withData.some((query) => query.includes(metric))) || undefined;
          },
          30_000,
        );
      } finally {
        prometheus.kill('SIGTERM');
      }
    },
  );

  void it('counts a failed call by its error type, the move to the next model, and the open breaker', async () => {
    fake.setScript({
      rules: [
        { match: { protocol: 'openai' }, reply: { status: 500 } },
        { match: { protocol: 'anthropic' }, reply: { text: 'Backup answer.' } },
      ],
    });
    const result = await temporal.env.client.workflow.execute<typeof reactAgentWorkflow>(
      'reactAgentWorkflow',
      {
        args: [
          {
            question: 'Say something.',
            model: 'primary-then-backup',
            tools: [],
            retry: { initialIntervalMs: 10, maximumAttempts: 2 },
          },
        ],
        taskQueue: worker.taskQueue,
        workflowId: `metrics-fallback-${randomUUID()}`,
      },
    );
    assert.equal(result.answer, 'Backup answer.');
    const text = await eventually('the fallback in the metrics', async () => {
      const scraped = await scrape();
      return sample(scraped, 'llmos_model_fallbacks_total', {
        from: 'openai:gpt-4o-mini',
        to: 'anthropic:claude-haiku-4-5',
      }) === 1
        ? scraped
        : undefined;
    });
    const primary = { gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o-mini' };
    // The first attempt failed and opened the breaker: the second moved on without a request.
    assert.equal(sample(text, 'llmos_model_calls_total', { ...primary, outcome: 'ModelUnavailable' }), 1);
    assert.equal(sample(text, 'llmos_breaker_open', primary), 1);
    assert.equal(
      sample(text, 'llmos_breaker_open', {
        gen_ai_provider_name: 'anthropic',
        gen_ai_request_model: 'claude-haiku-4-5',
      }),
      0,
    );
  });
});
