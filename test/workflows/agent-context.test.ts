import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { estimateRequestTokens } from '../../activities/llm/estimate-request-tokens.js';
import type { AgentRequest } from '../../common/agent.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { projectRoot } from '../../workers/project-root.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { messagesOf, toolMessagesOf } from './agent-harness.js';

/** gpt-4o-mini's context window in this test's catalog: a dozen pages cannot fit in it. */
const contextWindow = 8_000;
const steps = 20;
/** A page of about 1,300 tokens, different on every path. */
const page = (name: string) =>
  `${name}: ${Array.from({ length: 200 }, (_, index) => `line ${index} of ${name} says little.`).join(' ')} END`;

void describe('reactAgentWorkflow: the context window', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'llmos-context-'));
  const catalogFile = path.join(folder, 'models.yaml');
  writeFileSync(
    catalogFile,
    readFileSync(path.join(projectRoot, 'config/models.yaml'), 'utf8').replace(
      /(openai:gpt-4o-mini:\n\s+contextWindow: )\d+/,
      `$1${contextWindow}`,
    ),
  );
  let pages: Server;
  let pagesHost = '';
  before(async () => {
    pages = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end(page(request.url ?? '/'));
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    pagesHost = `127.0.0.1:${(pages.address() as AddressInfo).port}`;
  });
  const testbed = useAgentTestbed({
    workerEnv: () => ({ LLMOS_HTTP_ALLOWED_HOSTS: pagesHost, LLMOS_MODELS_FILE: catalogFile }),
  });
  after(async () => {
    pages?.closeAllConnections();
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
    rmSync(folder, { recursive: true, force: true });
  });

  void it('fits every request into the model window, cutting and leaving out old steps, and answers', async () => {
    testbed.fake.setScript({
      turns: [
        ...Array.from({ length: steps }, (_, index) => ({
          toolCalls: [{ name: 'http_get', arguments: { url: `http://${pagesHost}/page-${index}` } }],
        })),
        { text: 'Every page says little.' },
      ],
    });
    const result = await testbed.temporal.env.client.workflow.execute<typeof reactAgentWorkflow>(
      'reactAgentWorkflow',
      {
        args: [
          {
            question: 'What do the pages say?',
            model: 'openai:gpt-4o-mini',
            tools: ['http_get'],
            caps: { maxIterations: steps + 1 },
          } satisfies AgentRequest,
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `context-${crypto.randomUUID()}`,
      },
    );
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.equal(result.answer, 'Every page says little.');
    assert.equal(testbed.fake.requests.length, steps + 1, 'no request was refused and made again');

    // Every request, as the provider received it, left room for its answer in the window.
    for (const request of testbed.fake.requests) {
      const sent = request.chatRequest!;
      const { inputTokens, outputTokens } = estimateRequestTokens(sent);
      assert.ok(inputTokens + outputTokens <= contextWindow * 0.95, `${inputTokens} + ${outputTokens}`);
    }
    const fitted = result.trace.flatMap((step) => (step.kind === 'model' && step.contextFit ? [step] : []));
    assert.ok(fitted.length > 0);
    assert.ok(fitted.some((step) => step.contextFit!.droppedSteps > 0));
    assert.ok(fitted.every((step) => step.contextFit!.toTokens < step.contextFit!.fromTokens));

    // The last request: the question says what was left out, the latest page is whole, and every
    // tool call it still holds has its result.
    const last = testbed.fake.requests.at(-1);
    const messages = messagesOf(last);
    const question = messages.find((message) => message.role === 'user')!;
    assert.match(question.content, /^What do the pages say\?\n\n\[\d+ earlier steps were left out/);
    const results = toolMessagesOf(last);
    assert.equal(results.at(-1)?.content.includes(`/page-${steps - 1}`), true);
    assert.ok(results.at(-1)!.content.includes(' END'), 'the latest page is whole');
    assert.ok(!results.at(-1)!.content.includes('[... cut to fit the context window]'));
    assert.ok(
      results
        .slice(0, -1)
        .every((message) => message.content.includes('[... cut to fit the context window]')),
    );
    const answered = new Set(results.map((message) => message.toolCallId));
    for (const message of messages)
      if (message.role === 'assistant')
        for (const call of message.toolCalls) assert.ok(answered.has(call.id));
  });
});
