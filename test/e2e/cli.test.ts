/**
 * The `llmos` command as a user types it: every command runs as its own `node bin/llmos.js`
 * process, against the test's Temporal dev server, with a worker process whose OpenAI client
 * talks to the fake LLM server in this process.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { AgentResult } from '../../common/agent.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { connectTemporal } from '../helpers/temporal.js';
import { eventually } from '../helpers/eventually.js';
import { calculatorThenAnswer, fakeProviderEnv } from '../helpers/test-worker.js';
import {
  runLlmos,
  spawnLlmosCommand,
  startWorkerProcess,
  type LlmosRun,
  type WorkerProcess,
  describeRun,
} from '../helpers/worker-process.js';
import { freePort } from '../helpers/free-port.js';

const question = 'What is 3% of 18,250?';
const answer = 'The answer is 547.5.';
const model = 'openai:gpt-4o-mini';
/** Two model calls of 100 + 10 tokens at gpt-4o-mini's price ($0.15 in, $0.60 out per million). */
const usageLine = 'Usage: 220 tokens (200 in, 0 cached, 20 out), $0.000042; 2 model calls, 1 tool call';

async function waitFor(what: string, probe: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

void describe('the llmos CLI, end to end', { timeout: 600_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  let worker: WorkerProcess;
  let cliEnv: Record<string, string>;

  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({
      script: {
        rules: calculatorThenAnswer('0.03 * 18250', 'The answer is {{lastToolResult}}.'),
      },
    });
    const taskQueue = `e2e-${randomUUID()}`;
    worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue,
      env: fakeProviderEnv(fake.url),
    });
    // What a user's shell would hold: where Temporal is and which queue the worker polls.
    cliEnv = { TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue };
  });
  after(async () => {
    await worker?.stop();
    await fake?.close();
    await temporal?.close();
  });

  const llmos = (...args: string[]) => runLlmos(args, cliEnv);
  const assertAnswered = (run: LlmosRun): void => {
    assert.equal(run.code, 0, describeRun(run));
    assert.ok(run.stdout.includes(`Answer: ${answer}`), describeRun(run));
    assert.match(run.stdout, /^Stop reason: answer \(answered after 2 model calls\)$/m);
  };

  void it('agent: says when no worker polls its task queue, and keeps following', async () => {
    const workflowId = `e2e-unpolled-${randomUUID()}`;
    const taskQueue = `nobody-polls-${randomUUID()}`;
    const follower = spawnLlmosCommand(['agent', question, '--model', model, '--id', workflowId], {
      ...cliEnv,
      LLMOS_TASK_QUEUE: taskQueue,
    });
    try {
      await eventually(
        'the warning',
        () => (/No worker polls task queue/.test(follower.output()) ? true : undefined),
        30_000,
      );
      assert.ok(
        follower
          .output()
          .includes(
            `No worker polls task queue "${taskQueue}": the run waits until one does. Start one with \`LLMOS_TASK_QUEUE=${taskQueue} npx llmos worker\``,
          ),
        follower.output(),
      );
      // Still following: the command has not ended.
      assert.equal(follower.child.exitCode, null);
    } finally {
      follower.child.kill('SIGTERM');
      await follower.exited;
      await temporal.env.client.workflow.getHandle(workflowId).terminate('test over');
    }
  });

  void it('agent: follows a run to the answer and prints stop reason, tokens and cost', async () => {
    const requestsBefore = fake.requests.length;
    const run = await llmos('agent', question, '--model', model);

    assertAnswered(run);
    assert.match(run.stdout, /^Run agent-[0-9a-f-]{36} on openai:gpt-4o-mini$/m);
    assert.match(run.stdout, /model gpt-4o-mini calls calculator\(\{"expression":"0\.03 \* 18250"\}\)/);
    assert.match(run.stdout, /tool calculator -> 547\.5/);
    assert.ok(run.stdout.includes(usageLine), describeRun(run));
    assert.equal(fake.requests.length - requestsBefore, 2);
  });

  void it('agent --continue-as-new-after: prints every step of every execution, and the whole trace as JSON', async () => {
    const run = await llmos(
      'agent',
      question,
      '--model',
      model,
      '--continue-as-new-after',
      '1',
      '--id',
      `long-${randomUUID()}`,
    );
    assertAnswered(run);
    assert.match(run.stdout, /\[1\] model gpt-4o-mini calls calculator/);
    assert.match(run.stdout, /\[1\] tool calculator -> 547\.5/);
    assert.match(run.stdout, /\[2\] model gpt-4o-mini says: The answer is 547\.5\./);
    const workflowId = /^Run (\S+) on/m.exec(run.stdout)?.[1];
    assert.ok(workflowId, describeRun(run));

    // The first execution's steps are in the blob store: status reads them back.
    const status = await llmos('status', workflowId, '--json');
    assert.equal(status.code, 0, describeRun(status));
    const result = JSON.parse(status.stdout) as AgentResult;
    assert.equal(result.executions, 2);
    assert.equal(result.traceSegments, undefined);
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['model', 'tool', 'model'],
    );
  });

  void it('cost sums the spend of finished runs by day, workflow type and model', async () => {
    await llmos('agent', question, '--model', model);
    const run = await llmos('cost', '--since', '1d', '--json');
    assert.equal(run.code, 0, describeRun(run));
    const summary = JSON.parse(run.stdout) as {
      runs: number;
      total: { costUsd: number; modelCalls: number };
      byWorkflowType: Array<{ key: string; runs: number; costUsd: number }>;
      byModel: Array<{ key: string; runs: number; modelCalls: number }>;
    };
    // Other tests share this server: at least this file's agent runs are counted.
    const agents = summary.byWorkflowType.find((row) => row.key === 'reactAgentWorkflow');
    assert.ok(agents && agents.runs >= 1 && agents.costUsd > 0, run.stdout);
    const mini = summary.byModel.find((row) => row.key === 'gpt-4o-mini');
    assert.ok(mini && mini.modelCalls >= 2, 'split by the model that answered');
    assert.ok(summary.total.costUsd >= agents.costUsd);
    const table = await llmos('cost', '--since', '1d');
    assert.match(table.stdout, /^By workflow type$/m);
    assert.match(table.stdout, /^ {2}reactAgentWorkflow +\d+/m);
  });

  void it('budget shows what runs against a shared budget spent, and names a scope no run used', async () => {
    const scope = `tenant:cli-${randomUUID()}`;
    assertAnswered(
      await llmos('agent', question, '--model', model, '--budget', scope, '--budget-limit', '0.5'),
    );
    const run = await llmos('budget', scope, '--json');
    assert.equal(run.code, 0, describeRun(run));
    const ledger = JSON.parse(run.stdout) as { limitUsd: number; spentUsd: number; reservations: number };
    // The two calls of the run: 200 tokens in and 20 out at gpt-4o-mini's price.
    assert.ok(Math.abs(ledger.spentUsd - 0.000042) < 1e-9, run.stdout);
    assert.equal(ledger.limitUsd, 0.5);
    assert.equal(ledger.reservations, 0);
    const table = await llmos('budget', scope);
    assert.match(table.stdout, /^ {2}spent +\$0\.000042 {2}\(0\.0%\)$/m);
    assert.match(table.stdout, /^ {2}left +\$0\.499958/m);

    const unknown = await llmos('budget', 'tenant:nobody-yet');
    assert.equal(unknown.code, 1, describeRun(unknown));
    assert.match(unknown.stderr, /no run has used budget tenant:nobody-yet yet/);
  });

  void it('agent --detach prints only the workflow id; status prints the result', async () => {
    const detached = await llmos('agent', question, '--model', model, '--detach');
    assert.equal(detached.code, 0, describeRun(detached));
    assert.match(detached.stdout, /^agent-[0-9a-f-]{36}\n$/, 'only the workflow id');
    const workflowId = detached.stdout.trim();

    const result = await temporal.env.client.workflow
      .getHandle<typeof reactAgentWorkflow>(workflowId)
      .result();
    assert.equal(result.answer, answer);
    const status = await llmos('status', workflowId);
    assertAnswered(status);
    assert.ok(status.stdout.includes(usageLine), describeRun(status));
  });

  void it('agent stopped on a cap exits 3 and waits; raise continues it to the answer', async () => {
    const workflowId = `e2e-cap-${randomUUID()}`;
    const stopped = await llmos(
      'agent',
      question,
      '--model',
      model,
      '--max-iterations',
      '1',
      '--hold-on-cap',
      '60s',
      '--id',
      workflowId,
    );
    assert.equal(stopped.code, 3, describeRun(stopped));
    assert.match(stopped.stdout, /^Stopped on a cap: iteration_limit /m);
    assert.ok(stopped.stdout.includes('The run waits for raised caps.'), describeRun(stopped));
    assert.ok(stopped.stdout.includes(`llmos raise ${workflowId} --max-iterations 2`), describeRun(stopped));
    assert.ok(!stopped.stdout.includes('Answer:'), describeRun(stopped));
    const description = await temporal.env.client.workflow.getHandle(workflowId).describe();
    assert.equal(description.status.name, 'RUNNING', 'the run waits for a raise');

    const raised = await llmos('raise', workflowId, '--max-iterations', '5');
    assertAnswered(raised);
    assert.match(raised.stdout, /^Caps now \{"maxIterations":5,/m);
    assert.match(raised.stdout, /caps raised: \{"maxIterations":5,/);
    assert.match(raised.stdout, /^Iterations: 2 of 5$/m);
  });

  void it('agent --approve holds the call; inbox lists it, approve lets it run, decline needs a reason', async () => {
    const detached = await llmos('agent', question, '--model', model, '--approve', 'calculator', '--detach');
    assert.equal(detached.code, 0, describeRun(detached));
    const workflowId = detached.stdout.trim();
    const handle = temporal.env.client.workflow.getHandle<typeof reactAgentWorkflow>(workflowId);
    const listed = await eventually('the inbox lists the call', async () => {
      const inbox = await llmos('inbox', '--json');
      assert.equal(inbox.code, 0, describeRun(inbox));
      return (JSON.parse(inbox.stdout) as { toolCallId: string; workflowId: string; tool: string }[]).find(
        (entry) => entry.workflowId === workflowId,
      );
    });
    assert.equal(listed.tool, 'calculator');
    const text = await llmos('inbox');
    assert.match(
      text.stdout,
      new RegExp(
        `^${listed.toolCallId}  calculator\\(\\{"expression":"0\\.03 \\* 18250"\\}\\)  run ${workflowId}`,
        'm',
      ),
    );

    const unexplained = await llmos('decline', listed.toolCallId);
    assert.equal(unexplained.code, 1, describeRun(unexplained));
    assert.match(unexplained.stderr, /say why with --reason/);
    const unknown = await llmos('approve', 'call_nobody_waits_for', '--workflow', workflowId);
    assert.equal(unknown.code, 1, describeRun(unknown));
    assert.match(unknown.stderr, /no tool call call_nobody_waits_for waits for approval in this run/);

    const approved = await llmos('approve', listed.toolCallId, '--by', 'ann');
    assert.equal(approved.code, 0, describeRun(approved));
    assert.equal(approved.stdout, `Approved ${listed.toolCallId} of run ${workflowId}.\n`);
    const result = await handle.result();
    assert.equal(result.answer, answer);
    const tool = result.trace.find((step) => step.kind === 'tool');
    assert.equal(tool?.kind === 'tool' && tool.approval?.by, 'ann');
  });

  for (const [label, args, message] of [
    ['an empty question', ['agent', ''], /question: the question is empty/],
    [
      'an unknown model',
      ['agent', question, '--model', 'nope'],
      /unknown model or alias "nope": name a model as provider:model or use one of the aliases .*fast/,
    ],
    [
      '--max-iterations 0',
      ['agent', question, '--model', model, '--max-iterations', '0'],
      /'0' is invalid\. "0" is not a positive whole number\./,
    ],
    [
      'a tool name no provider accepts',
      ['agent', question, '--model', model, '--tools', 'calculator,tele port'],
      /"tele port" is not a tool name \(letters, digits, _ or -\)\./,
    ],
  ] as const) {
    void it(`agent with ${label} fails with a clear message and starts nothing`, async () => {
      const requestsBefore = fake.requests.length;
      const workflowId = `e2e-bad-${randomUUID()}`;
      const run = await llmos(...args, '--id', workflowId);

      assert.equal(run.code, 1, describeRun(run));
      assert.match(run.stderr, message);
      assert.ok(!/^\s+at /m.test(run.stderr), `a message, not a stack trace:\n${run.stderr}`);
      assert.equal(run.stdout, '');
      assert.equal(fake.requests.length, requestsBefore, 'no model request');
      await assert.rejects(
        temporal.env.client.workflow.getHandle(workflowId).describe(),
        WorkflowNotFoundError,
      );
    });
  }

  void it('agent says which Temporal address it cannot reach', async () => {
    const run = await runLlmos(['agent', question, '--model', model], {
      ...cliEnv,
      TEMPORAL_ADDRESS: '127.0.0.1:1',
    });
    assert.equal(run.code, 1, describeRun(run));
    assert.match(
      run.stderr,
      /^llmos: cannot reach Temporal at 127\.0\.0\.1:1, namespace default \(plain TCP\): nothing accepts connections there \(ECONNREFUSED\).*npx llmos server start/m,
    );
  });

  void it('fake-llm serves OpenAI requests from a script and stops on SIGTERM', async () => {
    const port = await freePort();
    const server = spawnLlmosCommand(
      ['fake-llm', '--script', 'examples/scripted/demo-agent.json', '--port', String(port)],
      {},
    );
    try {
      await waitFor('the fake-llm start line', () =>
        server.output().includes(`fake LLM on http://127.0.0.1:${port}`),
      );
      const response = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer fake' },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'What is 17.5% of 2,340, plus the square root of 144?' }],
        }),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as {
        object: string;
        choices: {
          finish_reason: string;
          message: { tool_calls?: { function: { name: string; arguments: string } }[] };
        }[];
      };
      assert.equal(body.object, 'chat.completion');
      assert.equal(body.choices[0]?.finish_reason, 'tool_calls');
      const call = body.choices[0]?.message.tool_calls?.[0]?.function;
      assert.equal(call?.name, 'calculator');
      assert.deepEqual(JSON.parse(call.arguments), { expression: '0.175 * 2340 + sqrt(144)' });
      await waitFor('the request log line', () =>
        /POST \/v1\/chat\/completions gpt-4o-mini step 0 -> rule 2 200/.test(server.output()),
      );

      server.child.kill('SIGTERM');
      const exit = await server.exited;
      assert.deepEqual(exit, { code: 0, signal: null }, server.output());
      await assert.rejects(fetch(`http://127.0.0.1:${port}/_fake/requests`), 'nothing listens any more');
    } finally {
      server.child.kill('SIGKILL');
    }
  });
});
