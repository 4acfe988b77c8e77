import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';

/**
 * History per agent step stays flat however long the run: each step adds its own events (a model
 * call with a reference to the stored conversation and the messages added since, a tool call),
 * never the conversation again, and the trace goes to the blob store a segment at a time.
 */
void describe('reactAgentWorkflow: history per step', () => {
  const testbed = useAgentTestbed();

  /** A run of exactly `steps` model calls, each but the last asking for one calculation. */
  async function historyBytes(steps: number): Promise<number> {
    testbed.fake.setScript({
      rules: [
        ...Array.from({ length: steps - 1 }, (_, step) => ({
          match: { step },
          reply: { toolCalls: [{ name: 'calculator', arguments: { expression: `${step} + 1` } }] },
        })),
        { match: { step: steps - 1 }, reply: { text: 'Counted to {{lastToolResult}}.' } },
      ],
    });
    const handle = await testbed.temporal.env.client.workflow.start<typeof reactAgentWorkflow>(
      'reactAgentWorkflow',
      {
        args: [
          {
            question: `Count to ${steps - 1}, one step at a time.`,
            model: 'openai:gpt-4o-mini',
            caps: { maxIterations: steps, maxTotalTokens: 100_000_000 },
          },
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `history-${steps}-${crypto.randomUUID()}`,
      },
    );
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.equal(result.iterations, steps);
    const { historySize } = await handle.describe();
    assert.ok(historySize !== undefined && historySize > 0, 'the server reports a history size');
    return historySize;
  }

  void it('adds at most 2 KB a step, at step 10 as at step 200', async (t) => {
    const [at10, at50, at200] = [await historyBytes(10), await historyBytes(50), await historyBytes(200)];
    const early = (at50 - at10) / 40;
    const late = (at200 - at50) / 150;
    // Four events of a step name the worker (`pid@host`): a long host name costs bytes the run
    // does not control.
    const identityAllowance = 4 * Math.max(0, `${process.pid}@${os.hostname()}`.length - 12);
    const bound = 2_048 + identityAllowance;
    assert.ok(early <= bound, `a step adds ${early.toFixed(0)} bytes of history at 10-50`);
    assert.ok(late <= bound, `a step adds ${late.toFixed(0)} bytes of history at 50-200`);
    assert.ok(
      late <= early * 1.1,
      `a step adds ${late.toFixed(0)} bytes at 50-200, ${early.toFixed(0)} at 10-50`,
    );
    t.diagnostic(
      `history: ${at10} bytes at 10 steps, ${at50} at 50, ${at200} at 200; ${early.toFixed(0)} bytes a step at 10-50, ${late.toFixed(0)} at 50-200`,
    );
  });
});
