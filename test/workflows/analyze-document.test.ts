import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ingestDocument } from '../../activities/analysis/ingest.js';
import { projectRoot } from '../../client/project-paths.js';
import type { AnalyzeDocumentRequest } from '../../common/document-analysis.js';
import type { FakeLlmScript } from '../../fake-llm/script-schema.js';
import type { analyzeDocumentWorkflow } from '../../workflows/analyze-document.js';
import { contractsTestSpec } from '../helpers/analysis-spec.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { quickRetry } from './agent-harness.js';

type ScriptRule = NonNullable<FakeLlmScript['rules']>[number];

const folder = path.join(projectRoot, 'test', 'fixtures', 'cuad', 'txt');
const [fileName] = readdirSync(folder).sort();
const file = path.join(folder, fileName!);
const lawQuote = 'laws of the State of New York';

const spec = contractsTestSpec;

const extraction = (
  fields: unknown[],
  extra: Partial<ScriptRule> = {},
  reply: Record<string, unknown> = {},
): ScriptRule => ({
  match: { responseFormat: '^chunk_extraction$', ...(extra.match ?? {}) },
  reply: { json: { fields } as never, usage: { inputTokens: 400, outputTokens: 30 }, ...reply },
  ...(extra.times ? { times: extra.times } : {}),
});
/** The chunk that holds the governing-law clause answers with it, one with an invented quote, the rest with nothing. */
const lawRules: ScriptRule[] = [
  extraction([{ field: 'governing_law', value: 'New York', quote: lawQuote }], {
    match: { lastUserMessage: lawQuote },
  }),
  extraction([{ field: 'parties', value: ['Arca'], quote: 'This quote appears nowhere in the contract.' }], {
    match: { lastUserMessage: 'chunk 1\\)' },
  }),
  extraction([]),
];

void describe('analyzeDocumentWorkflow', () => {
  const testbed = useAgentTestbed();
  const run = async (request: Partial<AnalyzeDocumentRequest>) => {
    const handle = await testbed.temporal.env.client.workflow.start<typeof analyzeDocumentWorkflow>(
      'analyzeDocumentWorkflow',
      {
        args: [
          {
            file,
            id: fileName!,
            spec,
            model: 'openai:gpt-4o-mini',
            chunking: { maxTokens: 800, overlapTokens: 80 },
            retry: quickRetry,
            ...request,
          },
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `analyze-doc-${crypto.randomUUID()}`,
      },
    );
    return { handle, result: await handle.result() };
  };

  void it('extracts every chunk, keeps verified quotes with document offsets, counts invented ones', async () => {
    testbed.fake.setScript({ rules: lawRules });
    const { handle, result } = await run({});
    const text = (await ingestDocument(file, fileName)).text;

    assert.equal(result.status, 'analyzed', result.reason);
    assert.ok(result.chunks >= 4, `${result.chunks} chunks`);
    assert.equal(result.chunksAnalyzed, result.chunks);
    assert.equal(testbed.fake.requests.length, result.chunks, 'one extraction per chunk');
    assert.equal(result.fields.governing_law?.value, 'New York');
    const [citation] = result.fields.governing_law?.citations ?? [];
    assert.ok(citation);
    assert.equal(text.slice(citation.offset, citation.offset + citation.length), lawQuote);
    assert.equal(result.hallucinatedQuotes, 1);
    assert.equal(result.fields.parties, undefined, 'the invented quote took its value with it');
    assert.equal(result.totals.modelCalls, result.chunks);

    // History carries references, not the contract: a sentence from it is nowhere in the history.
    const history = JSON.stringify((await handle.fetchHistory()).events);
    assert.ok(!history.includes('applicable to contracts formed and to be performed'));
    assert.ok(
      history.length < text.length * 2,
      `history ${history.length} bytes for ${text.length} characters`,
    );
  });

  void it('keeps at most `concurrency` extractions in flight', async () => {
    testbed.fake.setScript({ rules: [extraction([], {}, { delayMs: 300 })] });
    const { result } = await run({ concurrency: 2 });
    assert.equal(result.status, 'analyzed');
    const starts = testbed.fake.requests.map((request) => request.receivedAt).sort((a, b) => a - b);
    const maxInFlight = Math.max(
      ...starts.map((start) => starts.filter((other) => other <= start && other > start - 300).length),
    );
    assert.ok(maxInFlight <= 2, `${maxInFlight} requests overlapped`);
    assert.ok(maxInFlight === 2, 'two lanes did run in parallel');
  });

  void it('repairs an extraction that does not match the schema', async () => {
    testbed.fake.setScript({
      rules: [extraction([{ field: 'term', value: 'x', quote: 'y' }], { times: 1 }), ...lawRules],
    });
    const { result } = await run({ concurrency: 1 });
    assert.equal(result.status, 'analyzed');
    assert.equal(testbed.fake.requests.length, result.chunks + 1);
    const repair = testbed.fake.requests[1]?.chatRequest?.messages.at(-1)?.content ?? '';
    assert.match(repair, /does not match the required output/);
  });

  void it('stops at a cap and lists the chunks it did not analyze', async () => {
    testbed.fake.setScript({ rules: lawRules });
    const { result } = await run({ concurrency: 1, caps: { maxIterations: 2 } });
    assert.equal(result.status, 'partial');
    assert.equal(result.chunksAnalyzed, 2);
    assert.equal(result.notAnalyzed.length, result.chunks - 2);
    assert.ok(result.notAnalyzed.every((entry) => entry.reason.startsWith('iteration_limit')));
    assert.equal(testbed.fake.requests.length, 2);
  });

  void it('reports a document it cannot read as failed, with the reason', async () => {
    const { result } = await run({ file: path.join(folder, 'missing.txt'), id: 'missing.txt' });
    assert.equal(result.status, 'failed');
    assert.match(result.reason ?? '', /missing\.txt/);
    assert.equal(testbed.fake.requests.length, 0);
  });
});
