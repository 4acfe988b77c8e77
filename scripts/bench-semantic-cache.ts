/**
 * What the semantic cache trades, with the local embedding model (`local:all-minilm-l6-v2`):
 *
 *   npm run bench:semantic-cache
 *
 * At each similarity threshold:
 * - hits on paraphrase pairs (test/fixtures/semantic-cache/question-pairs.jsonl, `same: true`:
 *   40 support questions, each asked two ways), which the cache should answer;
 * - false hits on near misses (the same 40 questions against one that reads alike but asks
 *   something else: the other light, turning off rather than on, another amount), which it must
 *   not;
 * - false hits among real questions that all differ: each GSM8K test question and each GNOME help
 *   article's title against its nearest other one.
 * Then the lookup's time with 1,000 and 10,000 questions stored under one context.
 *
 * The model is read from LLMOS_LOCAL_MODELS_DIR, else .tools/models (scripts/models/setup-local-models.sh).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createModelResolver } from '../activities/llm/model-resolver.js';
import { SqliteSemanticCache } from '../activities/llm/response-cache/semantic-cache.js';
import { defaultSemanticCacheThreshold } from '../activities/llm/response-cache/semantic-key.js';
import { projectRoot } from '../client/project-paths.js';
import { localEmbeddingModel } from '../common/embedding.js';
import { ModelRefSchema } from '../common/model-ref.js';
import { median, percentile } from './bench/agent-fixture.js';
import { readGsm8kQuestions, readHelpArticles } from './bench/injection-corpora.js';
import { mulberry32 } from './bench/generate-traffic-trace.js';

interface QuestionPair {
  a: string;
  b: string;
  same: boolean;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'llmos-bench-semantic-'));
const modelsDirectory = process.env.LLMOS_LOCAL_MODELS_DIR ?? path.join(projectRoot, '.tools', 'models');
const model = await createModelResolver({
  scriptsDirectory: scratch,
  localModelsDirectory: modelsDirectory,
  timeoutMs: 60_000,
})(ModelRefSchema.parse(localEmbeddingModel));
const embed = async (texts: readonly string[]) => (await model.embed!(texts)).vectors;

const cosine = (a: readonly number[], b: readonly number[]): number => {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    dot += a[index]! * b[index]!;
    normA += a[index]! ** 2;
    normB += b[index]! ** 2;
  }
  return dot / Math.sqrt(normA * normB);
};

const pairs = readFileSync(
  path.join(projectRoot, 'test/fixtures/semantic-cache/question-pairs.jsonl'),
  'utf8',
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as QuestionPair);
const pairSimilarities = async (same: boolean) => {
  const chosen = pairs.filter((pair) => pair.same === same);
  const [first, second] = await Promise.all([
    embed(chosen.map((pair) => pair.a)),
    embed(chosen.map((pair) => pair.b)),
  ]);
  return chosen.map((_, index) => cosine(first[index]!, second[index]!));
};
/** Each text's similarity to its nearest other text of the set. */
const nearestOther = async (texts: readonly string[]) => {
  const vectors = await embed(texts);
  return vectors.map((vector, index) =>
    Math.max(...vectors.map((other, otherIndex) => (otherIndex === index ? -1 : cosine(vector, other)))),
  );
};

const paraphrases = await pairSimilarities(true);
const nearMisses = await pairSimilarities(false);
const gsm8k = await nearestOther(readGsm8kQuestions());
const helpTitles = await nearestOther(readHelpArticles().map((article) => article.split('\n')[0]!));

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;
const share = (values: readonly number[], threshold: number) =>
  values.filter((value) => value >= threshold).length / values.length;
console.log(`Semantic cache with ${localEmbeddingModel}: answered from the cache at each threshold\n`);
console.log(
  `| threshold | paraphrases hit (${paraphrases.length}) | near misses hit (${nearMisses.length}) | GSM8K questions hit (${gsm8k.length}) | help titles hit (${helpTitles.length}) |`,
);
console.log('|---|---|---|---|---|');
for (const threshold of [0.8, 0.85, 0.9, 0.92, 0.94, 0.95, 0.96, 0.98]) {
  const marker = threshold === defaultSemanticCacheThreshold ? ' (default)' : '';
  console.log(
    `| ${threshold}${marker} | ${percent(share(paraphrases, threshold))} | ${percent(share(nearMisses, threshold))} | ${percent(share(gsm8k, threshold))} | ${percent(share(helpTitles, threshold))} |`,
  );
}
const describe = (values: readonly number[]) =>
  `median ${median(values).toFixed(3)}, min ${Math.min(...values).toFixed(3)}, max ${Math.max(...values).toFixed(3)}`;
console.log(`\nSimilarity of paraphrases: ${describe(paraphrases)}`);
console.log(`Similarity of near misses: ${describe(nearMisses)}`);
const closest = pairs
  .filter((pair) => !pair.same)
  .map((pair, index) => ({ pair, similarity: nearMisses[index]! }))
  .sort((x, y) => y.similarity - x.similarity)
  .slice(0, 5);
console.log('Closest near misses:');
for (const { pair, similarity } of closest)
  console.log(`  ${similarity.toFixed(3)}  "${pair.a}" / "${pair.b}"`);

// --- Lookup time ---------------------------------------------------------------------------------

const random = mulberry32(7);
const randomUnit = (dimensions: number) => {
  const vector = Array.from({ length: dimensions }, () => random() - 0.5);
  const norm = Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return vector.map((value) => value / norm);
};
const entry = {
  model: 'openai:gpt-4o-mini',
  response: {
    message: { role: 'assistant' as const, content: 'A stored answer of a few words.', toolCalls: [] },
    finishReason: 'stop' as const,
    usage: { inputTokens: 900, outputTokens: 12, cachedInputTokens: 0, reasoningTokens: 0 },
    responseModel: 'gpt-4o-mini',
  },
  costUsd: 0.0001,
};
console.log('\nLookup time, questions stored under one context (384 dimensions, SQLite file)\n');
console.log('| stored | p50 | p95 |');
console.log('|---|---|---|');
for (const stored of [1_000, 10_000]) {
  const cache = new SqliteSemanticCache({ file: path.join(scratch, `cache-${stored}.sqlite`) });
  for (let index = 0; index < stored; index += 1)
    await cache.add('context', randomUnit(384), entry, { ttlMs: 3_600_000 });
  const times: number[] = [];
  for (let query = 0; query < 50; query += 1) {
    const vector = randomUnit(384);
    const started = performance.now();
    await cache.nearest('context', vector);
    times.push(performance.now() - started);
  }
  console.log(`| ${stored} | ${median(times).toFixed(2)} ms | ${percentile(times, 95).toFixed(2)} ms |`);
  await cache.close();
}
rmSync(scratch, { recursive: true, force: true });
