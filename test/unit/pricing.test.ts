import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyUsage, type Usage } from '../../common/chat.js';
import { ModelRefSchema } from '../../common/model-ref.js';
import { builtInModelCatalogFile, loadModelCatalog } from '../../activities/llm/load-model-catalog.js';
import { priceTableOf } from '../../common/model-catalog.js';
import { computeCostUsd, findPrice as findPriceIn, type ModelPrice } from '../../common/pricing.js';

const ref = (value: string) => ModelRefSchema.parse(value);
const usage = (fields: Partial<Usage>): Usage => ({ ...emptyUsage, ...fields });

/** The built-in catalog's prices: the table workers price calls with. */
const priceTable = priceTableOf(loadModelCatalog(builtInModelCatalogFile));
const findPrice = (ref: Parameters<typeof findPriceIn>[0], table: Record<string, ModelPrice> = priceTable) =>
  findPriceIn(ref, table);

void describe('findPrice', () => {
  void it('finds an exact table entry', () => {
    assert.deepEqual(findPrice(ref('openai:gpt-4o-mini')), priceTable['openai:gpt-4o-mini']);
    assert.deepEqual(findPrice(ref('anthropic:claude-sonnet-4-5')), {
      inputPerMillion: 3,
      outputPerMillion: 15,
      cachedInputPerMillion: 0.3,
      cacheWriteInputPerMillion: 3.75,
    });
  });

  void it('prices a dated snapshot as its base model', () => {
    assert.deepEqual(findPrice(ref('openai:gpt-4o-mini-2024-07-18')), priceTable['openai:gpt-4o-mini']);
    assert.deepEqual(
      findPrice(ref('anthropic:claude-sonnet-4-5-20250929')),
      priceTable['anthropic:claude-sonnet-4-5'],
    );
    assert.deepEqual(
      findPrice(ref('anthropic:claude-haiku-4-5-latest')),
      priceTable['anthropic:claude-haiku-4-5'],
    );
  });

  void it('picks the longest base name, not a shorter prefix of it', () => {
    // gpt-4o-mini-2024-07-18 also starts with "gpt-4o-", but gpt-4o would be the wrong price.
    assert.notDeepEqual(findPrice(ref('openai:gpt-4o-mini-2024-07-18')), priceTable['openai:gpt-4o']);
    assert.deepEqual(findPrice(ref('openai:gpt-4o-2024-08-06')), priceTable['openai:gpt-4o']);
  });

  void it('does not treat an arbitrary suffix as a snapshot', () => {
    assert.equal(findPrice(ref('openai:gpt-4o-audio-preview')), undefined);
    assert.equal(findPrice(ref('openai:gpt-4o-2024')), undefined);
  });

  void it('returns undefined for an unknown model, and does not cross providers', () => {
    assert.equal(findPrice(ref('openai:gpt-99')), undefined);
    assert.equal(findPrice(ref('anthropic:gpt-4o')), undefined);
  });

  void it('scripted and compatible models are free', () => {
    const free: ModelPrice = { inputPerMillion: 0, outputPerMillion: 0, cachedInputPerMillion: 0 };
    assert.deepEqual(findPrice(ref('scripted:demo')), free);
    assert.deepEqual(findPrice(ref('compatible:llama3.1:8b')), free);
  });

  void it('uses the table it is given', () => {
    const table = {
      'openai:house-model': { inputPerMillion: 1, outputPerMillion: 2, cachedInputPerMillion: 0.5 },
    };
    assert.deepEqual(findPrice(ref('openai:house-model-20250101'), table), table['openai:house-model']);
    assert.equal(findPrice(ref('openai:gpt-4o'), table), undefined);
  });
});

void describe('computeCostUsd', () => {
  const price: ModelPrice = { inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3 };

  void it('charges input and output per million tokens', () => {
    assert.equal(computeCostUsd(usage({ inputTokens: 1_000_000, outputTokens: 1_000_000 }), price), 18);
    assert.ok(
      Math.abs(computeCostUsd(usage({ inputTokens: 1000, outputTokens: 500 }), price)! - 0.0105) < 1e-12,
    );
  });

  void it('bills cached input at the cached rate instead of, not on top of, the input rate', () => {
    // 1M input of which 800k cached: 200k * 3 + 800k * 0.3 = 0.6 + 0.24.
    const cost = computeCostUsd(usage({ inputTokens: 1_000_000, cachedInputTokens: 800_000 }), price);
    assert.ok(Math.abs(cost! - 0.84) < 1e-12, `cost was ${cost}`);
  });

  void it('bills prompt-cache writes at their own rate, or at the input rate when the price has none', () => {
    // 1M input: 500k written to the cache at 3.75, 100k read at 0.3, 400k plain at 3.
    const written = usage({
      inputTokens: 1_000_000,
      cachedInputTokens: 100_000,
      cacheWriteInputTokens: 500_000,
    });
    const cost = computeCostUsd(written, { ...price, cacheWriteInputPerMillion: 3.75 });
    assert.ok(Math.abs(cost! - (1.875 + 0.03 + 1.2)) < 1e-12, `cost was ${cost}`);
    assert.ok(Math.abs(computeCostUsd(written, price)! - (1.5 + 0.03 + 1.2)) < 1e-12);
  });

  void it('reasoning tokens are already in outputTokens and are not charged twice', () => {
    assert.equal(computeCostUsd(usage({ outputTokens: 1_000_000, reasoningTokens: 900_000 }), price), 15);
  });

  void it('is undefined without a price and zero for free models', () => {
    assert.equal(computeCostUsd(usage({ inputTokens: 10 }), undefined), undefined);
    assert.equal(
      computeCostUsd(usage({ inputTokens: 10, outputTokens: 10 }), findPrice(ref('compatible:qwen'))),
      0,
    );
  });
});
