import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { calculator } from '../../activities/tools/calculator.js';
import { createRunTool, type RunToolInput, type RunToolOutput } from '../../activities/tools/run-tool.js';
import { defineTool, ToolInputError, type ToolContext } from '../../activities/tools/tool.js';
import { createToolRegistry } from '../../activities/tools/tool-registry.js';

const seen: { input: unknown; context: ToolContext }[] = [];
const nested = defineTool({
  name: 'nested',
  description: 'records its input',
  inputSchema: z.object({ where: z.object({ city: z.string().min(1) }), count: z.number().int().optional() }),
  execute(input, context) {
    seen.push({ input, context });
    return Promise.resolve(`ok ${input.where.city}`);
  },
});
const picky = defineTool({
  name: 'picky',
  description: 'rejects its input',
  inputSchema: z.object({}),
  execute: () => Promise.reject(new ToolInputError('that city does not exist')),
});
const broken = defineTool({
  name: 'broken',
  description: 'fails like a bug',
  inputSchema: z.object({}),
  execute: () => Promise.reject(new TypeError('cannot read properties of undefined')),
});
const typed = defineTool({
  name: 'typed',
  description: 'fails with its own typed failure',
  inputSchema: z.object({}),
  execute: () =>
    Promise.reject(
      ApplicationFailure.create({ type: 'Custom', message: 'custom failure', nonRetryable: true }),
    ),
});

const runTool = createRunTool(createToolRegistry([calculator, nested, picky, broken, typed]));
const run = (input: RunToolInput): Promise<RunToolOutput> =>
  new MockActivityEnvironment({
    activityId: '7',
    workflowExecution: { workflowId: 'wf-run-tool', runId: 'run-1' },
  }).run<[RunToolInput], RunToolOutput, typeof runTool>(runTool, input);

async function rejectsWith(
  input: RunToolInput,
  type: string,
  nonRetryable: boolean,
  message: RegExp,
): Promise<void> {
  await assert.rejects(run(input), (error: unknown) => {
    assert.ok(error instanceof ApplicationFailure, String(error));
    assert.equal(error.type, type);
    assert.equal(error.nonRetryable, nonRetryable);
    assert.match(error.message, message);
    return true;
  });
}

void describe('runTool activity', () => {
  void it('runs a tool with valid arguments and returns its observation', async () => {
    const { latencyMs, ...output } = await run({ name: 'calculator', arguments: '{"expression": "6 * 7"}' });
    assert.deepEqual(output, { ok: true, observation: '42' });
    // Measured where the tool ran, so the trace says the same on every replay.
    assert.ok(typeof latencyMs === 'number' && latencyMs >= 0);
  });

  void it('passes the parsed input and an idempotency key of workflow id and activity id', async () => {
    seen.length = 0;
    const { latencyMs: _latency, ...output } = await run({
      name: 'nested',
      arguments: '{"where": {"city": "Oslo"}, "extra": true}',
    });
    assert.deepEqual(output, { ok: true, observation: 'ok Oslo' });
    assert.equal(seen.length, 1);
    // zod strips keys the schema does not know.
    assert.deepEqual(seen[0]?.input, { where: { city: 'Oslo' } });
    assert.equal(seen[0]?.context.idempotencyKey, 'wf-run-tool/7');
    assert.ok(seen[0]?.context.signal instanceof AbortSignal);
  });

  void it('gives arguments that are not JSON back to the model', async () => {
    const output = await run({ name: 'calculator', arguments: '{not json' });
    assert.deepEqual(output, {
      ok: false,
      observation: 'InvalidToolInput: arguments are not valid JSON: {not json',
    });
  });

  void it('quotes at most 200 characters of unparseable arguments', async () => {
    const output = await run({ name: 'calculator', arguments: `{${'x'.repeat(1_000)}` });
    assert.equal(output.ok, false);
    assert.equal(output.observation, `InvalidToolInput: arguments are not valid JSON: {${'x'.repeat(199)}`);
  });

  void it('names the path of each schema problem', async () => {
    const wrongKey = await run({ name: 'calculator', arguments: '{"expr": "1+1"}' });
    assert.equal(wrongKey.ok, false);
    assert.match(wrongKey.observation, /^InvalidToolInput: expression: /);

    seen.length = 0;
    const deep = await run({ name: 'nested', arguments: '{"where": {"city": ""}, "count": 1.5}' });
    assert.equal(deep.ok, false);
    assert.match(deep.observation, /^InvalidToolInput: where\.city: .*; count: /);
    assert.equal(seen.length, 0, 'the tool must not run on invalid input');

    const notObject = await run({ name: 'calculator', arguments: '[1, 2]' });
    assert.match(notObject.observation, /^InvalidToolInput: \(input\): /);
  });

  void it('treats empty arguments as an empty object', async () => {
    const output = await run({ name: 'calculator', arguments: '  ' });
    assert.equal(output.ok, false);
    assert.match(output.observation, /^InvalidToolInput: expression: /);
    assert.deepEqual(await run({ name: 'picky', arguments: '' }), {
      ok: false,
      observation: 'InvalidToolInput: that city does not exist',
    });
  });

  void it('gives a ToolInputError back to the model', async () => {
    const output = await run({ name: 'calculator', arguments: '{"expression": "1/0"}' });
    assert.equal(output.ok, false);
    assert.match(output.observation, /^InvalidToolInput: "1\/0" has no finite value/);
  });

  void it('fails an unknown tool as a non-retryable UnknownTool, listing the tools there are', async () => {
    await rejectsWith(
      { name: 'teleport', arguments: '{}' },
      'UnknownTool',
      true,
      /unknown tool "teleport"; available tools: calculator, nested, picky, broken, typed/,
    );
  });

  void it('fails any other error as a retryable ToolFailed naming the tool', async () => {
    await rejectsWith(
      { name: 'broken', arguments: '{}' },
      'ToolFailed',
      false,
      /^broken: cannot read properties of undefined$/,
    );
  });

  void it('passes a tool’s own ApplicationFailure through unchanged', async () => {
    await rejectsWith({ name: 'typed', arguments: '{}' }, 'Custom', true, /^custom failure$/);
  });
});
