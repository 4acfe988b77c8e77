import { Client } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes.js';
import { msToTs } from '@temporalio/common/lib/time.js';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { recordFeedback } from '../../client/feedback.js';
import { hasLlmosSearchAttributes, startRun } from '../../client/llmos-client.js';
import {
  LlmosCostUsd,
  LlmosFeedbackScore,
  LlmosKind,
  LlmosModel,
  LlmosStopReason,
  LlmosTotalTokens,
  runSearchAttributeKeys,
} from '../../common/search-attributes.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv, startTestWorker, type TestWorker } from '../helpers/test-worker.js';

const script = {
  rules: [
    {
      match: { step: 0 },
      reply: {
        toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }],
        usage: { inputTokens: 1000, outputTokens: 100 },
      },
    },
    {
      match: { step: 1 },
      reply: { text: 'It is {{lastToolResult}}.', usage: { inputTokens: 1200, outputTokens: 50 } },
    },
  ],
};

void describe('llmos search attributes', () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  const workers: TestWorker[] = [];

  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({ script });
  });
  after(async () => {
    for (const worker of workers) await worker.stop();
    await fake?.close();
    await temporal?.close();
  });

  /** A namespace of its own, with no custom search attribute, once every service of the server knows it. */
  async function newNamespace(): Promise<string> {
    const namespace = `bare-${crypto.randomUUID()}`;
    await temporal.env.connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    for (let attempt = 0; ; attempt += 1) {
      try {
        await temporal.env.connection.workflowService.describeNamespace({ namespace });
        return namespace;
      } catch (error) {
        if (attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }

  void it('are set at the start and kept up to date where the namespace has them', async () => {
    const worker = await startTestWorker(temporal.address, fakeProviderEnv(fake.url));
    workers.push(worker);
    const client = temporal.env.client;
    assert.equal(await hasLlmosSearchAttributes(client), true);
    const handle = await startRun(
      client,
      'agent',
      { question: 'What is 6 * 7?', model: 'openai:gpt-4o-mini' },
      { taskQueue: worker.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.answer, 'It is 42.');

    const attributes = (await handle.describe()).typedSearchAttributes;
    assert.equal(attributes.get(LlmosKind), 'agent');
    assert.equal(attributes.get(LlmosModel), 'openai:gpt-4o-mini');
    assert.equal(attributes.get(LlmosStopReason), 'answer');
    assert.equal(attributes.get(LlmosTotalTokens), 2350);
    assert.ok(Math.abs((attributes.get(LlmosCostUsd) ?? 0) - result.totals.costUsd) < 1e-12);
  });

  void it('are left alone where the namespace lacks them, and the run still completes', async () => {
    const namespace = await newNamespace();
    const client = new Client({ connection: temporal.env.connection, namespace });
    const worker = await startTestWorker(temporal.address, {
      ...fakeProviderEnv(fake.url),
      TEMPORAL_NAMESPACE: namespace,
    });
    workers.push(worker);

    assert.equal(await hasLlmosSearchAttributes(client), false);
    const handle = await startRun(
      client,
      'agent',
      { question: 'What is 6 * 7?', model: 'openai:gpt-4o-mini' },
      { taskQueue: worker.taskQueue },
    );
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer');
    const history = await handle.fetchHistory();
    // The SDK records a patch (`patched()`) in the system attribute TemporalChangeVersion, which
    // every namespace has; no llmos attribute may be upserted.
    const upserted = (history.events ?? []).flatMap((event) =>
      Object.keys(event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {}),
    );
    assert.deepEqual(
      upserted.filter((name) => name !== 'TemporalChangeVersion'),
      [],
      'no llmos search attribute upserts',
    );
  });

  void it("are set in a namespace registered before feedback's own attribute, and feedback is kept there", async () => {
    const namespace = await newNamespace();
    // What a namespace set up before feedback came has: every run attribute, not LlmosFeedbackScore.
    await temporal.env.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(
        runSearchAttributeKeys.map(({ name, type }) => [name, encodeSearchAttributeIndexedValueType(type)!]),
      ),
    });
    const client = new Client({ connection: temporal.env.connection, namespace });
    assert.equal(await hasLlmosSearchAttributes(client), true);
    const worker = await startTestWorker(temporal.address, {
      ...fakeProviderEnv(fake.url),
      TEMPORAL_NAMESPACE: namespace,
    });
    workers.push(worker);
    const handle = await startRun(
      client,
      'agent',
      { question: 'What is 6 * 7?', model: 'openai:gpt-4o-mini' },
      { taskQueue: worker.taskQueue },
    );
    await handle.result();
    assert.equal((await handle.describe()).typedSearchAttributes.get(LlmosKind), 'agent');
    const feedbackId = await recordFeedback(
      client,
      { workflowId: handle.workflowId, score: 4 },
      { taskQueue: worker.taskQueue },
    );
    const feedback = await client.workflow.getHandle(feedbackId).describe();
    assert.deepEqual(feedback.memo?.feedback, { workflowId: handle.workflowId, score: 4, kind: 'agent' });
    assert.equal(feedback.typedSearchAttributes.get(LlmosFeedbackScore), undefined);
  });
});
