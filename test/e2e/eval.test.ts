/**
 * `llmos eval` as a user runs it: its own process, against the test's Temporal dev server and a
 * worker process, over the GSM8K sample with the scripted model (which gets 10 of 12 right).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connectTemporal } from '../helpers/temporal.js';
import {
  runLlmos,
  startWorkerProcess,
  type LlmosRun,
  type WorkerProcess,
  describeRun,
} from '../helpers/worker-process.js';

const dataset = 'examples/datasets/gsm8k-sample.jsonl';

/** The value cells of one metric row of the report table. */
function row(run: LlmosRun, label: string): string[] {
  const line = run.stdout.split('\n').find((candidate) => candidate.startsWith(`${label}  `));
  assert.ok(line, `no "${label}" row in\n${run.stdout}`);
  return line
    .slice(label.length)
    .trim()
    .split(/\s{2,}/);
}

void describe('llmos eval and llmos psv, end to end', { timeout: 600_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let worker: WorkerProcess;
  let cliEnv: Record<string, string>;

  before(async () => {
    temporal = await connectTemporal();
    const taskQueue = `eval-${randomUUID()}`;
    worker = await startWorkerProcess({ address: temporal.address, taskQueue, env: {} });
    cliEnv = { TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue };
  });
  after(async () => {
    await worker?.stop();
    await temporal?.close();
  });

  const llmos = (...args: string[]) => runLlmos(['eval', dataset, ...args], cliEnv);

  void it('runs the ReAct workflow with two prompt versions and prints them side by side', async () => {
    const run = await llmos(
      '--model',
      'scripted:gsm8k-react',
      '--prompt-version',
      'v1',
      '--prompt-version',
      'v2',
    );

    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /^ +v1 +v2$/m, describeRun(run));
    assert.deepEqual(row(run, 'prompt'), ['agent.system@v1', 'agent.system@v2']);
    assert.deepEqual(row(run, 'accuracy'), ['83.3% (10/12)', '83.3% (10/12)']);
    assert.deepEqual(row(run, 'consistency'), ['n/a (1 sample)', 'n/a (1 sample)']);
    assert.deepEqual(row(run, 'no required tool'), ['0', '0']);
    for (const label of ['tokens', 'cost', 'latency p50', 'latency p95', 'latency p99']) {
      assert.equal(row(run, label).length, 2, label);
    }
    assert.match(row(run, 'latency p99')[0] ?? '', /^\d+\.\d\d s$/);
    // The two wrong answers are listed with what was expected.
    assert.match(run.stdout, /v1 #3: expected 70000, got "The answer is 195000/);
    assert.match(run.stdout, /v1 #7: expected 13, got "The answer is 12/);
  });

  void it('runs Plan -> Solve -> Verify with self-consistency and reports the consistency score', async () => {
    const run = await llmos(
      '--workflow',
      'psv',
      '--model',
      'scripted:gsm8k-psv',
      '--samples',
      '3',
      '--limit',
      '4',
      '--json',
    );

    assert.equal(run.code, 0, describeRun(run));
    const [report] = JSON.parse(run.stdout) as Array<{
      correct: number;
      consistency: number;
      items: Array<{ id: string; correct: boolean; consistency: number; toolCalls: number }>;
    }>;
    assert.ok(report);
    assert.equal(report.items.length, 4);
    assert.deepEqual(
      report.items.map((item) => [item.id, item.correct]),
      [
        ['1', true],
        ['2', true],
        ['3', false],
        ['4', true],
      ],
    );
    assert.equal(report.consistency, 1, 'the scripted model always agrees with itself');
    assert.ok(
      report.items.every((item) => item.toolCalls === 3),
      'one calculator call per sample',
    );
  });

  void it('llmos psv prints each plan step with its verdict, the answer and the usage', async () => {
    const run = await runLlmos(
      ['psv', 'What is 17.5% of 2,340, plus the square root of 144?', '--model', 'scripted:demo-agent'],
      cliEnv,
    );
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /^Plan 1 \(verified\):$/m);
    assert.match(
      run.stdout,
      /^ {2}s1\. 17\.5% of 2,340 {2}\[calculator \{"expression":"0\.175 \* 2340"\}\]$/m,
    );
    assert.match(run.stdout, /^ {6}passed \(check\): 409\.5 is a number$/m);
    assert.match(run.stdout, /^ {6}passed \(judge\): /m);
    assert.match(run.stdout, /^Answer: 421\.5$/m);
    assert.match(run.stdout, /^Stop reason: answer \(verified after 1 plan\)$/m);
  });

  void it("shows the people's feedback on this kind of run beside the dataset's figures", async () => {
    const answered = await runLlmos(
      [
        'agent',
        'A robe takes 2 bolts of blue fiber and half that much white fiber.  How many bolts in total does it take?',
        '--model',
        'scripted:gsm8k-react',
      ],
      cliEnv,
    );
    assert.equal(answered.code, 0, describeRun(answered));
    const workflowId = /^Run (agent-\S+) on /m.exec(answered.stdout)![1]!;
    for (const score of ['5', '2'])
      assert.equal((await runLlmos(['feedback', workflowId, '--score', score], cliEnv)).code, 0);
    const run = await llmos('--model', 'scripted:gsm8k-react', '--limit', '1', '--json');
    assert.equal(run.code, 0, describeRun(run));
    const [report] = JSON.parse(run.stdout) as Array<{
      productionFeedback: { count: number; meanScore: number };
    }>;
    assert.deepEqual(report?.productionFeedback, { count: 2, meanScore: 3.5 });
    const table = await llmos('--model', 'scripted:gsm8k-react', '--limit', '1');
    assert.match(
      table.stdout,
      /^Feedback on agent runs of eval-\S+ in the last 168 h: mean 3\.50 of 2 \(1 to 5\)$/m,
    );
  });

  void it('refuses a dataset row it cannot read, naming the line', async () => {
    const run = await runLlmos(['eval', 'package.json'], cliEnv);
    assert.equal(run.code, 1, describeRun(run));
    assert.match(run.stderr, /package\.json:1/);
  });
});
