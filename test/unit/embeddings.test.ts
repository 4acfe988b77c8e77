import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createBlobStore } from '../../activities/blobs/blob-store.js';
import {
  createEmbedActivities,
  type EmbedTextsOutput,
} from '../../activities/llm/embeddings/embed-activities.js';
import { projectRoot } from '../../client/project-paths.js';
import { openSqliteEmbeddingCache } from '../../activities/llm/embeddings/embedding-cache.js';
import { createEmbedder } from '../../activities/llm/embeddings/embed-texts.js';
import { createModelResolver } from '../../activities/llm/model-resolver.js';
import { builtInModelCatalogFile, loadModelCatalog } from '../../activities/llm/load-model-catalog.js';
import { cosineSimilarity, hashedEmbedding } from '../../common/embedding.js';
import { ErrorType } from '../../common/errors.js';
import { priceOf } from '../../common/model-catalog.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-embeddings-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const catalog = loadModelCatalog(builtInModelCatalogFile);

void describe('embeddings in the model layer', () => {
  let server: FakeLlmServer;
  before(async () => {
    server = await startFakeLlmServer({ script: {} });
  });
  after(() => server.close());

  const resolver = () =>
    createModelResolver({
      openai: { apiKey: 'sk-test', baseURL: `${server.url}/v1` },
      anthropic: { apiKey: 'sk-ant-test', baseURL: server.url },
      compatible: { baseURL: `${server.url}/v1` },
      scriptsDirectory: path.join(projectRoot, 'examples', 'scripted'),
      localModelsDirectory: path.join(projectRoot, '.tools', 'models'),
      timeoutMs: 5_000,
    });

  void it('embeds through the OpenAI SDK, in order, priced from the catalog, and caches by content', async () => {
    const cache = openSqliteEmbeddingCache(path.join(folder, `${crypto.randomUUID()}.sqlite`));
    try {
      const embed = createEmbedder(resolver(), { priceOf: (model) => priceOf(catalog, model), cache }, 2);
      const texts = [
        'The supplier may terminate the agreement on 30 days notice.',
        'Either party may terminate this agreement with thirty days notice.',
        'The invoice is payable in euros within 60 days.',
      ];
      server.reset();
      const first = await embed('openai:text-embedding-3-small', texts);
      assert.equal(first.vectors.length, 3);
      assert.equal(first.vectors[0]?.length, 256);
      assert.equal(first.calls, 2, 'three texts in batches of two');
      assert.equal(first.cachedTexts, 0);
      assert.ok(first.usage.inputTokens > 0);
      assert.equal(first.costUsd, (first.usage.inputTokens * 0.02) / 1_000_000);
      // The fake's vectors: texts that share words are closer than texts that do not.
      const [termination, alsoTermination, invoice] = first.vectors;
      assert.ok(
        cosineSimilarity(termination, alsoTermination!) > cosineSimilarity(termination, invoice!),
        'paraphrases are closer',
      );
      assert.deepEqual(
        server.requests.map((request) => [request.path, request.model, request.status]),
        [
          ['/v1/embeddings', 'text-embedding-3-small', 200],
          ['/v1/embeddings', 'text-embedding-3-small', 200],
        ],
      );
      // Again, with one new text: only that one is sent, and the rest cost nothing.
      const second = await embed('openai:text-embedding-3-small', [...texts, 'A fourth clause.']);
      assert.equal(second.calls, 1);
      assert.equal(second.cachedTexts, 3);
      assert.equal(server.requests.length, 3);
      assert.deepEqual((server.requests[2]?.body as { input: string[] }).input, ['A fourth clause.']);
      for (const [index, vector] of first.vectors.entries())
        assert.ok(cosineSimilarity(vector, second.vectors[index]!) > 0.999999, 'a cached vector is the same');
    } finally {
      await cache.close();
    }
  });

  void it('embeds on a compatible server and on the scripted model, which need no key and cost nothing', async () => {
    const embed = createEmbedder(resolver(), { priceOf: (model) => priceOf(catalog, model) });
    const compatible = await embed('compatible:nomic-embed-text', ['hello world']);
    assert.deepEqual(compatible.vectors[0], hashedEmbedding('hello world'));
    const scripted = await embed('scripted:demo-agent', ['hello world']);
    assert.deepEqual(scripted.vectors[0], hashedEmbedding('hello world'));
    assert.equal(scripted.costUsd, 0);
  });

  void it('refuses a model that cannot embed, for good', async () => {
    const embed = createEmbedder(resolver(), { priceOf: () => undefined });
    await assert.rejects(embed('anthropic:claude-haiku-4-5', ['x']), (error: unknown) => {
      assert.ok(error instanceof ApplicationFailure);
      assert.equal(error.type, ErrorType.UnknownModel);
      assert.equal(error.nonRetryable, true);
      assert.match(error.message, /anthropic:claude-haiku-4-5 cannot embed text/);
      return true;
    });
  });

  void it('the activity keeps the vectors in the blob store and returns their reference, usage and cost', async () => {
    const blobs = createBlobStore(path.join(folder, 'blobs'));
    const activities = createEmbedActivities({
      embed: createEmbedder(resolver(), { priceOf: (model) => priceOf(catalog, model) }),
      blobs,
    });
    const output: EmbedTextsOutput = await new MockActivityEnvironment().run(
      (input) => activities.embedTexts(input),
      {
        model: 'openai:text-embedding-3-small',
        texts: ['one clause', 'another clause'],
      },
    );
    assert.equal(output.count, 2);
    assert.equal(output.dimensions, 256);
    assert.ok((output.costUsd ?? 0) > 0);
    const vectors = JSON.parse(await blobs.get(output.vectors)) as number[][];
    assert.deepEqual(vectors[0], hashedEmbedding('one clause'));
    assert.ok(JSON.stringify(output).length < 400, 'the result holds a reference, not the vectors');
  });
});
