/**
 * What the model calls' metrics and traces cost, measured side by side in one run: the model
 * activity (`callChatModel`, over a zero-latency scripted model, cache off) called the same number
 * of times with telemetry off (a meter that records nothing, spans not sampled), with the Temporal
 * runtime's meter exporting to Prometheus (as a worker with LLMOS_METRICS_ADDRESS has it), and
 * with both metrics and each call's span (batched to an exporter that only counts them, so the
 * network is not measured). Alternating rounds, so a busy machine weighs on all alike. Then the
 * process's memory after all the recorded calls.
 *
 *   npm run bench:telemetry -- [--calls 10000] [--rounds 5]
 *
 * The activity runs outside a worker, so the spans Temporal's interceptors add per activity and
 * per workflow are not in the figure, nor the HTTP span of a real provider call.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { parseArgs } from 'node:util';
import { createCallChatModel, type CallChatModelInput } from '../activities/llm/call-chat-model.js';
import { ScriptedChatModel } from '../activities/llm/scripted/scripted-chat-model.js';
import { ChatRequestSchema } from '../common/chat.js';
import { ExportResultCode } from '@opentelemetry/core';
import {
  BatchSpanProcessor,
  SamplingDecision,
  type Sampler,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { installRuntime } from '../workers/install-runtime.js';
import { registerTracing } from '../workers/tracing-provider.js';
import { freePort } from '../test/helpers/free-port.js';

const { values } = parseArgs({
  options: { calls: { type: 'string', default: '10000' }, rounds: { type: 'string', default: '5' } },
});
const calls = Number(values.calls);
const rounds = Number(values.rounds);
if (!Number.isInteger(calls) || calls < 1 || !Number.isInteger(rounds) || rounds < 1)
  throw new Error('--calls and --rounds take positive integers');

process.env.LLMOS_METRICS_ADDRESS = `127.0.0.1:${await freePort()}`;
installRuntime('WARN');

/** Spans are sampled only while `sampling.on`: the same tracer serves both kinds of round. */
const sampling = { on: false };
const sampler: Sampler = {
  shouldSample: () => ({
    decision: sampling.on ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
  }),
  toString: () => 'bench toggle',
};
let exportedSpans = 0;
const countingExporter: SpanExporter = {
  export: (spans, done) => {
    exportedSpans += spans.length;
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: () => Promise.resolve(),
};
const tracing = registerTracing('llmos-bench', new BatchSpanProcessor(countingExporter), sampler);

const model = new ScriptedChatModel('bench', {
  rules: [{ match: {}, reply: { text: 'Forty-two.', usage: { inputTokens: 120, outputTokens: 8 } } }],
});
const price = { inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075 };
/** The activity as a worker makes it: with the runtime's meter, or with none (a no-op one). */
const callChatModel = (meter: MetricMeter) =>
  createCallChatModel(() => Promise.resolve(model), { priceOf: () => price, meter });
const input: CallChatModelInput = {
  model: 'openai:gpt-4o-mini',
  request: ChatRequestSchema.parse({ messages: [{ role: 'user', content: 'What is six times seven?' }] }),
  cache: 'off',
};

/** Microseconds per call over `count` calls, with `meter` as the activity's. */
async function perCall(meter: MetricMeter, count: number): Promise<number> {
  const environment = new MockActivityEnvironment({ activityType: 'callChatModel' });
  const activity = callChatModel(meter);
  const started = performance.now();
  for (let call = 0; call < count; call += 1) await environment.run(activity, input);
  return ((performance.now() - started) * 1000) / count;
}

const exported = Runtime.instance().metricMeter;
const traced = async (count: number) => {
  sampling.on = true;
  try {
    return await perCall(exported, count);
  } finally {
    sampling.on = false;
  }
};
await perCall(noopMetricMeter, 500);
await perCall(exported, 500);
await traced(500);
const off: number[] = [];
const on: number[] = [];
const tracedOn: number[] = [];
const perRound = Math.ceil(calls / rounds);
for (let round = 0; round < rounds; round += 1) {
  off.push(await perCall(noopMetricMeter, perRound));
  on.push(await perCall(exported, perRound));
  tracedOn.push(await traced(perRound));
}
await tracing.provider.forceFlush();
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
global.gc?.();
const rssMb = process.memoryUsage().rss / 1024 / 1024;
const scraped = await (await fetch(`http://${process.env.LLMOS_METRICS_ADDRESS}/metrics`)).text();
const recorded = /^llmos_model_calls_total\{[^}]*outcome="answered"[^}]*\} (\d+)/m.exec(scraped)?.[1];

console.log(
  `callChatModel over a zero-latency model, ${rounds} alternating rounds of ${perRound} calls each`,
);
console.log('| telemetry | µs per call (median of rounds) | rounds |');
console.log('|---|---|---|');
const row = (name: string, values: number[]) =>
  console.log(
    `| ${name} | ${median(values).toFixed(1)} | ${values.map((value) => value.toFixed(1)).join(', ')} |`,
  );
row('off (no-op meter, spans not sampled)', off);
row('metrics (Prometheus)', on);
row('metrics and traces (batched spans)', tracedOn);
console.log(`ratio metrics/off: ${(median(on) / median(off)).toFixed(3)}`);
console.log(`ratio metrics and traces/off: ${(median(tracedOn) / median(off)).toFixed(3)}`);
console.log(
  `after ${2 * (on.length * perRound + 500)} recorded calls (Prometheus counted ${recorded ?? 'none'}, ${exportedSpans} spans exported): RSS ${rssMb.toFixed(0)} MB`,
);
