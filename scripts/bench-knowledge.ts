/**
 * `npm run bench:knowledge`: how well the knowledge bases find what is asked, and what it costs.
 *
 * 1. Retrieval quality on CUAD's clause labels (test/fixtures/knowledge/cuad-queries.jsonl, made
 *    by scripts/bench/cuad-queries.ts): the 23 contracts, normalised and cut into chunks of 200
 *    o200k tokens (20 shared with the next), go into one SQLite base, embedded with the local
 *    all-MiniLM-L6-v2. A query asks CUAD's description of a clause category; its relevant chunks
 *    are those that overlap a span CUAD's lawyers labelled for that category. Two tasks:
 *    - per (contract, category): the question about one contract, searched within that contract
 *      (a filter on the document's `source`) in the base that holds all 23, as an application
 *      asks about one document; unfiltered, the same clause in another contract would answer the
 *      question and still count as wrong;
 *    - per category: the question over the whole base, relevant in every contract labelled with
 *      it (categories labelled in at least 3 contracts): finding a kind of clause across many
 *      contracts. Most have more relevant chunks than k, so the table gives the best recall possible.
 *    Recall@5, recall@10 and nDCG@10 (binary relevance) for BM25 alone, dense alone and both
 *    fused by RRF, through `hybridSearch` with MMR off (its default); one more row with MMR at 0.7.
 * 2. Embedding throughput of the local model (one thread, as the worker runs it) on those chunks,
 *    and the time to embed one query.
 * 3. Search latency p50/p95 on bases of 10,000 and 100,000 chunks, and the file size per chunk.
 *    The chunks are synthetic: the real chunk texts reused in turn, with seeded random vectors
 *    (unit length, 384 values, around 64 cluster centres, a chunk's centre fixed by its text) so
 *    100,000 texts need not be embedded. sqlite-vec searches exactly (a full scan), so its cost
 *    does not depend on how the vectors lie; BM25's depends on the words, which are real.
 *
 *   npm run bench:knowledge -- [--scales 10000,100000] [--latency-queries 100]
 *
 * The model is read from LLMOS_LOCAL_MODELS_DIR, else .tools/models (scripts/models/setup-local-models.sh).
 * About 3.5 CPU minutes, a minute of it embedding the 833 chunks: 5.5 minutes wall on 2 busy CPUs.
 */
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hybridSearch, type HybridSearchOptions } from '../activities/knowledge/hybrid-search.js';
import type { ChunkToStore, KnowledgeStore } from '../activities/knowledge/knowledge-store.js';
import { openSqliteKnowledgeStore } from '../activities/knowledge/sqlite-knowledge-store.js';
import { createModelResolver } from '../activities/llm/model-resolver.js';
import { projectRoot } from '../client/project-paths.js';
import type { KnowledgeChunk, KnowledgeFilter } from '../common/knowledge.js';
import { ModelRefSchema } from '../common/model-ref.js';
import { median, percentile } from './bench/agent-fixture.js';
import {
  chunkContract,
  queryChunking,
  readCuadContracts,
  readCuadQueries,
  relevantChunks,
} from './bench/cuad-queries.js';
import { mulberry32 } from './bench/generate-traffic-trace.js';

const { values } = parseArgs({
  options: {
    scales: { type: 'string', default: '10000,100000' },
    'latency-queries': { type: 'string', default: '100' },
  },
});
const scales = values.scales.split(',').map(Number);
const latencyQueries = Number(values['latency-queries']);
if (scales.some((scale) => !Number.isInteger(scale) || scale < 1) || !(latencyQueries >= 1)) {
  console.error(
    '--scales takes positive whole numbers, comma-separated; --latency-queries a positive number',
  );
  process.exit(2);
}

const embeddingModel = 'local:all-minilm-l6-v2';
const dimensions = 384;
const base = 'bench';
/** Categories of the per-category task: labelled in at least this many contracts. */
const minContractsPerCategory = 3;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'llmos-bench-knowledge-'));

// --- The labelled set ----------------------------------------------------------------------------

const contracts = readCuadContracts();
const queries = readCuadQueries();
/** A document id per contract: its file name without `.txt` (ids name chunks: `<id>#<index>`). */
const documentIdOf = (contract: string) => path.basename(contract, '.txt');
const chunked = contracts.map((contract) => ({ ...contract, chunks: chunkContract(contract.text) }));
const chunksOf = new Map(chunked.map((contract) => [contract.contract, contract.chunks]));
const spanKey = (documentId: string, start: number, end: number) => `${documentId}@${start}-${end}`;

// The committed relevant chunks must be the ones this chunker cuts: else the set is stale.
for (const query of queries) {
  const chunks = chunksOf.get(query.contract);
  const now = chunks && relevantChunks(chunks, query.labels);
  if (JSON.stringify(now) !== JSON.stringify(query.relevant))
    throw new Error(
      `the relevant chunks of ${query.contract} / ${query.category} differ from today's chunking: regenerate with node --import tsx scripts/bench/cuad-queries.ts`,
    );
}

const modelsDirectory = process.env.LLMOS_LOCAL_MODELS_DIR ?? path.join(projectRoot, '.tools', 'models');
const model = await createModelResolver({
  scriptsDirectory: scratch,
  localModelsDirectory: modelsDirectory,
  timeoutMs: 60_000,
})(ModelRefSchema.parse(embeddingModel));
const embed = model.embed!.bind(model);

// --- Embedding throughput --------------------------------------------------------------------------

const allChunks = chunked.flatMap((contract) =>
  contract.chunks.map((chunk) => ({ contract: contract.contract, chunk })),
);
const chunkTexts = allChunks.map(({ chunk }) => chunk.text);
await embed(chunkTexts.slice(0, 16)); // the session's first runs are slower
const cpuSeconds = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1e6;
};
const embedStarted = performance.now();
const embedCpu = process.cpuUsage();
const embedded = await embed(chunkTexts);
const embedSeconds = (performance.now() - embedStarted) / 1000;
const embedCpuSeconds = cpuSeconds(embedCpu);
const questions = [...new Set(queries.map((query) => query.question))];
const queryMs: number[] = [];
const questionVectors = new Map<string, number[]>();
for (const question of questions) {
  const started = performance.now();
  const { vectors } = await embed([question]);
  queryMs.push(performance.now() - started);
  questionVectors.set(question, vectors[0]!);
}
// Short texts for comparison: the questions in one call, several times over.
const shortTexts = Array.from({ length: 4 }, () => questions).flat();
const shortStarted = performance.now();
const shortCpu = process.cpuUsage();
const shortEmbedded = await embed(shortTexts);
const shortSeconds = (performance.now() - shortStarted) / 1000;
const shortCpuSeconds = cpuSeconds(shortCpu);

// --- The real base -----------------------------------------------------------------------------------

const realFile = path.join(scratch, 'cuad.sqlite');
const store = openSqliteKnowledgeStore(realFile);
await store.createBase(base, { model: embeddingModel, dimensions });
let vectorIndex = 0;
for (const contract of chunked) {
  await store.replaceDocument(
    base,
    {
      id: documentIdOf(contract.contract),
      name: contract.contract,
      sha256: '-',
      metadata: { source: contract.contract },
    },
    contract.chunks.map((chunk) => ({ ...chunk, vector: embedded.vectors[vectorIndex++]! })),
  );
}

interface Task {
  question: string;
  filter: KnowledgeFilter | undefined;
  relevant: Set<string>;
}
const perContract: Task[] = queries.map((query) => ({
  question: query.question,
  filter: { source: [query.contract] },
  relevant: new Set(query.relevant.map(([start, end]) => spanKey(documentIdOf(query.contract), start, end))),
}));
const categories = [...new Set(queries.map((query) => query.category))];
const perCategory: (Task & { category: string })[] = categories
  .map((category) => queries.filter((query) => query.category === category))
  .filter((labelled) => labelled.length >= minContractsPerCategory)
  .map((labelled) => ({
    category: labelled[0]!.category,
    question: labelled[0]!.question,
    filter: undefined,
    relevant: new Set(
      labelled.flatMap((query) =>
        query.relevant.map(([start, end]) => spanKey(documentIdOf(query.contract), start, end)),
      ),
    ),
  }));

const retrievers: { label: string; options: Pick<HybridSearchOptions, 'mode' | 'mmrLambda'> }[] = [
  { label: 'keyword (BM25)', options: { mode: 'keyword', mmrLambda: 1 } },
  { label: 'dense (all-MiniLM-L6-v2)', options: { mode: 'dense', mmrLambda: 1 } },
  { label: 'hybrid (RRF, k 60)', options: { mode: 'hybrid', mmrLambda: 1 } },
  { label: 'hybrid + MMR (lambda 0.7; off by default)', options: { mode: 'hybrid', mmrLambda: 0.7 } },
];

interface Scores {
  recall5: number[];
  recall10: number[];
  ndcg10: number[];
}
const hitKey = (chunk: KnowledgeChunk) => spanKey(chunk.documentId, chunk.start, chunk.end);

async function score(tasks: readonly Task[], options: Pick<HybridSearchOptions, 'mode' | 'mmrLambda'>) {
  const scores: Scores = { recall5: [], recall10: [], ndcg10: [] };
  for (const task of tasks) {
    const hits = await hybridSearch(
      store,
      base,
      { text: task.question, vector: questionVectors.get(task.question) },
      { limit: 10, filter: task.filter, ...options },
    );
    const relevant = hits.map((hit) => task.relevant.has(hitKey(hit)));
    const found = (k: number) => relevant.slice(0, k).filter(Boolean).length;
    scores.recall5.push(found(5) / task.relevant.size);
    scores.recall10.push(found(10) / task.relevant.size);
    const gain = (flags: readonly boolean[]) =>
      flags.reduce((sum, flag, index) => sum + (flag ? 1 / Math.log2(index + 2) : 0), 0);
    const ideal = gain(Array.from({ length: Math.min(10, task.relevant.size) }, () => true));
    scores.ndcg10.push(gain(relevant) / ideal);
  }
  return scores;
}

const mean = (numbers: readonly number[]) => numbers.reduce((sum, value) => sum + value, 0) / numbers.length;
const fixed = (value: number) => value.toFixed(3);

async function qualityTable(title: string, tasks: readonly Task[], ceiling: boolean): Promise<void> {
  console.log(`\n${title}\n`);
  console.log('| retriever | recall@5 | recall@10 | nDCG@10 |');
  console.log('|---|---|---|---|');
  const results = new Map<string, Scores>();
  for (const retriever of retrievers) {
    const scores = await score(tasks, retriever.options);
    results.set(retriever.options.mode! + retriever.options.mmrLambda!, scores);
    console.log(
      `| ${retriever.label} | ${fixed(mean(scores.recall5))} | ${fixed(mean(scores.recall10))} | ${fixed(mean(scores.ndcg10))} |`,
    );
  }
  if (ceiling) {
    const best = (k: number) =>
      mean(tasks.map((task) => Math.min(k, task.relevant.size) / task.relevant.size));
    console.log(
      `| (best possible: more relevant chunks than k) | ${fixed(best(5))} | ${fixed(best(10))} | 1.000 |`,
    );
  }
  const keyword = results.get('keyword1')!.recall10;
  const dense = results.get('dense1')!.recall10;
  const hybrid = results.get('hybrid1')!.recall10;
  const versus = (other: readonly number[], name: string) => {
    const better = hybrid.filter((value, index) => value > other[index]!).length;
    const worse = hybrid.filter((value, index) => value < other[index]!).length;
    return `better than ${name} on ${better}, worse on ${worse}`;
  };
  const [h, k, d] = [mean(hybrid), mean(keyword), mean(dense)];
  console.log(
    h > k && h > d
      ? `\nHybrid beats both single retrievers on recall@10 (${fixed(h)} against ${fixed(k)} for BM25 and ${fixed(d)} for dense).`
      : `\nHybrid does NOT beat both single retrievers on recall@10: ${fixed(h)} against ${fixed(k)} for BM25 and ${fixed(d)} for dense.`,
  );
  console.log(
    `Query by query (recall@10, ${tasks.length} queries), hybrid is ${versus(keyword, 'BM25')}; ${versus(dense, 'dense')}.`,
  );
}

const fileBytes = (file: string) =>
  [file, `${file}-wal`].reduce((sum, part) => sum + (existsSync(part) ? statSync(part).size : 0), 0);

const chunkTokens = embedded.usage.inputTokens / chunkTexts.length;
const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(1))
    .join(', ');
console.log(
  `\nKnowledge bases on CUAD: ${contracts.length} contracts, ${allChunks.length} chunks of at most ${queryChunking.maxTokens} o200k tokens ` +
    `(${queryChunking.overlapTokens} shared with the next), ${queries.length} labelled (contract, category) pairs in ${categories.length} categories`,
);
console.log(
  `Embedding model: ${embeddingModel} (${dimensions} dimensions), on one thread; SQLite store (FTS5 BM25, sqlite-vec exact cosine)`,
);
console.log(
  `Load average after embedding: ${loadAverage()} on ${os.availableParallelism()} CPUs (wall times stretch when the CPUs are shared; CPU seconds do not)`,
);

await qualityTable(
  `Per (contract, category): ${perContract.length} queries, each searched within its contract (${fixed(
    mean(perContract.map((task) => task.relevant.size)),
  )} relevant of ${fixed(allChunks.length / contracts.length)} chunks a contract on average)`,
  perContract,
  false,
);
await qualityTable(
  `Per category over the whole base: ${perCategory.length} queries (categories labelled in ${minContractsPerCategory}+ contracts), ` +
    `${allChunks.length} chunks, ${fixed(mean(perCategory.map((task) => task.relevant.size)))} relevant a query on average`,
  perCategory,
  true,
);

await store.close();
const realBytes = fileBytes(realFile);

console.log('\nEmbedding with the local model (one thread)\n');
console.log('| what | figure |');
console.log('|---|---|');
console.log(
  `| chunks embedded | ${chunkTexts.length} in ${embedSeconds.toFixed(1)} s wall, ${embedCpuSeconds.toFixed(1)} s CPU |`,
);
console.log(
  `| chunks a second (wall / a CPU second) | ${(chunkTexts.length / embedSeconds).toFixed(1)} / ${(chunkTexts.length / embedCpuSeconds).toFixed(1)} |`,
);
console.log(`| model tokens a chunk (cut at 256) | ${chunkTokens.toFixed(0)} |`);
console.log(
  `| model tokens a second (wall / a CPU second) | ${Math.round(embedded.usage.inputTokens / embedSeconds)} / ${Math.round(embedded.usage.inputTokens / embedCpuSeconds)} |`,
);
console.log(
  `| short texts a second (the questions, ${(shortEmbedded.usage.inputTokens / shortTexts.length).toFixed(0)} model tokens each; wall / a CPU second) | ${(shortTexts.length / shortSeconds).toFixed(1)} / ${(shortTexts.length / shortCpuSeconds).toFixed(1)} |`,
);
console.log(
  `| one query embedded, p50 / p95 | ${median(queryMs).toFixed(1)} / ${percentile(queryMs, 95).toFixed(1)} ms |`,
);
console.log(
  `| CUAD base file | ${(realBytes / 1024 / 1024).toFixed(1)} MB, ${Math.round(realBytes / allChunks.length)} bytes a chunk |`,
);

// --- Latency at scale ----------------------------------------------------------------------------------

/** A unit vector near `centre`: cosine about 0.7 to it. */
function near(centre: readonly number[], random: () => number): number[] {
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const spread = 1 / Math.sqrt(dimensions);
  const vector = centre.map((value) => value + gaussian() * spread);
  const length = Math.hypot(...vector);
  return vector.map((value) => value / length);
}
const random = mulberry32(20261207);
const origin = new Array<number>(dimensions).fill(0);
const centres = Array.from({ length: 64 }, () => near(origin, random));

async function syntheticStore(
  count: number,
): Promise<{ store: KnowledgeStore; file: string; insertSeconds: number }> {
  const file = path.join(scratch, `synthetic-${count}.sqlite`);
  const synthetic = openSqliteKnowledgeStore(file);
  await synthetic.createBase(base, { model: embeddingModel, dimensions });
  const perDocument = 500;
  const started = performance.now();
  for (let first = 0; first < count; first += perDocument) {
    const chunks: ChunkToStore[] = [];
    for (let index = first; index < Math.min(count, first + perDocument); index += 1) {
      const source = index % chunkTexts.length;
      const text = chunkTexts[source]!;
      chunks.push({
        index: index - first,
        start: 0,
        end: text.length,
        text,
        vector: near(centres[source % centres.length]!, random),
      });
    }
    await synthetic.replaceDocument(
      base,
      { id: `synthetic-${first / perDocument}`, name: 'synthetic', sha256: '-', metadata: {} },
      chunks,
    );
  }
  return { store: synthetic, file, insertSeconds: (performance.now() - started) / 1000 };
}

const latencyModes: { label: string; options: Pick<HybridSearchOptions, 'mode' | 'mmrLambda'> }[] = [
  { label: 'keyword', options: { mode: 'keyword', mmrLambda: 1 } },
  { label: 'dense', options: { mode: 'dense', mmrLambda: 1 } },
  { label: 'hybrid', options: { mode: 'hybrid', mmrLambda: 1 } },
  { label: 'hybrid + MMR', options: { mode: 'hybrid', mmrLambda: 0.7 } },
];
const probes = questions.map((question, index) => ({
  text: question,
  vector: near(centres[index % centres.length]!, random),
}));

console.log(
  `\nSearch latency on synthetic bases (real chunk texts reused in turn, seeded clustered random vectors; ` +
    `${latencyQueries} searches a mode, the ${probes.length} CUAD questions in turn, 10 hits, 50 candidates a retriever)\n`,
);
console.log(
  '| chunks | insert (chunks/s) | file size | bytes a chunk | keyword p50 / p95 | dense p50 / p95 | hybrid p50 / p95 | hybrid + MMR p50 / p95 |',
);
console.log('|---|---|---|---|---|---|---|---|');
const cpuRows: string[] = [];
for (const count of scales) {
  const { store: synthetic, file, insertSeconds } = await syntheticStore(count);
  const cells: string[] = [];
  const cpuCells: string[] = [];
  for (const { options } of latencyModes) {
    const search = (probe: (typeof probes)[number]) =>
      hybridSearch(synthetic, base, probe, { limit: 10, ...options });
    for (const probe of probes.slice(0, 5)) await search(probe);
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let round = 0; round < latencyQueries; round += 1) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      await search(probes[round % probes.length]!);
      cpuTimes.push(cpuSeconds(cpu) * 1000);
      times.push(performance.now() - started);
    }
    cells.push(`${median(times).toFixed(1)} / ${percentile(times, 95).toFixed(1)} ms`);
    cpuCells.push(`${median(cpuTimes).toFixed(1)} / ${percentile(cpuTimes, 95).toFixed(1)} ms`);
  }
  await synthetic.close();
  const bytes = fileBytes(file);
  console.log(
    `| ${count.toLocaleString('en')} | ${Math.round(count / insertSeconds)} | ${(bytes / 1024 / 1024).toFixed(1)} MB | ${Math.round(bytes / count)} | ${cells.join(' | ')} |`,
  );
  cpuRows.push(`| ${count.toLocaleString('en')} | ${cpuCells.join(' | ')} |`);
  rmSync(file, { force: true });
}
console.log(
  '\nThe same searches in CPU time (the load on the machine stretches the wall times above, not these)\n',
);
console.log('| chunks | keyword p50 / p95 | dense p50 / p95 | hybrid p50 / p95 | hybrid + MMR p50 / p95 |');
console.log('|---|---|---|---|---|');
for (const row of cpuRows) console.log(row);
console.log(
  `\nA vector alone is ${dimensions * 4} bytes (${dimensions} float32); the average chunk text is ${Math.round(
    chunkTexts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / chunkTexts.length,
  )} bytes, kept once in the table and indexed again by FTS5.`,
);
console.log(`Load average at the end: ${loadAverage()}`);
rmSync(scratch, { recursive: true, force: true });
