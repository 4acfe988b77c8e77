import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import type { planSolveVerifyWorkflow } from '../../workflows/psv.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { quickRetry } from './agent-harness.js';

/**
 * History per Plan -> Solve -> Verify step stays flat: a step is one tool call (a local activity:
 * the calculator is pure) and one judge call whose prompt the activity renders from the step's
 * variables; no step carries a template or the conversation, and the trace and the report of
 * each plan go to the blob store. What a step does carry besides an agent step's events is its
 * own text in the plan, once: in the planner's answer, which the workflow runs.
 */
void describe('planSolveVerifyWorkflow: history per step', () => {
  const testbed = useAgentTestbed();

  /** One plan of `steps` calculator steps, each judged by the model, all passing. */
  async function historyBytes(steps: number): Promise<{ bytes: number; planStepBytes: number }> {
    const planned = Array.from({ length: steps }, (_, index) => ({
      id: `s${index + 1}`,
      goal: `add one to the count (${index + 1} of ${steps})`,
      tool: {
        name: 'calculator',
        arguments: { expression: index === 0 ? '0 + 1' : `{{steps.s${index}}} + 1` },
      },
      successCriterion: 'the count, one higher than before',
    }));
    testbed.fake.setScript({
      rules: [
        {
          match: { responseFormat: '^plan$' },
          reply: {
            json: { steps: planned, answerStep: `s${steps}` },
            usage: { inputTokens: 400, outputTokens: 90 },
          },
        },
        {
          match: { responseFormat: '^verdict$' },
          reply: { json: { pass: true, reason: 'one higher' }, usage: { inputTokens: 90, outputTokens: 10 } },
        },
      ],
    });
    const handle = await testbed.temporal.env.client.workflow.start<typeof planSolveVerifyWorkflow>(
      'planSolveVerifyWorkflow',
      {
        args: [
          {
            task: `Count from zero to ${steps}, one step at a time.`,
            model: 'openai:gpt-4o-mini',
            retry: quickRetry,
          },
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `psv-history-${steps}-${crypto.randomUUID()}`,
      },
    );
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.equal(result.answer, String(steps));
    assert.equal(result.totals.modelCalls, steps + 1, 'one plan, one judge a step');
    assert.ok(result.attemptsStored && result.attempts.length === 0, 'the plans are reported by reference');
    const { historySize } = await handle.describe();
    assert.ok(historySize !== undefined && historySize > 0, 'the server reports a history size');
    return { bytes: historySize, planStepBytes: JSON.stringify(planned.at(-1)).length };
  }

  void it('adds at most 2 KB a step, its own text in the plan included', async (t) => {
    const [at2, at12] = [await historyBytes(2), await historyBytes(12)];
    const perStep = (at12.bytes - at2.bytes) / 10;
    // Four events of a step name the worker (`pid@host`), as in an agent step.
    const identityAllowance = 4 * Math.max(0, `${process.pid}@${os.hostname()}`.length - 12);
    const bound = 2_048 + identityAllowance;
    t.diagnostic(
      `history: ${at2.bytes} bytes at 2 steps, ${at12.bytes} at 12; ${perStep.toFixed(0)} bytes a step ` +
        `(bound ${bound}, a plan step's own text ${at12.planStepBytes} bytes of it)`,
    );
    assert.ok(perStep <= bound, `a step adds ${perStep.toFixed(0)} bytes of history`);
  });
});
