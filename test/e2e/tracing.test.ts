/**
 * Traces: `llmos agent` and `llmos worker` as separate processes, both with an OTLP endpoint, send
 * their spans to a real OpenTelemetry Collector (built from the Go module proxy by
 * scripts/otel-collector/build-collector.sh) that writes them to a file. One agent run is one
 * trace: the command, its workflow, every activity, each model call with the GenAI semantic
 * conventions' attributes, and the provider SDK's HTTP request, whose `traceparent` reaches the
 * provider.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';
import { connectTemporal } from '../helpers/temporal.js';
import { calculatorThenAnswer, fakeProviderEnv } from '../helpers/test-worker.js';
import { describeRun, runLlmos, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const collectorPath = process.env.LLMOS_TEST_OTELCOL;

/** An OTLP/JSON attribute value, as the collector's file exporter writes it. */
interface AnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: AnyValue[] };
}

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  attributes: Record<string, unknown>;
}

function plain(value: AnyValue): unknown {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return (value.arrayValue?.values ?? []).map(plain);
}

type KeyValues = { key: string; value: AnyValue }[] | undefined;
const attributesOf = (list: KeyValues) =>
  Object.fromEntries((list ?? []).map(({ key, value }) => [key, plain(value)]));

/** Every span in the collector's file (one OTLP export request per line). */
function readSpans(file: string): ExportedSpan[] {
  if (!existsSync(file)) return [];
  const spans: ExportedSpan[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const request = JSON.parse(line) as {
      resourceSpans: {
        resource: { attributes?: KeyValues };
        scopeSpans: {
          spans: (Omit<ExportedSpan, 'service' | 'attributes'> & { attributes?: KeyValues })[];
        }[];
      }[];
    };
    for (const { resource, scopeSpans } of request.resourceSpans) {
      const service = String(attributesOf(resource.attributes)['service.name']);
      for (const scope of scopeSpans)
        for (const span of scope.spans)
          spans.push({ ...span, service, attributes: attributesOf(span.attributes) });
    }
  }
  return spans;
}

void describe(
  'tracing: one agent run is one trace in a real OpenTelemetry Collector',
  {
    timeout: 240_000,
    skip: collectorPath
      ? false
      : 'LLMOS_TEST_OTELCOL is not set: run scripts/otel-collector/build-collector.sh',
  },
  () => {
    let temporal: Awaited<ReturnType<typeof connectTemporal>>;
    let fake: FakeLlmServer;
    let worker: WorkerProcess;
    let collector: ChildProcess;
    let otelEnv: Record<string, string>;
    const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-tracing-'));
    const spansFile = path.join(scratch, 'spans.jsonl');
    before(async () => {
      const port = await freePort();
      const config = path.join(scratch, 'collector.yaml');
      writeFileSync(
        config,
        [
          'receivers:',
          '  otlp:',
          '    protocols:',
          '      http:',
          `        endpoint: 127.0.0.1:${port}`,
          'exporters:',
          '  file:',
          `    path: ${spansFile}`,
          '    flush_interval: 100ms',
          'service:',
          '  telemetry:',
          '    metrics:',
          '      level: none',
          '  pipelines:',
          '    traces:',
          '      receivers: [otlp]',
          '      exporters: [file]',
          '',
        ].join('\n'),
      );
      collector = spawn(collectorPath!, ['--config', config], { stdio: 'ignore' });
      await eventually('the collector to listen', async () =>
        fetch(`http://127.0.0.1:${port}/v1/traces`, { method: 'POST', body: '{}' })
          .then((response) => response.status < 500 || undefined)
          .catch(() => undefined),
      );
      // Spans leave in batches every 200 ms, not the default 5 s.
      otelEnv = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`, OTEL_BSP_SCHEDULE_DELAY: '200' };
      temporal = await connectTemporal();
      fake = await startFakeLlmServer({
        script: {
          rules: calculatorThenAnswer('6 * 7', 'Forty-two.', { inputTokens: 100, outputTokens: 20 }),
        },
      });
      worker = await startWorkerProcess({
        address: temporal.address,
        taskQueue: `tracing-${randomUUID()}`,
        env: { ...fakeProviderEnv(fake.url), ...otelEnv, OTEL_SERVICE_NAME: 'llmos-worker' },
      });
    });
    after(async () => {
      await worker?.stop();
      collector?.kill('SIGTERM');
      await fake?.close();
      await temporal?.close();
      rmSync(scratch, { recursive: true, force: true });
    });

    void it('follows the command, its workflow, each activity and model call, and the HTTP requests', async () => {
      const run = await runLlmos(
        ['agent', 'What is six times seven?', '--model', 'openai:gpt-4o-mini', '--tools', 'calculator'],
        {
          TEMPORAL_ADDRESS: temporal.address,
          LLMOS_TASK_QUEUE: worker.taskQueue,
          ...otelEnv,
          OTEL_SERVICE_NAME: 'llmos-cli',
        },
      );
      assert.equal(run.code, 0, describeRun(run));
      assert.match(run.stdout, /Answer: Forty-two\./);

      const chatName = 'chat gpt-4o-mini';
      const spans = await eventually(
        'the whole run in the collector',
        () => {
          const all = readSpans(spansFile);
          const root = all.find((span) => span.name === 'llmos agent');
          if (!root) return undefined;
          const trace = all.filter((span) => span.traceId === root.traceId);
          const done =
            trace.filter((span) => span.name === chatName).length === 2 &&
            trace.some((span) => span.name === 'RunWorkflow:reactAgentWorkflow');
          return done ? trace : undefined;
        },
        60_000,
      );
      const byId = new Map(spans.map((span) => [span.spanId, span]));
      const parentOf = (span: ExportedSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);
      const ancestry = (span: ExportedSpan): string[] => {
        const names: string[] = [];
        for (let at = parentOf(span); at; at = parentOf(at)) names.push(at.name);
        return names;
      };

      // The command's span is the root; the CLI sent it, the worker sent the rest.
      const root = spans.find((span) => span.name === 'llmos agent')!;
      assert.equal(root.parentSpanId || undefined, undefined);
      assert.equal(root.service, 'llmos-cli');
      const chats = spans.filter((span) => span.name === chatName);
      for (const chat of chats) {
        assert.equal(chat.service, 'llmos-worker');
        assert.deepEqual(ancestry(chat), [
          'RunActivity:callChatModel',
          'StartActivity:callChatModel',
          'RunWorkflow:reactAgentWorkflow',
          'StartWorkflow:reactAgentWorkflow',
          'llmos agent',
        ]);
      }
      const tool = spans.find(
        (span) => span.name === 'RunActivity:runPureTool' || span.name === 'RunActivity:runTool',
      );
      assert.ok(tool, `a tool activity span among ${spans.map((span) => span.name).join(', ')}`);

      // The model calls carry the GenAI conventions' attributes and llmos's own.
      // The call that asked for the tool, and the one that answered.
      const finishOf = (span: ExportedSpan) => String(span.attributes['gen_ai.response.finish_reasons']);
      const first = chats.find((span) => finishOf(span) === 'tool_calls');
      const second = chats.find((span) => finishOf(span) === 'stop');
      const runWorkflowId = first!.attributes['llmos.workflow.id'];
      assert.match(String(runWorkflowId), /^agent-/);
      assert.deepEqual(
        {
          operation: first!.attributes['gen_ai.operation.name'],
          provider: first!.attributes['gen_ai.provider.name'],
          requestModel: first!.attributes['gen_ai.request.model'],
          responseModel: first!.attributes['gen_ai.response.model'],
          input: first!.attributes['gen_ai.usage.input_tokens'],
          output: first!.attributes['gen_ai.usage.output_tokens'],
          finish: first!.attributes['gen_ai.response.finish_reasons'],
          cacheHit: first!.attributes['llmos.cache.hit'],
        },
        {
          operation: 'chat',
          provider: 'openai',
          requestModel: 'gpt-4o-mini',
          responseModel: 'gpt-4o-mini',
          input: 100,
          output: 20,
          finish: ['tool_calls'],
          cacheHit: false,
        },
      );
      assert.deepEqual(second!.attributes['gen_ai.response.finish_reasons'], ['stop']);
      assert.equal(typeof first!.attributes['llmos.cost_usd'], 'number');
      // The agent's prompt template is on its run's span, which every model call's descends from.
      const runSpan = spans.find((span) => span.name === 'RunWorkflow:reactAgentWorkflow')!;
      assert.equal(runSpan.attributes['llmos.prompt.id'], 'agent.system');
      assert.match(String(runSpan.attributes['llmos.prompt.version']), /^v\d+$/);
      assert.equal(runSpan.attributes['llmos.run.model'], 'openai:gpt-4o-mini');
      // Prompts and completions stay out unless asked for.
      assert.equal(first!.attributes['gen_ai.input.messages'], undefined);
      assert.equal(second!.attributes['gen_ai.output.messages'], undefined);

      // Each model call's HTTP request is its child, and carried the trace to the provider.
      const requests = spans.filter((span) => span.name === 'POST' && parentOf(span)?.name === chatName);
      assert.equal(
        requests.length,
        2,
        spans.map((span) => `${span.name} <- ${parentOf(span)?.name}`).join('\n'),
      );
      const traceparents = fake.requests.map((request) => String(request.headers.traceparent ?? ''));
      for (const request of requests)
        assert.ok(
          traceparents.includes(`00-${request.traceId}-${request.spanId}-01`),
          `the provider received the HTTP span's traceparent: ${traceparents.join(', ')}`,
        );
    });
  },
);
