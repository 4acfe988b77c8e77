/**
 * What the model calls' metrics cost, measured side by side in one run: the model activity
 * (`callChatModel`, over a zero-latency scripted model, cache off) called the same number of
 * times with a meter that records nothing, and with the Temporal runtime's meter exporting to
 * Prometheus (as a worker with LLMOS_METRICS_ADDRESS has it). Alternating rounds, so a busy
 * machine weighs on both alike. Then the process's memory after all the recorded calls.
 *
 *   npm run bench:telemetry -- [--calls 10000] [--rounds 5]
 *
 * Tracing is not measured yet: llmos has no spans so far.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { noopMetricMeter, type MetricMeter } from '@temporalio/common';
import { parseArgs } from 'node:util';
import { createCallChatModel, type CallChatModelInput } from '../activities/llm/call-chat-model.js';
import { ScriptedChatModel } from '../activities/llm/scripted/scripted-chat-model.js';
import { ChatRequestSchema } from '../common/chat.js';
import { installRuntime } from '../workers/install-runtime.js';
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
await perCall(noopMetricMeter, 500);
await perCall(exported, 500);
const off: number[] = [];
const on: number[] = [];
const perRound = Math.ceil(calls / rounds);
for (let round = 0; round < rounds; round += 1) {
  off.push(await perCall(noopMetricMeter, perRound));
  on.push(await perCall(exported, perRound));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
global.gc?.();
const rssMb = process.memoryUsage().rss / 1024 / 1024;
const scraped = await (await fetch(`http://${process.env.LLMOS_METRICS_ADDRESS}/metrics`)).text();
const recorded = /^llmos_model_calls_total\{[^}]*outcome="answered"[^}]*\} (\d+)/m.exec(scraped)?.[1];

console.log(
  `callChatModel over a zero-latency model, ${rounds} alternating rounds of ${perRound} calls each`,
);
console.log('| metrics | µs per call (median of rounds) | rounds |');
console.log('|---|---|---|');
console.log(
  `| off (no-op meter) | ${median(off).toFixed(1)} | ${off.map((value) => value.toFixed(1)).join(', ')} |`,
);
console.log(
  `| on (Prometheus) | ${median(on).toFixed(1)} | ${on.map((value) => value.toFixed(1)).join(', ')} |`,
);
console.log(`ratio on/off: ${(median(on) / median(off)).toFixed(3)}`);
console.log(
  `after ${on.length * perRound + 500} recorded calls (the exporter counted ${recorded ?? 'none'}): RSS ${rssMb.toFixed(0)} MB`,
);
