import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { AgentRequest, AgentResult } from '../../common/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { messagesOf, quickRetry, wireBody } from './agent-harness.js';
import { eventually } from '../helpers/eventually.js';

const calculate = { toolCalls: [{ name: 'calculator', arguments: { expression: '2 + 2' } }] };

void describe('reactAgentWorkflow: caps', () => {
  const fakeLog: string[] = [];

  const testbed = useAgentTestbed({
    // A provider timeout far beyond every deadline here: only the workflow's deadline can end a hung call.
    workerEnv: () => ({ LLMOS_MODEL_TIMEOUT_MS: '300000' }),
    fakeLog: (line) => fakeLog.push(line),
  });
  beforeEach(() => {
    fakeLog.length = 0;
  });

  const run = (name: string, request: AgentRequest): Promise<AgentResult> =>
    testbed.temporal.env.client.workflow.execute('reactAgentWorkflow', {
      args: [{ retry: quickRetry, ...request }],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `caps-${name}-${crypto.randomUUID()}`,
    });

  void it('stops with iteration_limit after exactly maxIterations model calls', async () => {
    testbed.fake.setScript({
      rules: [{ reply: { ...calculate, usage: { inputTokens: 100, outputTokens: 10 } } }],
    });
    const result = await run('iterations', {
      question: 'Keep adding.',
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: 3 },
    });

    assert.equal(result.stopReason, 'iteration_limit');
    assert.equal(result.stopDetail, '3 model calls reached the cap of 3');
    assert.equal(result.answer, null);
    assert.equal(result.iterations, 3);
    assert.equal(result.caps.maxIterations, 3);
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['model', 'tool', 'model', 'tool', 'model', 'tool'],
    );
    assert.equal(result.totals.modelCalls, 3);
    assert.equal(result.totals.toolCalls, 3);
    assert.equal(result.totals.totalTokens, 330);
    assert.ok(Math.abs(result.totals.costUsd - (300 * 0.15 + 30 * 0.6) / 1e6) < 1e-12);

    assert.equal(testbed.fake.requests.length, 3);
    assert.deepEqual(
      testbed.fake.requests.map((request) => request.model),
      ['gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini'],
    );
    // Each request carries one more assistant turn than the last: no call was repeated.
    assert.deepEqual(
      testbed.fake.requests.map((request) => request.step),
      [0, 1, 2],
    );
    assert.equal(messagesOf(testbed.fake.requests[2]).filter((message) => message.role === 'tool').length, 2);
  });

  void it('stops with iteration_limit through the Anthropic protocol as well', async () => {
    testbed.fake.setScript({ rules: [{ reply: calculate }] });
    const result = await run('iterations-anthropic', {
      question: 'Keep adding.',
      model: 'anthropic:claude-haiku-4-5',
      caps: { maxIterations: 2 },
    });
    assert.equal(result.stopReason, 'iteration_limit');
    assert.equal(testbed.fake.requests.length, 2);
    assert.ok(
      testbed.fake.requests.every(
        (request) => request.protocol === 'anthropic' && request.model === 'claude-haiku-4-5',
      ),
    );
  });

  void it('stops with budget_exhausted once the token cap is reached, after exactly 2 calls', async () => {
    testbed.fake.setScript({
      rules: [{ reply: { ...calculate, usage: { inputTokens: 300, outputTokens: 200 } } }],
    });
    const result = await run('tokens', {
      question: 'Keep adding.',
      model: 'openai:gpt-4o-mini',
      caps: { maxTotalTokens: 1_000, maxIterations: 10 },
    });

    assert.equal(result.stopReason, 'budget_exhausted');
    assert.equal(result.stopDetail, '1000 tokens reached the cap of 1000');
    assert.equal(result.iterations, 2);
    assert.equal(result.totals.totalTokens, 1_000);
    assert.deepEqual(result.totals.usage, {
      inputTokens: 600,
      outputTokens: 400,
      cachedInputTokens: 0,
      reasoningTokens: 0,
    });
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['model', 'tool', 'model', 'tool'],
    );
    assert.equal(testbed.fake.requests.length, 2);
    // The output limit sent is the token budget left: 1000, then 1000 - 500.
    assert.deepEqual(
      testbed.fake.requests.map((request) => wireBody(request).max_completion_tokens),
      [1_000, 500],
    );
  });

  void it('stops with budget_exhausted once the cost cap is reached, priced as gpt-4o-mini', async () => {
    // $0.015 input + $0.03 output = $0.045 a call: under $0.05 after one call, over it after two.
    testbed.fake.setScript({
      rules: [{ reply: { ...calculate, usage: { inputTokens: 100_000, outputTokens: 50_000 } } }],
    });
    const result = await run('cost', {
      question: 'Keep adding.',
      model: 'openai:gpt-4o-mini',
      caps: { maxCostUsd: 0.05, maxTotalTokens: 10_000_000, maxIterations: 10 },
    });

    assert.equal(result.stopReason, 'budget_exhausted');
    assert.equal(result.stopDetail, '$0.090000 reached the cap of $0.05');
    assert.equal(result.iterations, 2);
    assert.ok(Math.abs(result.totals.costUsd - 0.09) < 1e-12, String(result.totals.costUsd));
    assert.equal(result.totals.costComplete, true);
    const costs = result.trace.flatMap((step) => (step.kind === 'model' ? [step.costUsd] : []));
    assert.equal(costs.length, 2);
    for (const cost of costs) assert.ok(cost !== null && Math.abs(cost - 0.045) < 1e-12);
    assert.equal(testbed.fake.requests.length, 2);
  });

  void it('never asks the provider for more output tokens than the budget has left', async () => {
    testbed.fake.setScript({
      turns: [
        { ...calculate, usage: { inputTokens: 1_000, outputTokens: 200 } },
        { ...calculate, usage: { inputTokens: 1_500, outputTokens: 250 } },
        { text: 'Done.', usage: { inputTokens: 10, outputTokens: 2 } },
      ],
    });
    const result = await run('max-output', {
      question: 'Add twice.',
      model: 'anthropic:claude-haiku-4-5',
      caps: { maxTotalTokens: 3_000 },
    });
    assert.equal(result.stopReason, 'answer');
    assert.equal(testbed.fake.requests.length, 3);
    // Anthropic's max_tokens: 3000 left, then 3000 - 1200, then 3000 - 2950.
    assert.deepEqual(
      testbed.fake.requests.map((request) => wireBody(request).max_tokens),
      [3_000, 1_800, 50],
    );

    testbed.fake.reset();
    testbed.fake.setScript({ turns: [{ text: 'Done.' }] });
    await run('max-output-default', { question: 'Just answer.', model: 'openai:gpt-4o-mini' });
    // A large budget is still limited to 4096 output tokens a call.
    assert.equal(wireBody(testbed.fake.requests[0]).max_completion_tokens, 4_096);
  });

  void it('stops with deadline at maxWallTimeMs and cancels the model call in flight', async () => {
    testbed.fake.setScript({
      turns: [
        { ...calculate, usage: { inputTokens: 50, outputTokens: 5 } },
        { hang: true },
        { text: 'never asked for' },
      ],
    });
    const started = Date.now();
    const result = await run('deadline', {
      question: 'Add, then think forever.',
      model: 'openai:gpt-4o-mini',
      caps: { maxWallTimeMs: 5_000 },
      // The attempt timeout cannot end the hang first: only the deadline can.
      retry: { ...quickRetry, attemptTimeoutMs: 300_000 },
    });
    const endedAfterMs = Date.now() - started;

    assert.equal(result.stopReason, 'deadline');
    assert.match(result.stopDetail, /^wall time \d+ ms reached the cap of 5000 ms$/);
    assert.equal(result.answer, null);
    assert.equal(result.iterations, 2);
    // The partial trace: the finished call and its tool; the cancelled call left no model step.
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['model', 'tool'],
    );
    assert.equal(result.totals.modelCalls, 1);
    assert.equal(result.totals.totalTokens, 55);
    // Neither the provider timeout (300 s) nor the attempt timeout ended the run.
    assert.ok(endedAfterMs < 120_000, `the run took ${endedAfterMs} ms`);

    // The hung HTTP request was aborted by the client: the fake saw its connection close unanswered.
    const closed = await eventually('the hung request to be aborted', () =>
      fakeLog.find((line) => line.includes(' step 1 -> turn 1 no response')),
    );
    assert.ok(closed);
    assert.equal(testbed.fake.requests[1]?.status, null);
    // And nothing was asked after the deadline.
    assert.equal(testbed.fake.requests.length, 2);
    assert.equal(testbed.fake.requests[1]?.answeredBy, 'turn 1');
  });
});
