/**
 * `llmos prompts` as a user types it, each command its own `node bin/llmos.js` process, and the
 * worker's start-up report of prompt warnings.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectTemporal } from '../helpers/temporal.js';
import { runLlmos, startWorkerProcess, describeRun } from '../helpers/worker-process.js';

void describe('llmos prompts, end to end', { timeout: 300_000 }, () => {
  let root: string;
  /** A folder with one template whose system message is over the 1,000-token budget. */
  let longPrompts: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'llmos-prompts-cli-'));
    longPrompts = path.join(root, 'long');
    await mkdir(path.join(longPrompts, 'long.system'), { recursive: true });
    const system = Array.from({ length: 1_200 }, (_, index) => `word${index}`).join(' ');
    await writeFile(
      path.join(longPrompts, 'long.system', 'v1.yaml'),
      `id: long.system\nversion: v1\nsystem: ${system}\ntask: "{{question}}"\n`,
    );
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  void it('lists every built-in template with its tokens, variables and description', async () => {
    const run = await runLlmos(['prompts'], {});
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /^TEMPLATE +SYSTEM TOKENS +VARIABLES +DESCRIPTION$/m);
    assert.match(run.stdout, /^agent\.system@v1 +\d+ +question +ReAct agent/m);
    assert.match(run.stdout, /^psv\.plan@v2 +\d+ +feedback, task, tools +Plan -> Solve -> Verify/m);
    for (const ref of ['agent.system@v2', 'psv.plan@v1', 'psv.solve@v1', 'psv.verify@v1'])
      assert.ok(run.stdout.includes(`\n${ref} `), describeRun(run));
    assert.ok(!run.stdout.includes('Warnings:'), describeRun(run));
  });

  void it('lists templates of LLMOS_PROMPTS_DIRECTORIES and the warning for a long system message', async () => {
    const run = await runLlmos(['prompts'], { LLMOS_PROMPTS_DIRECTORIES: longPrompts });
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /^long\.system@v1 +\d{4} +question/m);
    assert.match(
      run.stdout,
      /^Warnings:\n {2}long\.system@v1 \(.*v1\.yaml\): the system message is \d{4} tokens/m,
    );
  });

  void it('show renders a template with --var values', async () => {
    const run = await runLlmos(['prompts', 'show', 'agent.system@v1', '--var', 'question=What is 2+2?'], {});
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /^--- system\nYou are a careful assistant\./m);
    assert.match(run.stdout, /^--- user\nWhat is 2\+2\?$/m);
  });

  for (const [label, args, message] of [
    [
      'an unknown ref',
      ['agent.system@v9'],
      /^llmos: unknown prompt agent\.system@v9; versions of agent\.system: v1, v2$/m,
    ],
    [
      'a missing variable',
      ['psv.verify@v1', '--var', 'task=t'],
      /^llmos: psv\.verify@v1 needs --var result=\.\.\. --var step=\.\.\. /m,
    ],
    ['a ref without a version', ['agent.system'], /^llmos: a prompt ref is <id>@<version>/m],
  ] as const) {
    void it(`show with ${label} exits 1 with a clear message`, async () => {
      const run = await runLlmos(['prompts', 'show', ...args], {});
      assert.equal(run.code, 1, describeRun(run));
      assert.match(run.stderr, message);
      assert.ok(!/^\s+at /m.test(run.stderr), `a message, not a stack trace:\n${run.stderr}`);
      assert.equal(run.stdout, '');
    });
  }

  void it('the worker logs prompt warnings at start-up', async () => {
    const temporal = await connectTemporal();
    const worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue: `prompts-${randomUUID()}`,
      env: { LLMOS_PROMPTS_DIRECTORIES: longPrompts },
    });
    try {
      assert.match(worker.output(), /\[WARN\] prompt library: long\.system@v1 .*over the budget of 1000/);
    } finally {
      await worker.stop();
      await temporal.close();
    }
  });
});
