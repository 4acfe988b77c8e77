import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { AgentRequest } from '../../common/agent.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { historyCounts, quickRetry, scheduledActivities, toolMessagesOf } from './agent-harness.js';

const longPage = `${'The quick brown fox jumps over the lazy dog. '.repeat(80)}END`;

void describe('reactAgentWorkflow: failures', () => {
  let pages: Server;
  let pagesHost: string;

  before(async () => {
    pages = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(longPage);
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pagesHost = `127.0.0.1:${(pages.address() as AddressInfo).port}`;
  });
  const testbed = useAgentTestbed({
    // No LLMOS_COMPATIBLE_BASE_URL: `compatible:*` models are not configured on this worker.
    workerEnv: () => ({ LLMOS_HTTP_ALLOWED_HOSTS: pagesHost }),
  });
  after(async () => {
    pages?.closeAllConnections();
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
  });

  const start = (name: string, request: Partial<AgentRequest>) =>
    testbed.temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
      args: [{ question: 'What is 2 + 2?', model: 'openai:gpt-4o-mini', retry: quickRetry, ...request }],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `errors-${name}-${crypto.randomUUID()}`,
      // A backstop only: every run here ends (or fails) in seconds.
      workflowExecutionTimeout: '2 minutes',
    });
  const run = async (name: string, request: Partial<AgentRequest>) => (await start(name, request)).result();

  void it('ends with error after exactly one request when the provider rejects the key (401)', async () => {
    testbed.fake.setScript({ turns: [{ status: 401 }, { text: 'never asked for' }] });
    const handle = await start('401', { retry: { ...quickRetry, maximumAttempts: 5 } });
    const result = await handle.result();
    assert.equal(result.stopReason, 'error');
    assert.equal(result.error?.type, 'ModelRequestRejected');
    assert.match(result.error?.message ?? '', /401/);
    assert.match(result.stopDetail, /^model call failed: 401/);
    assert.equal(result.answer, null);
    assert.deepEqual(result.trace, []);
    assert.equal(result.totals.modelCalls, 0);
    // Not retried: one request at the provider, one attempt in the history.
    assert.equal(testbed.fake.requests.length, 1);
    assert.equal(testbed.fake.requests[0]?.status, 401);
    const counts = await historyCounts(handle);
    // applyGuards (the question), describeTools, loadPrompts, resolveModelChain and the one callChatModel attempt
    assert.equal(counts.activityTasksStarted, 5);
  });

  void it('waits for retry-after on a 429 and then answers', async () => {
    testbed.fake.setScript({ turns: [{ status: 429, retryAfterSeconds: 1 }, { text: 'Four.' }] });
    const result = await run('429', {});
    assert.equal(result.stopReason, 'answer');
    assert.equal(result.answer, 'Four.');
    assert.equal(result.iterations, 1);
    assert.equal(result.totals.modelCalls, 1);
    assert.equal(testbed.fake.requests.length, 2);
    assert.deepEqual(
      testbed.fake.requests.map((request) => [request.step, request.status]),
      [
        [0, 429],
        [0, 200],
      ],
    );
    const [first, second] = testbed.fake.requests;
    // The retry policy alone would retry after 100 ms; the provider asked for 1 s.
    const gap = second!.receivedAt - first!.receivedAt;
    assert.ok(gap >= 900, `retried after ${gap} ms`);
  });

  void it('retries a 500 and then answers', async () => {
    testbed.fake.setScript({ turns: [{ status: 500 }, { text: 'Four.' }] });
    const result = await run('500', {});
    assert.equal(result.stopReason, 'answer');
    assert.equal(result.answer, 'Four.');
    assert.deepEqual(
      testbed.fake.requests.map((request) => request.status),
      [500, 200],
    );
  });

  void it('retries a malformed body and then answers', async () => {
    testbed.fake.setScript({ turns: [{ malformed: true }, { text: 'Four.' }] });
    const result = await run('malformed', { model: 'anthropic:claude-haiku-4-5' });
    assert.equal(result.stopReason, 'answer');
    assert.equal(result.answer, 'Four.');
    assert.equal(testbed.fake.requests.length, 2);
    assert.deepEqual(
      testbed.fake.requests.map((request) => request.answeredBy),
      ['turn 0', 'turn 1'],
    );
  });

  for (const model of ['openai:gpt-4o-mini', 'anthropic:claude-haiku-4-5'])
    void it(`never takes a reply with no text and no tool calls as the answer (${model})`, async () => {
      // Anthropic's shape: `content: []`, `stop_reason: "tool_use"`; OpenAI's: "" and `finish_reason: "stop"`.
      testbed.fake.setScript({ turns: [{ empty: true }, { text: 'Four.' }] });
      const answered = await run('empty-then-answer', { model });
      assert.equal(answered.stopReason, 'answer');
      assert.equal(answered.answer, 'Four.');
      assert.equal(testbed.fake.requests.length, 2);

      testbed.fake.reset();
      testbed.fake.setScript({ rules: [{ reply: { empty: true } }] });
      const result = await run('always-empty', { model, retry: { ...quickRetry, maximumAttempts: 2 } });
      assert.equal(result.stopReason, 'error');
      assert.equal(result.answer, null);
      assert.equal(result.error?.type, 'ModelReplyEmpty');
      assert.match(
        result.error?.message ?? '',
        /^the model replied with no text and no tool calls \(finish reason/,
      );
      assert.equal(testbed.fake.requests.length, 2);
    });

  void it('ends with error once the model call keeps failing past maximumAttempts', async () => {
    testbed.fake.setScript({ rules: [{ reply: { status: 503 } }] });
    const result = await run('503', { retry: { ...quickRetry, maximumAttempts: 3 } });
    assert.equal(result.stopReason, 'error');
    assert.equal(result.error?.type, 'ModelUnavailable');
    assert.equal(testbed.fake.requests.length, 3);
  });

  void it('compacts the conversation once when the context is too long, and then answers', async () => {
    testbed.fake.setScript({
      turns: [
        { toolCalls: [{ name: 'http_get', arguments: { url: `http://${pagesHost}/long` } }] },
        { errorCode: 'context_length_exceeded', status: 400 },
        { text: 'It was about a fox.' },
      ],
    });
    const handle = await start('context', { tools: ['http_get'] });
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer');
    assert.equal(result.answer, 'It was about a fox.');
    // The refused call did no work: it is not counted as an iteration.
    assert.equal(result.iterations, 2);
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['model', 'tool', 'model'],
    );

    assert.equal(testbed.fake.requests.length, 3);
    assert.equal(testbed.fake.requests[1]?.status, 400);
    const refused = toolMessagesOf(testbed.fake.requests[1])[0]?.content ?? '';
    const retried = toolMessagesOf(testbed.fake.requests[2])[0]?.content ?? '';
    assert.ok(refused.includes(longPage));
    assert.ok(retried.length < refused.length, `${retried.length} >= ${refused.length}`);
    assert.equal(retried, `${refused.slice(0, 500)} [... cut to fit the context window]`);
    // The same conversation otherwise: only the tool result changed.
    assert.equal(
      testbed.fake.requests[2]?.chatRequest?.messages.length,
      testbed.fake.requests[1]?.chatRequest?.messages.length,
    );
    // Context-too-long is not retried by Temporal: one attempt per refused request.
    assert.deepEqual(
      (await scheduledActivities(handle)).filter((name) => name === 'callChatModel').length,
      3,
    );
  });

  void it('ends with error when the context is still too long after compaction, instead of looping', async () => {
    testbed.fake.setScript({
      turns: [
        { toolCalls: [{ name: 'http_get', arguments: { url: `http://${pagesHost}/long` } }] },
        { toolCalls: [{ name: 'calculator', arguments: { expression: '2 + 2' } }] },
      ],
      // From the third call on, the provider refuses every request as too long.
      rules: [{ match: { step: 2 }, reply: { errorCode: 'context_length_exceeded', status: 400 } }],
    });
    const result = await run('context-persistent', {
      tools: ['calculator', 'http_get'],
      caps: { maxWallTimeMs: 60_000 },
    });
    assert.equal(result.stopReason, 'error');
    assert.equal(result.error?.type, 'ContextTooLong');
    assert.equal(result.iterations, 3);
    assert.deepEqual(
      result.trace.map((step) => step.kind),
      ['model', 'tool', 'model', 'tool'],
    );
    // Two calls, the refused third, one retry after the only compaction possible, and no more:
    // cutting an already cut result changes nothing, so there is nothing left to retry with.
    assert.equal(testbed.fake.requests.length, 4);
    const [, , refused, retried] = testbed.fake.requests;
    const page = toolMessagesOf(refused)[0]?.content ?? '';
    assert.ok(page.includes(longPage));
    assert.equal(
      toolMessagesOf(retried)[0]?.content,
      `${page.slice(0, 500)} [... cut to fit the context window]`,
    );
    assert.equal(toolMessagesOf(retried)[1]?.content, '4');
  });

  void it('ends with UnknownModel when the worker has no configuration for the provider', async () => {
    testbed.fake.setScript({ turns: [{ text: 'never asked for' }] });
    const compatible = await run('unknown-model', { model: 'compatible:x' });
    assert.equal(compatible.stopReason, 'error');
    assert.equal(compatible.error?.type, 'UnknownModel');
    assert.match(compatible.error?.message ?? '', /compatible:x.*LLMOS_COMPATIBLE_BASE_URL/);

    const scripted = await run('unknown-script', { model: 'scripted:no-such-script' });
    assert.equal(scripted.stopReason, 'error');
    assert.equal(scripted.error?.type, 'UnknownModel');
    assert.equal(testbed.fake.requests.length, 0);
  });

  void it('ends with UnknownTool when the request names a tool the worker does not have', async () => {
    testbed.fake.setScript({ turns: [{ text: 'never asked for' }] });
    const result = await run('unknown-tool', { tools: ['calculator', 'teleport'] });
    assert.equal(result.stopReason, 'error');
    assert.equal(result.error?.type, 'UnknownTool');
    assert.match(result.error?.message ?? '', /teleport/);
    assert.equal(testbed.fake.requests.length, 0);
  });

  for (const [name, request, problem] of [
    ['empty question', { question: '   ', model: 'openai:gpt-4o-mini' }, /question: the question is empty/],
    [
      'bad model string',
      { question: 'What is 2 + 2?', model: 'gpt 4o mini' },
      /model: model must be "provider:model" \(e\.g\. openai:gpt-4o-mini\) or an alias/,
    ],
    [
      'negative cap',
      { question: 'What is 2 + 2?', model: 'openai:gpt-4o-mini', caps: { maxIterations: -1 } },
      /caps\.maxIterations/,
    ],
  ] as const) {
    void it(`fails the workflow fast with InvalidInput on ${name}`, async () => {
      const handle = await start(`invalid-${name.replaceAll(' ', '-')}`, request);
      await assert.rejects(handle.result(), (error: unknown) => {
        assert.ok(error instanceof WorkflowFailedError, String(error));
        assert.ok(error.cause instanceof ApplicationFailure, String(error.cause));
        assert.equal(error.cause.type, 'InvalidInput');
        assert.equal(error.cause.nonRetryable, true);
        assert.match(error.cause.message, problem);
        return true;
      });
      // Failed as a run, not as a workflow task retried for ever; nothing was scheduled.
      const counts = await historyCounts(handle);
      assert.equal(counts.workflowTaskFailures, 0);
      assert.deepEqual(await scheduledActivities(handle), []);
      assert.equal(testbed.fake.requests.length, 0);
    });
  }
});
