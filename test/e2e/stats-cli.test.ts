/**
 * `llmos stats` as a user types it, over the runs of one task queue: two agent runs that answer
 * and one terminated half-way, two of them rated with `llmos feedback`, read back from Temporal's
 * visibility and the runs' results.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { RunStats } from '../../client/run-stats.js';
import { eventually } from '../helpers/eventually.js';
import { connectTemporal } from '../helpers/temporal.js';
import { calculatorThenAnswer, fakeProviderEnv } from '../helpers/test-worker.js';
import { describeRun, runLlmos, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

void describe('llmos stats', { timeout: 240_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  let worker: WorkerProcess;
  let cliEnv: Record<string, string>;
  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({
      script: {
        rules: [
          { match: { lastUserMessage: 'slowly' }, reply: { text: 'Late.', delayMs: 120_000 } },
          ...calculatorThenAnswer('6 * 7', 'Forty-two.'),
        ],
      },
    });
    const taskQueue = `stats-${randomUUID()}`;
    worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue,
      env: fakeProviderEnv(fake.url),
    });
    cliEnv = { TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue };
  });
  after(async () => {
    await worker?.stop();
    await fake?.close();
    await temporal?.close();
  });

  const llmos = (...args: string[]) => runLlmos(args, cliEnv);

  void it('sums runs by kind, model and prompt version, with failures, latencies, tokens and cost', async () => {
    const answered: string[] = [];
    for (const n of [1, 2]) {
      const run = await llmos('agent', `What is six times seven? (${n})`, '--model', 'openai:gpt-4o-mini');
      assert.equal(run.code, 0, describeRun(run));
      answered.push(/^Run (agent-\S+) on /m.exec(run.stdout)![1]!);
    }
    // People rate the closed runs.
    for (const [workflowId, score] of [
      [answered[0]!, '5'],
      [answered[1]!, '2'],
    ] as const) {
      const given = await llmos('feedback', workflowId, '--score', score, '--comment', 'test rating');
      assert.equal(given.code, 0, describeRun(given));
      assert.match(
        given.stdout,
        new RegExp(`^Feedback ${score} on ${workflowId} recorded as feedback-${workflowId}-`, 'm'),
      );
    }
    const detached = await llmos(
      'agent',
      'Answer slowly, please.',
      '--model',
      'openai:gpt-4o-mini',
      '--detach',
    );
    assert.equal(detached.code, 0, describeRun(detached));
    const handle = temporal.env.client.workflow.getHandle(detached.stdout.trim());
    await eventually(
      'the slow run to ask its model',
      () => fake.requests.some((request) => JSON.stringify(request.body).includes('slowly')) || undefined,
    );
    await handle.terminate('stopped by the stats test');

    const stats = await eventually('visibility to list the three runs', async () => {
      const run = await llmos('stats', '--since', '1h', '--task-queue', cliEnv.LLMOS_TASK_QUEUE!, '--json');
      assert.equal(run.code, 0, describeRun(run));
      const parsed = JSON.parse(run.stdout) as RunStats & { runs: number };
      return parsed.runs === 3 && parsed.statuses.TERMINATED === 1 ? parsed : undefined;
    });
    assert.deepEqual(stats.statuses, { COMPLETED: 2, TERMINATED: 1 });
    const { total } = stats;
    assert.equal(total.runs, 3);
    assert.equal(total.failed, 1);
    assert.equal(total.errorRate, 1 / 3);
    assert.equal(total.runLatency.count, 3);
    // Two runs of two calls: 200 tokens in and 20 out each, at gpt-4o-mini's price.
    assert.equal(total.modelCalls, 4);
    assert.equal(total.tokens, 440);
    assert.ok(Math.abs(total.costUsd - 0.000084) < 1e-9, String(total.costUsd));
    assert.ok(Math.abs(total.costPerRunUsd! - 0.000028) < 1e-9);
    assert.equal(total.cacheHitRate, 0);
    assert.equal(total.callLatency.count, 4);
    assert.deepEqual(total.feedback, { count: 2, meanScore: 3.5 });
    assert.deepEqual(
      stats.byKind.map((row) => [row.key, row.runs, row.failed]),
      [['agent', 3, 1]],
    );
    // The terminated run made no call that answered: it counts under the model it started with.
    assert.deepEqual(
      stats.byModel.map((row) => [row.key, row.runs, row.modelCalls]),
      [
        ['gpt-4o-mini', 2, 4],
        ['openai:gpt-4o-mini', 1, 0],
      ],
    );
    assert.equal(stats.byPrompt.length, 1);
    assert.match(stats.byPrompt[0]!.key, /^agent[\w.-]*@[\w.-]+$/);
    assert.equal(stats.byPrompt[0]!.modelCalls, 4);

    const table = await llmos('stats', '--since', '1h', '--task-queue', cliEnv.LLMOS_TASK_QUEUE!);
    assert.equal(table.code, 0, describeRun(table));
    assert.match(table.stdout, /^Outcomes: completed 2, terminated 1$/m);
    assert.match(table.stdout, /^ {2}agent +3 +33\.3%.* 3\.50 \(2\)$/m);
    assert.match(table.stdout, /^By prompt version$/m);

    const unknownRun = await llmos('feedback', 'agent-nobody', '--score', '4');
    assert.equal(unknownRun.code, 1);
    assert.match(unknownRun.stderr, /no run has the workflow id agent-nobody/);
    const outOfRange = await llmos('feedback', answered[0]!, '--score', '9');
    assert.equal(outOfRange.code, 1);
    assert.match(outOfRange.stderr, /invalid feedback: score: a score is at most 5/);

    const bad = await llmos('stats', '--task-queue', "x' OR 1=1");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--task-queue: "x' OR 1=1" is not a task queue name/);
  });
});
