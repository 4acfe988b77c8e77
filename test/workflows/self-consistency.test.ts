import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import type { SelfConsistencyRequest, SelfConsistencyResult } from '../../common/self-consistency.js';
import type { selfConsistencyWorkflow } from '../../workflows/self-consistency.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { quickRetry } from './agent-harness.js';

const question = 'How many legs do 3 spiders and 2 ants have together?';

const { temporal } = proto;
const { EventType } = temporal.api.enums.v1;
const workflowTaskEvents = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
]);

void describe('selfConsistencyWorkflow', () => {
  const testbed = useAgentTestbed();

  const run = (request: Partial<SelfConsistencyRequest>): Promise<SelfConsistencyResult> =>
    testbed.temporal.env.client.workflow.execute('selfConsistencyWorkflow', {
      args: [
        {
          run: {
            workflow: 'react',
            request: { question, model: 'openai:gpt-4o-mini', tools: [], retry: quickRetry },
          },
          answerKind: 'number',
          ...request,
        },
      ],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `sc-${crypto.randomUUID()}`,
    });

  void it('samples in parallel at the temperature, votes by majority and reports the agreement', async () => {
    testbed.fake.setScript({
      rules: [
        {
          match: {},
          reply: {
            text: 'Spiders have 8 legs, ants 6.\nAnswer: 36',
            usage: { inputTokens: 50, outputTokens: 10 },
          },
          times: 3,
        },
        { match: {}, reply: { text: 'Answer: 30 legs', usage: { inputTokens: 50, outputTokens: 10 } } },
      ],
    });
    const result = await run({ samples: 5, temperature: 0.9 });

    assert.equal(result.stopReason, 'answer');
    assert.equal(result.normalized, '36');
    assert.equal(result.consistency, 0.6);
    assert.equal(result.weighted, false);
    assert.deepEqual(
      result.tally.map(({ normalized, count }) => ({ normalized, count })),
      [
        { normalized: '36', count: 3 },
        { normalized: '30', count: 2 },
      ],
    );
    assert.equal(result.samples.length, 5);
    assert.equal(new Set(result.samples.map((sample) => sample.workflowId)).size, 5);
    assert.equal(result.totals.modelCalls, 5);
    assert.equal(result.totals.usage.inputTokens, 250);
    // Each sample went out at the requested temperature.
    assert.equal(testbed.fake.requests.length, 5);
    for (const request of testbed.fake.requests) assert.equal(request.chatRequest?.temperature, 0.9);
  });

  void it('weights the vote by stated confidence', async () => {
    testbed.fake.setScript({
      rules: [
        { match: {}, reply: { text: 'Answer: 30\nConfidence: 0.9' }, times: 2 },
        { match: {}, reply: { text: 'Answer: 36\nConfidence: 0.2' } },
      ],
    });
    const result = await run({ samples: 5 });

    assert.equal(result.weighted, true);
    assert.equal(result.normalized, '30', 'two confident samples outweigh three unsure ones');
    assert.equal(result.consistency, 0.4);
  });

  void it('counts a sample whose run fails as one without an answer', async () => {
    testbed.fake.setScript({
      rules: [
        { match: {}, reply: { text: 'Answer: 36' }, times: 2 },
        { match: {}, reply: { status: 401, errorMessage: 'invalid api key' } },
      ],
    });
    const result = await run({ samples: 3 });

    assert.equal(result.normalized, '36');
    assert.equal(result.consistency, 2 / 3);
    assert.deepEqual(result.samples.map((sample) => sample.stopReason).sort(), ['answer', 'answer', 'error']);
  });

  /**
   * The parent's history bytes with `samples` samples of `steps` model calls each, without its
   * workflow-task events: how many tasks the server makes depends on when the samples end (ones
   * that end together share a task), which is timing, not what a sample adds.
   */
  async function parentHistoryBytes(samples: number, steps: number): Promise<number> {
    testbed.fake.setScript({
      rules: [
        ...Array.from({ length: steps - 1 }, (_, step) => ({
          match: { step },
          reply: { toolCalls: [{ name: 'calculator', arguments: { expression: `${step} + 1` } }] },
        })),
        { match: { step: steps - 1 }, reply: { text: 'Answer: 36' } },
      ],
    });
    const handle = await testbed.temporal.env.client.workflow.start<typeof selfConsistencyWorkflow>(
      'selfConsistencyWorkflow',
      {
        args: [
          {
            run: {
              workflow: 'react',
              request: {
                question,
                model: 'openai:gpt-4o-mini',
                tools: ['calculator'],
                retry: quickRetry,
                caps: { maxIterations: steps },
              },
            },
            samples,
            answerKind: 'number',
          },
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `sc-history-${crypto.randomUUID()}`,
      },
    );
    const result = await handle.result();
    assert.equal(result.normalized, '36', JSON.stringify(result.samples));
    assert.equal(result.totals.modelCalls, samples * steps);
    const { events } = await handle.fetchHistory();
    return (events ?? [])
      .filter((event) => !workflowTaskEvents.has(event.eventType ?? 0))
      .reduce(
        (bytes, event) => bytes + temporal.api.history.v1.HistoryEvent.encode(event).finish().length,
        0,
      );
  }

  void it("adds the same to the parent's history however long the sample", async (t) => {
    const short = ((await parentHistoryBytes(6, 1)) - (await parentHistoryBytes(2, 1))) / 4;
    const long = ((await parentHistoryBytes(6, 40)) - (await parentHistoryBytes(2, 40))) / 4;
    t.diagnostic(`a sample adds ${short.toFixed(0)} bytes of 1 step, ${long.toFixed(0)} of 40 steps`);
    // A sample's start carries its whole request (about 620 bytes here); the rest is 2 KB at most.
    assert.ok(short <= 2_048 + 620, `a 1-step sample adds ${short.toFixed(0)} bytes`);
    // The sample's trace stays in the blob store, one segment: its result does not grow with its steps.
    assert.ok(long <= short * 1.05, `${long.toFixed(0)} bytes at 40 steps, ${short.toFixed(0)} at 1`);
  });
});
