/**
 * Worker Versioning: two builds of the worker in one Worker Deployment on one task queue. A run
 * started on version 1 stays there when version 2 becomes current (agent runs are pinned), new
 * runs go to version 2, and the budget ledger the two runs share moves to version 2 at its next
 * workflow task (it never ends, so it follows the current version).
 */
import type { History } from '@temporalio/common/lib/proto-utils.js';
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import type { AgentRequest } from '../../common/agent.js';
import { ledgerWorkflowId } from '../../common/shared-budget.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { eventually } from '../helpers/eventually.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv, startTestWorker, type TestWorker } from '../helpers/test-worker.js';

const { VersioningBehavior } = proto.temporal.api.enums.v1;

/** A calculator call, then the answer; the first call of all is held for `delayMs`. */
function script(delayMs: number): FakeLlmScript {
  const usage = { inputTokens: 50, outputTokens: 10 };
  const toolCall = { toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }], usage };
  return {
    rules: [
      { match: { step: 0 }, times: 1, reply: { ...toolCall, delayMs } },
      { match: { step: 0 }, reply: toolCall },
      { reply: { text: 'It is {{lastToolResult}}.', usage } },
    ],
  };
}

/** The version and behaviour each workflow task of a history was completed with, in order. */
function completedTasks(history: History): { buildId: string; behavior: string }[] {
  return (history.events ?? []).flatMap((event) => {
    const completed = event.workflowTaskCompletedEventAttributes;
    if (!completed) return [];
    return [
      {
        buildId: completed.deploymentVersion?.buildId ?? '',
        behavior: (VersioningBehavior[completed.versioningBehavior ?? 0] ?? 'unknown').replace(
          'VERSIONING_BEHAVIOR_',
          '',
        ),
      },
    ];
  });
}

/** Makes `buildId` the deployment's current version, once the server has seen its pollers. */
async function makeCurrent(client: Client, deploymentName: string, buildId: string): Promise<void> {
  await eventually(
    `version ${buildId} to become current`,
    async () => {
      await client.workflowService.setWorkerDeploymentCurrentVersion({
        namespace: client.options.namespace,
        deploymentName,
        buildId,
        identity: 'worker-versioning.test',
      });
      return true;
    },
    30_000,
  );
}

void describe('Worker Versioning', { timeout: 180_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  const workers: TestWorker[] = [];

  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({ script: {} });
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await fake?.close();
    await temporal?.close();
  });

  void it('keeps a pinned run on its version, sends new runs to the current one, moves the ledger', async () => {
    const deploymentName = `llmos-test-${randomUUID().slice(0, 8)}`;
    const taskQueue = `versioning-${randomUUID()}`;
    const startVersion = async (buildId: string) => {
      const worker = await startTestWorker(temporal.address, {
        ...fakeProviderEnv(fake.url),
        LLMOS_TASK_QUEUE: taskQueue,
        LLMOS_DEPLOYMENT_NAME: deploymentName,
        LLMOS_BUILD_ID: buildId,
      });
      workers.push(worker);
      await makeCurrent(temporal.env.client, deploymentName, buildId);
    };
    const budget = { scope: `tenant:versioning-${randomUUID()}`, limitUsd: 1 };
    const start = (request: Partial<AgentRequest> = {}) =>
      temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
        args: [{ question: 'What is 6 * 7?', model: 'openai:gpt-4o-mini', budget, ...request }],
        taskQueue,
        workflowId: `versioning-${randomUUID()}`,
      });

    fake.setScript(script(3_000));
    await startVersion('v1');
    const first = await start();
    await eventually('the first run reaching the model', () => fake.requests.length > 0 || undefined, 30_000);

    // Version 2 becomes current while the first run's model call is in flight.
    await startVersion('v2');
    const second = await start();
    const [firstResult, secondResult] = await Promise.all([first.result(), second.result()]);
    for (const result of [firstResult, secondResult]) {
      assert.equal(result.stopReason, 'answer', result.stopDetail);
      assert.equal(result.answer, 'It is 42.');
    }

    const firstTasks = completedTasks(await first.fetchHistory());
    const secondTasks = completedTasks(await second.fetchHistory());
    assert.deepEqual(
      new Set(firstTasks.map((task) => `${task.buildId} ${task.behavior}`)),
      new Set(['v1 PINNED']),
    );
    assert.deepEqual(
      new Set(secondTasks.map((task) => `${task.buildId} ${task.behavior}`)),
      new Set(['v2 PINNED']),
    );

    const ledgerTasks = completedTasks(
      await temporal.env.client.workflow.getHandle(ledgerWorkflowId(budget.scope)).fetchHistory(),
    );
    assert.deepEqual(ledgerTasks[0], { buildId: 'v1', behavior: 'AUTO_UPGRADE' }, 'the ledger started on v1');
    assert.deepEqual(
      ledgerTasks.at(-1),
      { buildId: 'v2', behavior: 'AUTO_UPGRADE' },
      `the ledger moved to v2: ${JSON.stringify(ledgerTasks)}`,
    );
  });
});
