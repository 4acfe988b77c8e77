import type { WorkflowHandle } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AgentProgress, AgentRequest, AgentStep } from '../../common/agent.js';
import { agentProgressQuery, raiseCapsUpdate } from '../../common/messages.js';
import { followAgentRun, withWholeTrace } from '../../client/llmos-client.js';
import { traceSegmentReader } from '../../workers/local-tools/trace-segments.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { eventually } from '../helpers/eventually.js';

/** A script of exactly `steps` model calls, each but the last asking for one calculation. */
function countingScript(steps: number) {
  return {
    rules: [
      ...Array.from({ length: steps - 1 }, (_, step) => ({
        match: { step },
        reply: { toolCalls: [{ name: 'calculator', arguments: { expression: `${step} + 1` } }] },
      })),
      { match: { step: steps - 1 }, reply: { text: 'Counted to {{lastToolResult}}.' } },
    ],
  };
}

const roomyCaps = { maxTotalTokens: 1_000_000_000, maxCostUsd: 1_000, maxWallTimeMs: 15 * 60_000 };

/**
 * Runs of any length: an agent run continues as new between steps, carrying its caps, totals,
 * models, stored conversation and trace by reference, so its history stays short however many
 * steps it takes, and queries, raises and the result follow it from one execution to the next.
 */
void describe('reactAgentWorkflow: runs of any length', () => {
  const testbed = useAgentTestbed();
  // The test worker keeps its blobs where a worker with no blob settings does.
  const reader = traceSegmentReader({});
  after(() => reader.close());

  const start = (name: string, request: AgentRequest) =>
    testbed.temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
      args: [request],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `long-${name}-${crypto.randomUUID()}`,
    });

  /** Each execution of a run, in order: its run id and history size. */
  async function executionsOf(workflowId: string, firstRunId: string) {
    const executions: { runId: string; historySize: number }[] = [];
    for (let runId: string | undefined = firstRunId; runId;) {
      const handle: WorkflowHandle = testbed.temporal.env.client.workflow.getHandle(workflowId, runId);
      const { historySize } = await handle.describe();
      executions.push({ runId, historySize: historySize ?? 0 });
      const { events } = (await handle.fetchHistory()) as {
        events?: temporal.api.history.v1.IHistoryEvent[];
      };
      runId = events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    return executions;
  }

  void it('completes a 1,000-step run in short executions, with its whole trace and totals', async (t) => {
    const steps = 1_000;
    testbed.fake.setScript(countingScript(steps));
    const started = Date.now();
    const handle = await start('thousand', {
      question: `Count to ${steps - 1}, one step at a time.`,
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: steps, ...roomyCaps },
      continueAsNewAfter: 100,
    });
    // Followed the way `llmos agent` follows a run: by query, across every execution.
    const followed: AgentStep[] = [];
    const outcome = await followAgentRun(handle, (batch) => followed.push(...batch), {
      pollMs: 50,
      readSegment: reader.read,
    });
    const seconds = (Date.now() - started) / 1000;
    assert.equal(outcome.kind, 'finished');
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.equal(result.answer, `Counted to ${steps - 1}.`);
    assert.equal(result.iterations, steps);
    assert.equal(result.totals.modelCalls, steps);
    assert.equal(result.totals.toolCalls, steps - 1);
    assert.equal(result.executions, 10);
    // No call was made twice: one request a step, across every continuation.
    assert.equal(testbed.fake.requests.length, steps);

    const whole = await withWholeTrace(result, reader.read);
    assert.equal(whole.trace.length, 2 * steps - 1);
    assert.deepEqual(
      whole.trace.filter((step) => step.kind === 'model').map((step) => step.iteration),
      Array.from({ length: steps }, (_, index) => index + 1),
    );
    assert.deepEqual(followed, whole.trace, 'following the run saw every step once, in order');
    assert.ok(result.trace.length <= 60, `the result carries ${result.trace.length} steps itself`);

    const executions = await executionsOf(handle.workflowId, handle.firstExecutionRunId);
    assert.equal(executions.length, 10);
    const sizes = executions.map((execution) => execution.historySize);
    const [first, last] = [sizes[0]!, sizes.at(-1)!];
    // Every execution makes 100 model calls: the tenth's history is the first's, give or take
    // the trace segments it carries by reference.
    assert.ok(last <= first * 1.05, `history of the first execution ${first} bytes, of the last ${last}`);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    t.diagnostic(
      `${steps} steps in ${seconds.toFixed(1)} s over ${executions.length} executions; history ${total} bytes in all (${(total / steps).toFixed(0)} a step), ${Math.min(...sizes)}-${Math.max(...sizes)} an execution`,
    );
  });

  void it('takes a caps raise in a later execution and keeps it', async () => {
    testbed.fake.setScript(countingScript(200));
    const handle = await start('raise', {
      question: 'Count to 199, one step at a time.',
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: 150, ...roomyCaps },
      continueAsNewAfter: 100,
      holdOnCapMs: 120_000,
    });
    // Queries go to the run's current execution.
    const waiting = await eventually('the run to wait for raised caps', async () => {
      const progress: AgentProgress = await handle.query(agentProgressQuery, 0);
      return progress.status === 'waiting_for_caps' ? progress : undefined;
    });
    assert.equal(waiting.iteration, 150);
    assert.equal(waiting.stepCount, 300);
    assert.ok(waiting.storedSteps && waiting.storedSteps.length > 0, 'the earlier steps are stored');
    assert.equal(waiting.totals.modelCalls, 150);

    const raised = await handle.executeUpdate(raiseCapsUpdate, { args: [{ maxIterations: 200 }] });
    assert.equal(raised.maxIterations, 200);
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.equal(result.iterations, 200);
    assert.equal(result.caps.maxIterations, 200);
    assert.equal(result.executions, 2);
    const whole = await withWholeTrace(result, reader.read);
    assert.equal(whole.trace.length, 2 * 200 - 1 + 1);
    assert.deepEqual(whole.trace[300], { kind: 'caps_raised', iteration: 150, caps: raised });
  });

  void it('keeps routing `auto` call by call in the executions it continues into', async () => {
    testbed.fake.setScript(countingScript(3));
    const handle = await start('routed', {
      question: 'Count to 2, one step at a time.',
      model: 'auto',
      caps: { maxIterations: 3, ...roomyCaps },
      continueAsNewAfter: 1,
    });
    const result = await withWholeTrace(await handle.result(), reader.read);
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.equal(result.executions, 3);
    // The first call chooses a tool (the complex route); the later ones read a short result.
    assert.deepEqual(
      result.trace.flatMap((step) => (step.kind === 'model' ? [step.route?.complexity] : [])),
      ['complex', 'simple', 'simple'],
    );
    assert.deepEqual(result.route?.reasons, ['needs tools']);
    assert.deepEqual([...new Set(testbed.fake.requests.map((request) => request.protocol))].sort(), [
      'anthropic',
      'openai',
    ]);
  });

  void it('stops on a cap in the execution that reached it, not in a new one', async () => {
    testbed.fake.setScript(countingScript(20));
    const handle = await start('capped', {
      question: 'Count to 19, one step at a time.',
      model: 'openai:gpt-4o-mini',
      caps: { maxIterations: 10, ...roomyCaps },
      continueAsNewAfter: 5,
    });
    const result = await handle.result();
    assert.equal(result.stopReason, 'iteration_limit', result.stopDetail);
    assert.equal(result.iterations, 10);
    // Continued once, after 5 calls; the cap at 10 stopped the second execution.
    assert.equal(result.executions, 2);
  });
});
