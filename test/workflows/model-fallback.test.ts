import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../client/project-paths.js';
import type { AgentRequest, AgentResult } from '../../common/agent.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { quickRetry } from './agent-harness.js';

const catalog = path.join(projectRoot, 'test', 'fixtures', 'models', 'test-catalog.yaml');
const cooldownMs = 1_500;
const backupAnswers: FakeLlmScript['rules'] = [
  { match: { protocol: 'anthropic' }, reply: { text: 'Backup answer.' } },
];

void describe('fallback chains and circuit breakers', () => {
  const testbed = useAgentTestbed({
    workerEnv: () => ({
      LLMOS_MODELS_FILE: catalog,
      LLMOS_BREAKER_FAILURES: '2',
      LLMOS_BREAKER_COOLDOWN_MS: String(cooldownMs),
    }),
  });
  const run = (request: Partial<AgentRequest> = {}): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [
        {
          question: 'Say something.',
          model: 'primary-then-backup',
          tools: [],
          retry: { ...quickRetry, maximumAttempts: 2 },
          ...request,
        },
      ],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `fallback-${crypto.randomUUID()}`,
    });
  const sentTo = (protocol: 'openai' | 'anthropic') =>
    testbed.fake.requests.filter((request) => request.protocol === protocol).length;

  void it('moves to the next model of the alias when the first refuses the request (401)', async () => {
    testbed.fake.setScript({
      rules: [
        { match: { protocol: 'openai' }, reply: { status: 401, errorMessage: 'Incorrect API key' } },
        ...backupAnswers,
      ],
    });
    const result = await run();
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.equal(result.answer, 'Backup answer.');
    assert.equal(sentTo('openai'), 1, 'a refused request is not retried');
    assert.equal(sentTo('anthropic'), 1);
    assert.equal(result.fallbacks?.length, 1);
    assert.equal(result.fallbacks?.[0]?.from, 'openai:gpt-4o-mini');
    assert.equal(result.fallbacks?.[0]?.to, 'anthropic:claude-haiku-4-5');
    assert.match(result.fallbacks?.[0]?.reason ?? '', /^ModelRequestRejected: .*Incorrect API key/);
  });

  void it('falls back once retries are exhausted, opens the breaker, and closes it after the cooldown', async () => {
    testbed.fake.setScript({
      rules: [{ match: { protocol: 'openai' }, reply: { status: 500 } }, ...backupAnswers],
    });
    const first = await run();
    assert.equal(first.answer, 'Backup answer.');
    assert.equal(sentTo('openai'), 2, 'both attempts of the retry policy');
    assert.match(first.fallbacks?.[0]?.reason ?? '', /^ModelUnavailable/);

    // One call's two attempts are one failing call: the breaker is still closed. A second
    // failing call opens it, and that call's next attempt moves on at once.
    const second = await run();
    assert.equal(second.answer, 'Backup answer.');
    assert.equal(sentTo('openai'), 3, "the second call's first attempt went out, its second did not");
    assert.match(second.fallbacks?.[0]?.reason ?? '', /^ModelCircuitOpen/);

    // Open: the next run skips the model without a request.
    const skipped = await run();
    assert.equal(skipped.answer, 'Backup answer.');
    assert.equal(sentTo('openai'), 3, 'no request while the breaker is open');
    assert.match(skipped.fallbacks?.[0]?.reason ?? '', /^ModelCircuitOpen/);

    // After the cooldown one trial goes through; the model has recovered, so the breaker closes.
    testbed.fake.setScript({
      rules: [{ match: { protocol: 'openai' }, reply: { text: 'Primary answer.' } }],
    });
    await new Promise((resolve) => setTimeout(resolve, cooldownMs + 200));
    const third = await run();
    assert.equal(third.answer, 'Primary answer.');
    assert.deepEqual(third.fallbacks ?? [], []);
    const fourth = await run();
    assert.equal(fourth.answer, 'Primary answer.', 'closed again: every call goes to the first model');
  });

  void it('waits out a rate limit: 429 x 5 then ok answers, and opens no breaker', async () => {
    testbed.fake.setScript({
      rules: [
        { match: { protocol: 'openai' }, reply: { status: 429, retryAfterSeconds: 0.5 }, times: 5 },
        { match: { protocol: 'openai' }, reply: { text: 'Answer after the rate limit.' } },
      ],
    });
    // Two attempts per activity: the rate limit outlasts them twice, and the run still answers.
    const limited = await run({ model: 'openai:gpt-4o-mini' });
    assert.equal(limited.stopReason, 'answer', limited.stopDetail);
    assert.equal(limited.answer, 'Answer after the rate limit.');
    assert.equal(sentTo('openai'), 6);
    // Five rate-limited requests of one call left the breaker closed: the next run goes straight through.
    const next = await run({ model: 'openai:gpt-4o-mini' });
    assert.equal(next.answer, 'Answer after the rate limit.');
    assert.equal(sentTo('openai'), 7);
  });

  void it('a run started while the breaker is open and no model is left waits for the trial, then answers', async () => {
    testbed.fake.setScript({
      rules: [{ match: { protocol: 'openai' }, reply: { status: 500 } }, ...backupAnswers],
    });
    // Two failing calls open the breaker (their runs answer through the backup).
    await run();
    await run();
    assert.equal(sentTo('openai'), 3);
    testbed.fake.setScript({
      rules: [{ match: { protocol: 'openai' }, reply: { text: 'Primary recovered.' } }],
    });
    const startedAt = Date.now();
    const waited = await run({ model: 'openai:gpt-4o-mini' });
    assert.equal(waited.stopReason, 'answer', waited.stopDetail);
    assert.equal(waited.answer, 'Primary recovered.');
    assert.equal(sentTo('openai'), 4, 'one request: the trial, after the cooldown');
    assert.ok(Date.now() - startedAt >= cooldownMs - 500, 'it waited for the cooldown');
    assert.deepEqual(waited.fallbacks ?? [], []);
  });

  void it('routes `auto` to the simple or the complex model, and records why', async () => {
    testbed.fake.setScript({
      rules: [
        { match: { protocol: 'openai' }, reply: { text: 'Simple.' } },
        { match: { protocol: 'anthropic' }, reply: { text: 'Complex.' } },
      ],
    });
    const simple = await run({ model: 'auto', question: 'What is the capital of France?' });
    assert.equal(simple.answer, 'Simple.');
    assert.equal(simple.route?.complexity, 'simple');
    assert.equal(simple.route?.model, 'openai:gpt-4o-mini');
    assert.deepEqual(simple.route?.reasons, ['no sign of complexity']);

    const complex = await run({
      model: 'auto',
      question: 'Work out, step by step, how long the trip takes.',
    });
    assert.equal(complex.answer, 'Complex.');
    assert.equal(complex.route?.complexity, 'complex');
    assert.deepEqual(complex.route?.reasons, ['matches /step by step/']);
    const withTools = await run({ model: 'auto', question: 'What is 2 + 2?', tools: ['calculator'] });
    assert.deepEqual(withTools.route?.reasons, ['needs tools']);
  });

  void it('routes `auto` call by call: choosing tools is complex, reading a short result simple', async () => {
    testbed.fake.setScript({
      rules: [
        {
          match: { protocol: 'anthropic', step: 0 },
          reply: { toolCalls: [{ name: 'calculator', arguments: { expression: '2 + 2' } }] },
        },
        { match: { protocol: 'openai', step: 1 }, reply: { text: 'It is {{lastToolResult}}.' } },
        { match: { protocol: 'anthropic', step: 1 }, reply: { text: 'The sum is {{lastToolResult}}.' } },
      ],
    });
    const modelSteps = (result: AgentResult) =>
      result.trace.flatMap((step) =>
        step.kind === 'model' ? [{ model: step.model, route: step.route?.complexity }] : [],
      );

    const short = await run({ model: 'auto', question: 'What is 2 + 2?', tools: ['calculator'] });
    assert.equal(short.answer, 'It is 4.', short.stopDetail);
    assert.deepEqual(modelSteps(short), [
      { model: 'claude-haiku-4-5', route: 'complex' },
      { model: 'gpt-4o-mini', route: 'simple' },
    ]);
    // The run's route is its first call's.
    assert.deepEqual(short.route?.reasons, ['needs tools']);
    const reading = short.trace.find((step) => step.kind === 'model' && step.iteration === 2);
    assert.deepEqual(reading?.kind === 'model' && reading.route?.reasons, ['no sign of complexity']);

    // A long conversation is complex whoever reads it.
    const numbers = Array.from({ length: 120 }, (_, index) => index + 1).join(', ');
    const long = await run({
      model: 'auto',
      question: `Here are some numbers: ${numbers}. Ignore them. What is 2 + 2?`,
      tools: ['calculator'],
    });
    assert.equal(long.answer, 'The sum is 4.', long.stopDetail);
    const second = long.trace.find((step) => step.kind === 'model' && step.iteration === 2);
    assert.ok(second?.kind === 'model' && second.route?.complexity === 'complex');
    assert.match(second.route.reasons[0] ?? '', /input tokens > 200/);
  });

  void it('names the aliases when the model is neither an alias nor provider:model', async () => {
    const result = await run({ model: 'no-such-alias' });
    assert.equal(result.stopReason, 'error');
    assert.match(result.stopDetail, /unknown model or alias "no-such-alias".*primary-then-backup/);
    assert.equal(testbed.fake.requests.length, 0);
  });
});
