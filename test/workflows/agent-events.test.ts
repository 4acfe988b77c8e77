import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { agentStepScript } from '../../scripts/bench/agent-fixture.js';

const { EventType } = proto.temporal.api.enums.v1;

/**
 * What the server persists for each agent step: every event is a write, so the fewer a step
 * needs, the more steps a server carries. A step with a pure tool is one model-call activity, the
 * workflow task its result wakes (which runs the tool as a local activity, a marker, and
 * schedules the next call), and now and then an upsert of the run's cost and tokens: no timer
 * around the model call, no upsert after every step.
 */
void describe('reactAgentWorkflow: events per step', () => {
  const testbed = useAgentTestbed();

  /** The history of a run of exactly `steps` model calls, each but the last asking for one calculation. */
  async function historyOf(steps: number) {
    testbed.fake.setScript(agentStepScript(steps));
    const handle = await testbed.temporal.env.client.workflow.start<typeof reactAgentWorkflow>(
      'reactAgentWorkflow',
      {
        args: [
          { question: `Count to ${steps - 1}.`, model: 'openai:gpt-4o-mini', caps: { maxIterations: steps } },
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `events-${steps}-${crypto.randomUUID()}`,
      },
    );
    const result = await handle.result();
    assert.equal(result.iterations, steps, result.stopDetail);
    return (await handle.fetchHistory()).events ?? [];
  }

  void it('takes at most 8 events a step, with no timer per model call', async (t) => {
    const [short, long] = [await historyOf(10), await historyOf(30)];
    const perStep = (long.length - short.length) / 20;
    const count = (events: typeof long, type: proto.temporal.api.enums.v1.EventType) =>
      events.filter((event) => event.eventType === type).length;
    const timers = count(long, EventType.EVENT_TYPE_TIMER_STARTED);
    const upserts = count(long, EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES);
    t.diagnostic(
      `${short.length} events at 10 steps, ${long.length} at 30: ${perStep.toFixed(2)} a step; ` +
        `${timers} timers, ${upserts} search-attribute upserts in the 30-step run`,
    );
    assert.ok(perStep <= 8, `a step takes ${perStep.toFixed(2)} events`);
    assert.equal(timers, 0, 'the deadline is the calls’ own timeout, not a timer per call');
    assert.ok(upserts <= 30 / 10 + 1, `${upserts} upserts in 30 steps`);
  });
});
