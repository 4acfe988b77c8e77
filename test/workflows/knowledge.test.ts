import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { KnowledgeIngestRequest } from '../../common/knowledge.js';
import { openWorkerKnowledge } from '../../workers/local-tools/knowledge.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import type { knowledgeIngestWorkflow } from '../../workflows/knowledge.js';
import { quickRetry, toolMessagesOf } from './agent-harness.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-kb-run-'));
const knowledgeFile = path.join(folder, 'knowledge.sqlite');
after(() => rmSync(folder, { recursive: true, force: true }));

const docs = path.join(folder, 'docs');
const write = (name: string, text: string) => {
  const file = path.join(docs, name);
  rmSync(file, { force: true });
  writeFileSync(file, text);
};
mkdirSync(docs);
const router =
  '# Router\n\nTo reset the router, hold the reset button for ten seconds until the light blinks.\n';
write('router.md', router);
write(
  'billing.txt',
  'Invoices are sent on the first day of each month and are payable within thirty days.\n',
);
write(
  'warranty.html',
  '<html><head><script>track()</script></head><body><h1>Warranty</h1><p>The warranty covers <b>two years</b> from the date of purchase.</p></body></html>',
);
write('broken.pdf', 'this is not a PDF');

void describe('knowledgeIngestWorkflow', () => {
  const testbed = useAgentTestbed({ workerEnv: () => ({ LLMOS_KNOWLEDGE_FILE: knowledgeFile }) });
  const run = async (request: Partial<KnowledgeIngestRequest>) => {
    const handle = await testbed.temporal.env.client.workflow.start<typeof knowledgeIngestWorkflow>(
      'knowledgeIngestWorkflow',
      {
        args: [{ base: 'support', model: 'openai:text-embedding-3-small', paths: [docs], ...request }],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `knowledge-${crypto.randomUUID()}`,
      },
    );
    return handle.result();
  };
  /** An agent run offered `retrieve`: the model calls it with `retrieve`'s arguments, then answers `answer`. */
  const askAgent = (retrieve: Record<string, unknown>, answer: string) => {
    testbed.fake.setScript({
      turns: [{ toolCalls: [{ name: 'retrieve', arguments: retrieve }] }, { text: answer }],
    });
    return testbed.temporal.env.client.workflow.execute<typeof reactAgentWorkflow>('reactAgentWorkflow', {
      args: [
        {
          question: 'How long is the warranty?',
          model: 'openai:gpt-4o-mini',
          tools: ['retrieve'],
          retry: quickRetry,
        },
      ],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `knowledge-agent-${crypto.randomUUID()}`,
    });
  };
  const statuses = (result: Awaited<ReturnType<typeof run>>) =>
    Object.fromEntries(result.documents.map((document) => [document.id, document.status]));

  void it('adds text, Markdown and HTML, records a broken file, and skips unchanged documents the next time', async () => {
    const first = await run({ metadata: { product: 'router', language: 'en' } });
    assert.equal(first.stopReason, 'answer');
    assert.equal(first.model, 'openai:text-embedding-3-small');
    assert.deepEqual(statuses(first), {
      'billing.txt': 'added',
      'broken.pdf': 'failed',
      'router.md': 'added',
      'warranty.html': 'added',
    });
    assert.match(
      first.documents.find((document) => document.id === 'broken.pdf')!.error!,
      /^InvalidInput: cannot read PDF/,
    );
    assert.equal(first.totals.modelCalls, 4, 'one probe for the new base, one call per document');
    assert.ok(first.totals.costUsd > 0 && first.totals.costComplete);

    const again = await run({ metadata: { product: 'router', language: 'en' } });
    assert.deepEqual(statuses(again), {
      ...statuses(first),
      'billing.txt': 'unchanged',
      'router.md': 'unchanged',
      'warranty.html': 'unchanged',
    });
    assert.equal(again.totals.modelCalls, 0, 'nothing embedded twice');

    write('router.md', `${router}\nA factory reset also clears the Wi-Fi password.\n`);
    const changed = await run({ metadata: { product: 'router', language: 'en' } });
    assert.equal(statuses(changed)['router.md'], 'replaced');
    assert.equal(statuses(changed)['billing.txt'], 'unchanged');

    const opened = openWorkerKnowledge({
      LLMOS_KNOWLEDGE_FILE: knowledgeFile,
      LLMOS_CACHE: 'off',
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: `${testbed.fake.url}/v1`,
    });
    try {
      const found = await opened.knowledge.retrieveKnowledge({
        base: 'support',
        query: 'how long is the warranty',
        limit: 2,
      });
      assert.equal(found.chunks[0]?.documentId, 'warranty.html');
      assert.match(
        found.chunks[0].text,
        /^Warranty\n\nThe warranty covers two years/,
        'the page as text: no script, no tags',
      );
      assert.deepEqual(found.chunks[0]?.metadata, { product: 'router', language: 'en' });
      const reset = await opened.knowledge.retrieveKnowledge({
        base: 'support',
        query: 'factory reset password',
        limit: 1,
        mode: 'keyword',
      });
      assert.equal(reset.chunks[0]?.id, 'router.md#0');
      assert.match(reset.chunks[0].text, /factory reset/, 'the replaced text, not the old one');
      const none = await opened.knowledge.retrieveKnowledge({
        base: 'support',
        query: 'reset',
        limit: 3,
        filter: { product: ['phone'] },
      });
      assert.deepEqual(none.chunks, []);
    } finally {
      await opened.close();
    }
  });

  void it('answers an agent from the base through the retrieve tool, the passages spotlighted under their ids', async () => {
    const result = await askAgent(
      { base: 'support', query: 'how long is the warranty' },
      'The warranty covers two years from the date of purchase [warranty.html#0].',
    );
    assert.equal(result.stopReason, 'answer');
    assert.match(result.answer ?? '', /\[warranty\.html#0\]/);
    const observation = result.trace.find((step) => step.kind === 'tool')?.observation ?? '';
    assert.match(
      observation,
      /^\[warranty\.html#0\]\n<untrusted-[0-9a-f]{12} source="support\/warranty\.html#0">\nWarranty/,
    );
    // The model was offered the tool with its schema, and told to cite ids.
    assert.equal(result.citations?.supported, 1, JSON.stringify(result.citations));
    assert.deepEqual(result.citations?.invalid, []);
    const offered = testbed.fake.requests[0]?.body as {
      tools?: { function: { name: string; description: string } }[];
    };
    assert.match(offered.tools?.[0]?.function.description ?? '', /cite only ids this tool returned/);

    const wrongBase = await askAgent({ base: 'nowhere', query: 'warranty' }, 'There is no such base.');
    const failed = wrongBase.trace.find((step) => step.kind === 'tool');
    assert.equal(wrongBase.citations?.uncited, 1, 'an answer with no citation is listed as such');
    assert.match(failed?.observation ?? '', /^InvalidToolInput: there is no knowledge base "nowhere"/);
  });

  void it('counts the query embedding and the summary of what did not fit in the run totals', async () => {
    const manual = path.join(folder, 'manual');
    mkdirSync(manual);
    const section = (name: string) =>
      `## ${name}\n\n${Array.from({ length: 30 }, (_, index) => `The ${name.toLowerCase()} rule ${index} applies to every router.`).join(' ')}\n`;
    writeFileSync(
      path.join(manual, 'manual.md'),
      ['Setup', 'Reset', 'Lights', 'Wi-Fi'].map(section).join('\n'),
    );
    const ingested = await run({ base: 'manual', paths: [manual] });
    assert.equal(ingested.stopReason, 'answer', ingested.stopDetail);

    testbed.fake.setScript({
      turns: [
        {
          toolCalls: [
            {
              name: 'retrieve',
              arguments: {
                base: 'manual',
                query: 'router rules',
                limit: 4,
                maxTokens: 400,
                summarizeOverflow: true,
              },
            },
          ],
        },
        { text: 'The remaining sections give more rules for every router [manual.md#3].' },
        { text: 'Every router follows the rules.' },
      ],
    });
    const result = await testbed.temporal.env.client.workflow.execute<typeof reactAgentWorkflow>(
      'reactAgentWorkflow',
      {
        args: [
          {
            question: 'What rules apply?',
            model: 'openai:gpt-4o-mini',
            tools: ['retrieve'],
            retry: quickRetry,
          },
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `knowledge-summary-${crypto.randomUUID()}`,
      },
    );
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    // The model read the passages that fit, then the summary of the rest.
    const chats = testbed.fake.requests.filter((request) => request.chatRequest !== null);
    const observation = toolMessagesOf(chats.at(-1))[0]?.content ?? '';
    assert.match(observation, /^\[manual\.md#\d\]\n<untrusted-/);
    assert.match(
      observation,
      /\[summary of manual\.md#\d(, manual\.md#\d)*\]\n<untrusted-[0-9a-f]+ [^\n]*>\nThe remaining sections/,
    );
    // The summary was asked of the run's model, with the passages that did not fit.
    const summaryRequest = chats.at(-2)?.chatRequest;
    assert.equal(summaryRequest?.temperature, 0);
    assert.match(
      summaryRequest?.messages.at(-1)?.content ?? '',
      /^Search: router rules\n\nPassages:\n\[manual\.md#\d\]/,
    );
    // Two calls of the agent's own, the summary's, and the query's embedding.
    assert.equal(result.totals.modelCalls, 4);
    const ownCalls = result.trace.filter((step) => step.kind === 'model');
    assert.equal(ownCalls.length, 2);
    const ownInput = ownCalls.reduce(
      (sum, step) => sum + (step.kind === 'model' ? step.usage.inputTokens : 0),
      0,
    );
    assert.ok(result.totals.usage.inputTokens > ownInput);
  });

  void it('asks the run model whether the passages entail each claim, and removes the claims they do not', async () => {
    testbed.fake.setScript({
      turns: [
        {
          toolCalls: [
            { name: 'retrieve', arguments: { base: 'support', query: 'how long is the warranty' } },
          ],
        },
        {
          text: 'The warranty covers two years from the date of purchase [warranty.html#0]. It covers three years from the date of purchase for batteries [warranty.html#0].',
        },
        {
          json: {
            verdicts: [
              { claim: 1, entailed: true, reason: 'The passage says two years from the date of purchase.' },
              { claim: 2, entailed: false, reason: 'The passage says nothing of three years or batteries.' },
            ],
          },
        },
      ],
    });
    const result = await testbed.temporal.env.client.workflow.execute<typeof reactAgentWorkflow>(
      'reactAgentWorkflow',
      {
        args: [
          {
            question: 'How long is the warranty?',
            model: 'openai:gpt-4o-mini',
            tools: ['retrieve'],
            retry: quickRetry,
            citationCheck: { entailment: true, unsupported: 'remove' },
          },
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `knowledge-entailment-${crypto.randomUUID()}`,
      },
    );
    assert.equal(result.stopReason, 'answer', result.stopDetail);
    assert.equal(result.answer, 'The warranty covers two years from the date of purchase [warranty.html#0].');
    assert.match(result.stopDetail, /1 unsupported claim removed/);
    const report = result.citations!;
    assert.equal(report.judge?.model, 'openai:gpt-4o-mini');
    assert.equal(report.removed, 1);
    assert.deepEqual(
      report.claims.map((claim) => [claim.status, claim.entailment?.entailed]),
      [
        ['supported', true],
        ['unsupported', false],
      ],
    );
    // Its words alone would have passed the second claim: the judge decided it.
    assert.ok(report.claims[1]!.overlap >= 0.6, String(report.claims[1]!.overlap));
    // The judge read the claims and passages spotlighted, as data, and its call counts in the totals.
    const judgeRequest = testbed.fake.requests
      .filter((request) => request.chatRequest !== null)
      .at(-1)?.chatRequest;
    assert.match(
      judgeRequest?.messages.at(-1)?.content ?? '',
      /^Claims:\n1\. cites \[warranty\.html#0\]\n<untrusted-/,
    );
    assert.equal(judgeRequest?.temperature, 0);
    assert.equal(result.trace.filter((step) => step.kind === 'model').length, 2);
    assert.equal(result.totals.modelCalls >= 3, true, String(result.totals.modelCalls));
  });

  void it('does not give an answer that cites a passage the run never retrieved', async () => {
    const result = await askAgent(
      { base: 'support', query: 'warranty' },
      'The warranty covers two years [warranty.html#0], and ten for the battery [battery.md#2].',
    );
    assert.equal(result.stopReason, 'error');
    assert.equal(result.answer, null);
    assert.equal(result.error?.type, 'CitationInvalid');
    assert.match(result.error?.message ?? '', /cites \[battery\.md#2\], which the run never retrieved/);
    assert.deepEqual(result.citations?.invalid, ['battery.md#2']);
  });

  void it('stops on a cap before the next document and says which', async () => {
    const result = await run({ base: 'capped', concurrency: 1, caps: { maxIterations: 2 } });
    assert.equal(result.stopReason, 'iteration_limit');
    assert.match(result.stopDetail!, /2 model calls reached the cap of 2/);
    const started = result.documents.filter((document) => document.status !== 'not_started');
    assert.equal(started.length, 1, 'the probe and one document, then the cap');
    assert.ok(result.documents.some((document) => document.status === 'not_started'));
  });

  void it('refuses another embedding model for an existing base, naming both', async () => {
    const failure = await run({ model: 'scripted:demo-agent' }).then(
      () => assert.fail('the run went on with another model'),
      (error: Error) => error,
    );
    const messages: string[] = [];
    for (let cause: unknown = failure; cause instanceof Error; cause = cause.cause)
      messages.push(cause.message);
    assert.ok(
      messages.some((message) =>
        /embeds with openai:text-embedding-3-small, not scripted:demo-agent/.test(message),
      ),
      messages.join(' <- '),
    );
  });
});
