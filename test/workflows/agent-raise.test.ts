import { WorkflowUpdateFailedError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AgentProgress, AgentRequest } from '../../common/agent.js';
import { agentProgressQuery, raiseCapsUpdate } from '../../common/messages.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { historyCounts, quickRetry, toolMessagesOf } from './agent-harness.js';
import { eventually } from '../helpers/eventually.js';

const calculate = { toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }] };

void describe('reactAgentWorkflow: raising caps', () => {
  const testbed = useAgentTestbed();

  const start = (name: string, request: AgentRequest) =>
    testbed.temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
      args: [{ retry: quickRetry, ...request }],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `raise-${name}-${crypto.randomUUID()}`,
    });
  type Handle = Awaited<ReturnType<typeof start>>;
  const progress = (handle: Handle): Promise<AgentProgress> => handle.query(agentProgressQuery, 0);
  const waitingForCaps = (handle: Handle) =>
    eventually('the run to wait for raised caps', async () => {
      const current = await progress(handle);
      return current.status === 'waiting_for_caps' ? current : undefined;
    });

  void it('continues a run stopped on a cap once the cap is raised, without repeating a call', async () => {
    testbed.fake.setScript({ turns: [calculate, { text: 'It is {{lastToolResult}}.' }] });
    const handle = await start('continue', {
      question: 'What is 6 * 7?',
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: 1 },
      holdOnCapMs: 60_000,
    });

    const waiting = await waitingForCaps(handle);
    assert.equal(waiting.stopReason, 'iteration_limit');
    assert.equal(waiting.stopDetail, '1 model calls reached the cap of 1');
    assert.equal(waiting.iteration, 1);
    assert.equal(waiting.answer, null);
    assert.deepEqual(
      waiting.steps.map((step) => step.kind),
      ['model', 'tool'],
    );
    assert.equal(testbed.fake.requests.length, 1);

    const raised = await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: 5 }] });
    assert.equal(raised.maxIterations, 5);
    assert.equal(raised.maxTotalTokens, waiting.caps.maxTotalTokens);

    const result = await handle.result();
    assert.equal(result.stopReason, 'answer');
    assert.equal(result.answer, 'It is 42.');
    assert.equal(result.iterations, 2);
    assert.equal(result.caps.maxIterations, 5);
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['model', 'tool', 'caps_raised', 'model'],
    );
    const raisedStep = result.trace[2];
    assert.ok(raisedStep?.kind === 'caps_raised');
    assert.equal(raisedStep.iteration, 1);
    assert.deepEqual(raisedStep.caps, raised);

    // Two calls in all: the first, then the continuation that saw the tool result. No repeats.
    assert.equal(testbed.fake.requests.length, 2);
    assert.deepEqual(
      testbed.fake.requests.map((request) => request.step),
      [0, 1],
    );
    assert.deepEqual(
      testbed.fake.requests.map((request) => request.answeredBy),
      ['turn 0', 'turn 1'],
    );
    assert.equal(toolMessagesOf(testbed.fake.requests[1])[0]?.content, '42');
    const counts = await historyCounts(handle);
    assert.equal(counts.updatesAccepted, 1);
    assert.equal(counts.updatesCompleted, 1);
  });

  void it('raises one cap without touching caps set above their defaults', async () => {
    testbed.fake.setScript({ turns: [calculate, { text: 'Done.' }] });
    const caps = { maxIterations: 1, maxTotalTokens: 1_000_000, maxCostUsd: 5, maxWallTimeMs: 900_000 };
    const handle = await start('above-defaults', {
      question: 'What is 6 * 7?',
      model: 'openai:gpt-4o-mini',
      caps,
      holdOnCapMs: 60_000,
    });
    await waitingForCaps(handle);

    // Only maxIterations is named: the others must not be compared with (or set to) their defaults.
    const raised = await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: 3 }] });
    assert.deepEqual(raised, { ...caps, maxIterations: 3 });
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer');
    assert.deepEqual(result.caps, { ...caps, maxIterations: 3 });
    assert.equal(testbed.fake.requests.length, 2);
  });

  void it('rejects a raise that lowers a cap, or names none, and changes nothing', async () => {
    testbed.fake.setScript({ turns: [calculate, { text: 'Done.' }] });
    const handle = await start('lower', {
      question: 'What is 6 * 7?',
      model: 'anthropic:claude-haiku-4-5',
      caps: { maxIterations: 1, maxCostUsd: 1 },
      holdOnCapMs: 60_000,
    });
    const before = await waitingForCaps(handle);

    await assert.rejects(
      handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: 5, maxCostUsd: 0.5 }] }),
      (error: unknown) => {
        assert.ok(error instanceof WorkflowUpdateFailedError, String(error));
        assert.match(error.cause?.message ?? '', /a raise cannot lower caps: maxCostUsd is 1/);
        return true;
      },
    );
    await assert.rejects(handle.executeUpdate(raiseCapsUpdate, { args: [{}] }), (error: unknown) => {
      assert.ok(error instanceof WorkflowUpdateFailedError);
      assert.match(error.cause?.message ?? '', /the raise names no cap/);
      return true;
    });
    await assert.rejects(
      handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: -3 }] }),
      WorkflowUpdateFailedError,
    );

    const after = await progress(handle);
    assert.equal(after.status, 'waiting_for_caps');
    assert.deepEqual(after.caps, before.caps);
    assert.equal(after.stepCount, before.stepCount);
    assert.ok(after.steps.every((step) => step.kind !== 'caps_raised'));
    assert.equal(testbed.fake.requests.length, 1);
    // Rejected by the validator: nothing about these updates reached the history.
    assert.equal((await historyCounts(handle)).updatesAccepted, 0);

    // The run is still usable: a real raise lets it finish.
    await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: 2 }] });
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer');
    assert.equal(result.caps.maxCostUsd, 1);
    assert.equal(testbed.fake.requests.length, 2);
  });

  void it('continues a run stopped on the token budget once the budget is raised', async () => {
    testbed.fake.setScript({
      turns: [
        { ...calculate, usage: { inputTokens: 400, outputTokens: 100 } },
        { text: 'Done.', usage: { inputTokens: 600, outputTokens: 10 } },
      ],
    });
    const handle = await start('budget', {
      question: 'What is 6 * 7?',
      model: 'openai:gpt-4o-mini',
      caps: { maxTotalTokens: 500 },
      holdOnCapMs: 60_000,
    });
    const waiting = await waitingForCaps(handle);
    assert.equal(waiting.stopReason, 'budget_exhausted');
    assert.equal(waiting.totals.totalTokens, 500);

    await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxTotalTokens: 2_000 }] });
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer');
    assert.equal(result.totals.totalTokens, 1_110);
    assert.equal(testbed.fake.requests.length, 2);
    // The continued call may use only what the raised budget has left.
    assert.equal(
      (testbed.fake.requests[1]?.body as { max_completion_tokens?: number }).max_completion_tokens,
      1_500,
    );
  });

  void it('reports the cap that still blocks the run when a raise frees another one but the hold runs out', async () => {
    // After one call both the iteration cap and the token budget are used up; iterations are reported first.
    testbed.fake.setScript({
      turns: [{ ...calculate, usage: { inputTokens: 400, outputTokens: 100 } }, { text: 'never asked for' }],
    });
    const handle = await start('still-blocked', {
      question: 'What is 6 * 7?',
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: 1, maxTotalTokens: 500 },
      holdOnCapMs: 3_000,
    });
    const waiting = await waitingForCaps(handle);
    assert.equal(waiting.stopReason, 'iteration_limit');

    await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: 5 }] });
    const result = await handle.result();
    // The iteration cap is 5 now: the run ended on the token budget, and must say so.
    assert.equal(result.caps.maxIterations, 5);
    assert.equal(result.stopReason, 'budget_exhausted');
    assert.equal(result.stopDetail, '500 tokens reached the cap of 500');
    assert.equal(testbed.fake.requests.length, 1);
  });

  void it('goes on when the wall-time cap is raised while a model call is in flight', async () => {
    // The first call outlives the original deadline; the raise comes while it is still running.
    testbed.fake.setScript({ turns: [{ text: 'too slow', delayMs: 120_000 }, { text: 'Done.' }] });
    const handle = await start('raise-deadline-in-flight', {
      question: 'Take your time.',
      model: 'openai:gpt-4o-mini',
      caps: { maxWallTimeMs: 10_000 },
      retry: { ...quickRetry, attemptTimeoutMs: 300_000 },
    });
    await eventually('the first model request', () =>
      testbed.fake.requests.length === 1 ? true : undefined,
    );
    await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxWallTimeMs: 300_000 }] });

    const result = await handle.result();
    assert.equal(result.stopReason, 'answer', `${result.stopReason}: ${result.stopDetail}`);
    assert.equal(result.answer, 'Done.');
    assert.equal(result.caps.maxWallTimeMs, 300_000);
    // The call cut off at the old deadline is made again: it did no work and is not counted twice.
    assert.equal(result.iterations, 1);
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['caps_raised', 'model'],
    );
    assert.equal(testbed.fake.requests.length, 2);
    assert.deepEqual(
      testbed.fake.requests.map((request) => [request.step, request.status]),
      [
        [0, null],
        [0, 200],
      ],
    );
  });

  void it('ends at once with the cap stop reason when holdOnCapMs is 0', async () => {
    testbed.fake.setScript({ turns: [calculate, { text: 'never asked for' }] });
    const handle = await start('no-hold', {
      question: 'What is 6 * 7?',
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: 1 },
      holdOnCapMs: 0,
    });
    const result = await handle.result();
    assert.equal(result.stopReason, 'iteration_limit');
    assert.equal(result.answer, null);
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['model', 'tool'],
    );
    assert.equal(testbed.fake.requests.length, 1);
    // It never waited: no timer at all (a model call's deadline is its schedule-to-close timeout).
    const { timerDurationsMs } = await historyCounts(handle);
    assert.deepEqual(timerDurationsMs, []);
  });

  void it('ends with the cap stop reason when no raise comes within holdOnCapMs', async () => {
    testbed.fake.setScript({ turns: [calculate, { text: 'never asked for' }] });
    const started = Date.now();
    const handle = await start('hold-expires', {
      question: 'What is 6 * 7?',
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: 1 },
      holdOnCapMs: 1_500,
    });
    const result = await handle.result();
    assert.equal(result.stopReason, 'iteration_limit');
    assert.equal(result.stopDetail, '1 model calls reached the cap of 1');
    assert.equal(result.caps.maxIterations, 1);
    assert.ok(result.trace.every((step) => step.kind !== 'caps_raised'));
    assert.equal(testbed.fake.requests.length, 1);
    // It waited the hold out: the hold's timer fired, and no less than the hold went by.
    const counts = await historyCounts(handle);
    assert.ok(counts.timerDurationsMs.includes(1_500), String(counts.timerDurationsMs));
    assert.equal(counts.timersFired, 1);
    assert.ok(Date.now() - started >= 1_400);
    const final = await progress(handle);
    assert.equal(final.status, 'finished');
  });
});
