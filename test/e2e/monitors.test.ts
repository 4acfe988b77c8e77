/**
 * Monitors that act, as an operator runs them: `llmos monitors install` puts config/monitors.yaml
 * (here a test file) on a Temporal Schedule, `llmos monitors run` evaluates it now, and the
 * monitors read the runs of one task queue from visibility: a run that failed makes the error
 * rate fire (an alert to a real HTTP receiver, the scale-up flag), a bad feedback score the
 * quality monitor, and spend the switch of an alias to another model, which the next run of that
 * alias takes, `llmos stats` shows and `llmos monitors revert` ends.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot } from '../../client/project-paths.js';
import type { MonitorAlert } from '../../activities/monitors/monitor-actions.js';
import { monitorStateWorkflowId, type MonitorState } from '../../common/monitors.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import { eventually } from '../helpers/eventually.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv } from '../helpers/test-worker.js';
import { describeRun, runLlmos, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

void describe('llmos monitors', { timeout: 300_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  let worker: WorkerProcess;
  let receiver: Server;
  const alerts: { body: MonitorAlert; headers: IncomingHttpHeaders }[] = [];
  let cliEnv: Record<string, string>;
  const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-monitors-'));
  // An alias only this test uses: the monitors' state is the namespace's, shared with other tests.
  const catalog = path.join(scratch, 'models.yaml');
  writeFileSync(
    catalog,
    `${readFileSync(path.join(projectRoot, 'test', 'fixtures', 'models', 'test-catalog.yaml'), 'utf8')}`.replace(
      'aliases:\n',
      'aliases:\n  monitored: [openai:gpt-4o-mini]\n',
    ),
  );
  const taskQueue = `monitors-${randomUUID()}`;

  before(async () => {
    temporal = await connectTemporal();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        alerts.push({ body: JSON.parse(body) as MonitorAlert, headers: request.headers });
        response.end('ok');
      });
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => receiver.once('listening', resolve));
    fake = await startFakeLlmServer({
      script: {
        rules: [
          { match: { lastUserMessage: 'slowly' }, reply: { text: 'Late.', delayMs: 120_000 } },
          { match: { protocol: 'anthropic' }, reply: { text: 'From the smaller model.' } },
          { reply: { text: 'Forty-two.', usage: { inputTokens: 1000, outputTokens: 100 } } },
        ],
      },
    });
    worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue,
      env: { ...fakeProviderEnv(fake.url), LLMOS_MODELS_FILE: catalog },
    });
    cliEnv = { TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue, LLMOS_MODELS_FILE: catalog };
  });
  after(async () => {
    await runLlmos(['monitors', 'remove'], cliEnv).catch(() => undefined);
    // The state lives on this test's queue: gone with its worker, it must not keep other runs waiting.
    const { workflowService } = temporal.env.client;
    await temporal.env.client.workflow
      .getHandle(monitorStateWorkflowId)
      .terminate('the monitors test is over')
      .catch(() => undefined);
    await workflowService
      .deleteWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId: monitorStateWorkflowId },
      })
      .catch(() => undefined);
    await worker?.stop();
    await fake?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    await temporal?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const llmos = (...args: string[]) => runLlmos(args, cliEnv);

  void it('alerts, switches a model and raises the scale-up flag while monitors fire, on a Schedule', async () => {
    const answered = await llmos('agent', 'What is six times seven?', '--model', 'openai:gpt-4o-mini');
    assert.equal(answered.code, 0, describeRun(answered));
    const workflowId = /^Run (agent-\S+) on /m.exec(answered.stdout)![1]!;
    assert.equal((await llmos('feedback', workflowId, '--score', '1')).code, 0);
    const slow = await llmos('agent', 'Answer slowly.', '--model', 'openai:gpt-4o-mini', '--detach');
    await eventually(
      'the slow run to ask its model',
      () => fake.requests.some((request) => JSON.stringify(request.body).includes('slowly')) || undefined,
    );
    await temporal.env.client.workflow
      .getHandle(slow.stdout.trim())
      .terminate('a failed run, for the monitors');

    const { port } = receiver.address() as { port: number };
    const file = path.join(scratch, 'monitors.yaml');
    const monitors = (alias: string) =>
      [
        'interval: 1h',
        `webhook: http://127.0.0.1:${port}/alerts`,
        `task_queue: ${taskQueue}`,
        'monitors:',
        '  - name: errors',
        '    metric: error_rate',
        '    above: 0.2',
        '    actions: [alert, scale_up]',
        '  - name: quality',
        '    metric: response_quality',
        '    below: 3',
        '    actions: [alert]',
        '  - name: spend',
        '    metric: token_cost_per_hour',
        '    above: 0.0000001',
        '    actions:',
        `      - switch_model: { alias: ${alias}, to: 'anthropic:claude-haiku-4-5', for: 1h }`,
        '  - name: latency',
        '    metric: p95_latency_ms',
        '    above: 3600000',
        '    actions: [alert]',
        '',
      ].join('\n');

    // A switch of an alias the catalog lacks is refused before anything is installed.
    writeFileSync(file, monitors('nonexistent'));
    const refused = await llmos('monitors', 'install', '--file', file);
    assert.equal(refused.code, 1, describeRun(refused));
    assert.match(
      refused.stderr,
      /monitor spend switches "nonexistent", which is no alias of the model catalog/,
    );

    writeFileSync(file, monitors('monitored'));
    const installed = await llmos('monitors', 'install', '--file', file);
    assert.equal(installed.code, 0, describeRun(installed));
    assert.match(installed.stdout, /^(Installed|Updated) the monitors: evaluated every 3600 s$/m);
    assert.equal((await llmos('monitors', 'run')).code, 0);

    const fired = await eventually('the alerts of the two monitors that started firing', () =>
      alerts.length >= 2 ? alerts : undefined,
    );
    assert.deepEqual(fired.map(({ body }) => [body.monitor, body.status, body.metric, body.value]).sort(), [
      ['errors', 'firing', 'error_rate', 0.5],
      ['quality', 'firing', 'response_quality', 1],
    ]);
    assert.match(
      String(fired[0]!.headers['idempotency-key']),
      /^llmos-monitors-evaluation.*\/(errors|quality)\/firing$/,
    );

    const status = await llmos('monitors', 'status', '--json');
    assert.equal(status.code, 0, describeRun(status));
    const state = JSON.parse(status.stdout) as MonitorState & { schedule: { recentActions: unknown[] } };
    assert.deepEqual(Object.keys(state.firing).sort(), ['errors', 'quality', 'spend']);
    assert.deepEqual(state.scaleUp?.monitors, ['errors']);
    assert.equal(state.overrides.monitored?.to, 'anthropic:claude-haiku-4-5');
    assert.ok(state.schedule.recentActions.length >= 1);

    // The next run of the switched alias goes to the smaller model.
    const switched = await llmos('agent', 'Say hello.', '--model', 'monitored');
    assert.equal(switched.code, 0, describeRun(switched));
    assert.match(switched.stdout, /Answer: From the smaller model\./);

    const stats = await llmos('stats', '--since', '1h', '--task-queue', taskQueue);
    assert.match(
      stats.stdout,
      /^ {2}Switched: monitored -> anthropic:claude-haiku-4-5 until .* \(monitor spend: /m,
    );
    assert.match(stats.stdout, /^ {2}Scale up: requested since .* by errors$/m);

    assert.equal((await llmos('monitors', 'revert', 'monitored')).code, 0);
    const again = await llmos('monitors', 'revert', 'monitored');
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no monitor has switched monitored to another model/);
    const reverted = JSON.parse((await llmos('monitors', 'status', '--json')).stdout) as MonitorState;
    assert.deepEqual(reverted.overrides, {});
  });
});
