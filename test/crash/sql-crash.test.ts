/**
 * SIGKILL a worker process in the middle of an NL2SQL run: after the first statement failed and
 * while the model writes the correction. A new worker finishes the run; the completed model call
 * and the completed execution are not repeated, only the call that was in flight.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot } from '../../client/project-paths.js';
import type { nl2sqlWorkflow } from '../../workflows/sql.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv } from '../helpers/test-worker.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const goodSql = 'SELECT COUNT(*) AS "Tracks" FROM "Track"';
const badSql = 'SELECT COUNT(*) FROM "Tracks"';

void describe('an NL2SQL run whose worker is killed mid-correction', { timeout: 300_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  const workers: WorkerProcess[] = [];

  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({
      script: {
        rules: [
          {
            match: { responseFormat: '^sql_query$', step: 0 },
            reply: { json: { sql: badSql, rationale: 'first try' } },
          },
          {
            match: { responseFormat: '^sql_query$', step: 1 },
            times: 1,
            reply: { json: { sql: goodSql, rationale: 'corrected' }, delayMs: 20_000 },
          },
          {
            match: { responseFormat: '^sql_query$', step: 1 },
            reply: { json: { sql: goodSql, rationale: 'corrected' } },
          },
        ],
      },
    });
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await fake?.close();
    await temporal?.close();
  });

  const startWorker = async (taskQueue: string) => {
    const worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue,
      env: fakeProviderEnv(fake.url),
    });
    workers.push(worker);
    return worker;
  };

  void it('resumes on a new worker without repeating completed model calls or executions', async () => {
    const taskQueue = `sql-crash-${randomUUID()}`;
    const first = await startWorker(taskQueue);
    const handle = await temporal.env.client.workflow.start<typeof nl2sqlWorkflow>('nl2sqlWorkflow', {
      args: [
        {
          question: 'How many tracks are there?',
          database: path.join(projectRoot, 'examples', 'databases', 'chinook.sqlite'),
          model: 'openai:gpt-4o-mini',
          retry: { heartbeatTimeoutMs: 5_000, initialIntervalMs: 200, maximumAttempts: 5 },
        },
      ],
      taskQueue,
      workflowId: `sql-crash-${randomUUID()}`,
    });

    const deadline = Date.now() + 60_000;
    while (!fake.requests.some((request) => request.step === 1)) {
      assert.ok(Date.now() < deadline, 'the correction request never arrived');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    first.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    await startWorker(taskQueue);
    const result = await handle.result();

    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.deepEqual(result.rows?.rows, [[3503]]);
    assert.deepEqual(
      result.statements.map((statement) => [statement.sql, statement.execution?.ok]),
      [
        [badSql, false],
        [goodSql, true],
      ],
    );
    // The first call completed before the kill: sent once. The correction was in flight: twice.
    assert.deepEqual(
      fake.requests.map((request) => request.step),
      [0, 1, 1],
    );
    const scheduled = ((await handle.fetchHistory()).events ?? []).flatMap(
      (event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
    );
    assert.equal(scheduled.filter((name) => name === 'executeSql').length, 2, 'each statement ran once');
    assert.equal(scheduled.filter((name) => name === 'generateStructured').length, 2);
  });
});
