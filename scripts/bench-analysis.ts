/**
 * Document analysis through Temporal with a fake model that takes 300 ms a call:
 *
 * 1. Map throughput: a corpus of D documents of K chunks each (N = D x K chunk extractions) at
 *    each concurrency C, wall time from start to report against the ideal N x 0.3 s / C; and
 *    where it goes: the time until the first model call, the model calls in flight on average
 *    from then to the last call's end (C at best), and the CPU seconds the run cost the worker,
 *    the Temporal server and the fake model. The CPU floor is all of them spread over every CPU,
 *    against the ideal: where the worker and the server share a few CPUs, wall/ideal cannot go
 *    below it.
 * 2. History: bytes and events of the corpus workflow and of one document's child workflow, per
 *    document; then one corpus of 500 one-chunk documents (zero model latency), whose parent
 *    history is compared with Temporal's limits (50 MB and 51,200 events per workflow).
 *
 *   npm run bench:analysis -- [--documents 8] [--chunks-per-document 6] [--concurrency 1,4,8,16]
 *                             [--delay-ms 300] [--history-documents 500]
 *
 * Starts an in-memory Temporal dev server, the fake OpenAI-compatible server in its own process
 * (as a provider is: its work must not load the worker's event loop) and one worker in this
 * process. The spec has no IDENTIFY or OUTPUT, so every model call timed is a chunk extraction.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import { countTokens } from '../activities/prompts/count-tokens.js';
import { startDevServer, type DevServer } from '../client/dev-server/dev-server.js';
import { connectClientTo, localServerConnection, startRun } from '../client/llmos-client.js';
import { projectRoot, toolsDirectory } from '../client/project-paths.js';
import type { AnalysisSpec } from '../common/analysis-spec.js';
import type { AnalysisRequest, AnalysisResult } from '../common/analysis.js';
import { parseWorkerConfig } from '../workers/config.js';
import { createWorker } from '../workers/create-worker.js';
import { installRuntime } from '../workers/install-runtime.js';
import { startFakeLlmProcess, type FakeLlmProcess } from './bench/fake-llm-process.js';
import { childProcessNamed, processCpuSeconds } from './bench/process-cpu.js';

const spec: AnalysisSpec = {
  name: 'bench',
  fields: [
    { name: 'governing_law', type: 'text', typeSource: 'inferred' },
    { name: 'parties', type: 'list', typeSource: 'inferred' },
  ],
  compare: ['governing_law'],
  across: 'documents',
  identify: [],
  output: [],
};
const chunkTokens = 300;

/** All the CPU seconds a run cost, NaN where a process's figure is unknown. */
function cpuTotal(cpu: { worker: number; server: number; model: number }): number {
  return cpu.worker + cpu.server + cpu.model;
}

function positiveInts(name: string, text: string): number[] {
  const values = text.split(',').map(Number);
  if (values.some((value) => !Number.isInteger(value) || value < 1))
    throw new Error(`--${name} takes positive whole numbers, comma-separated (got "${text}")`);
  return values;
}

/**
 * `count` documents of about `chunks` chunks each, cut from a CUAD contract's paragraphs (each
 * document starts at a different paragraph, so their texts and blobs differ).
 */
async function writeCorpus(folder: string, count: number, chunks: number): Promise<void> {
  const source = await readFile(
    path.join(projectRoot, 'examples', 'analysis', 'contracts', 'gocall-promotion-agreement.txt'),
    'utf8',
  );
  const paragraphs = source.split(/\n\s*\n/).filter((paragraph) => paragraph.trim().length > 40);
  const target = chunks * chunkTokens * 0.9;
  for (let index = 0; index < count; index += 1) {
    const parts: string[] = [`Document ${index + 1}`];
    let tokens = 0;
    for (let next = index; tokens < target; next += 1) {
      const paragraph = paragraphs[next % paragraphs.length]!;
      parts.push(paragraph);
      tokens += countTokens(paragraph);
    }
    await writeFile(
      path.join(folder, `document-${String(index + 1).padStart(4, '0')}.txt`),
      parts.join('\n\n'),
    );
  }
}

async function historyOf(client: Client, workflowId: string) {
  const handle = client.workflow.getHandle(workflowId);
  const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
  return {
    events: history.events?.length ?? 0,
    bytes: description.historySize ?? Buffer.byteLength(JSON.stringify(history)),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string', default: '8' },
      'chunks-per-document': { type: 'string', default: '6' },
      concurrency: { type: 'string', default: '1,4,8,16' },
      'delay-ms': { type: 'string', default: '300' },
      'history-documents': { type: 'string', default: '500' },
    },
  });
  const [documents] = positiveInts('documents', values.documents);
  const [chunksPerDocument] = positiveInts('chunks-per-document', values['chunks-per-document']);
  const concurrencies = positiveInts('concurrency', values.concurrency);
  const [delayMs] = positiveInts('delay-ms', values['delay-ms']);
  const [historyDocuments] = positiveInts('history-documents', values['history-documents']);
  installRuntime('WARN');

  const scratch = await mkdtemp(path.join(os.tmpdir(), 'llmos-bench-analysis-'));
  let server: DevServer | undefined;
  let fake: FakeLlmProcess | undefined;
  let worker: Awaited<ReturnType<typeof createWorker>> | undefined;
  let running: Promise<void> | undefined;
  let client: Client | undefined;
  try {
    fake = await startFakeLlmProcess(
      {
        rules: [
          {
            match: { responseFormat: '^chunk_extraction$' },
            reply: { json: { fields: [] }, delayMs: delayMs!, usage: { inputTokens: 500, outputTokens: 10 } },
          },
        ],
      },
      scratch,
    );
    server = await startDevServer({ toolsDirectory, log: (line) => console.error(line) });
    const config = parseWorkerConfig({
      TEMPORAL_ADDRESS: server.address,
      LLMOS_TASK_QUEUE: `bench-analysis-${randomUUID()}`,
      LLMOS_CACHE: 'off', // every extraction a real model call
      OPENAI_API_KEY: 'bench',
      OPENAI_BASE_URL: `${fake.url}/v1`,
      LLMOS_BLOB_DIRECTORY: path.join(scratch, 'blobs'),
      LLMOS_REPORTS_DIRECTORY: path.join(scratch, 'reports'),
    });
    worker = await createWorker(config);
    running = worker.worker.run();
    client = await connectClientTo(localServerConnection(server.address, server.namespace));
    // CPU the run costs each process: this one (the worker), the Temporal server, the fake model.
    const serverPid = await childProcessNamed('temporal');
    const cpuSeconds = async () => ({
      worker: process.cpuUsage(),
      server: serverPid === undefined ? undefined : await processCpuSeconds(serverPid),
      model: await processCpuSeconds(fake!.pid),
    });
    const analyze = async (folder: string, request: Partial<AnalysisRequest>) => {
      const cpuBefore = await cpuSeconds();
      const started = performance.now();
      const startedAt = Date.now();
      const handle = await startRun(
        client!,
        'analysis',
        {
          paths: [folder],
          spec,
          model: 'openai:gpt-4o-mini',
          chunking: { maxTokens: chunkTokens, overlapTokens: 0 },
          ...request,
        },
        { taskQueue: config.LLMOS_TASK_QUEUE },
      );
      const result: AnalysisResult = await Promise.race([
        handle.result(),
        running!.then(() => Promise.reject(new Error('the worker stopped during the benchmark'))),
      ]);
      const seconds = (performance.now() - started) / 1_000;
      const cpuAfter = await cpuSeconds();
      const workerUsage = process.cpuUsage(cpuBefore.worker);
      const cpu = {
        worker: (workerUsage.user + workerUsage.system) / 1e6,
        server: (cpuAfter.server ?? NaN) - (cpuBefore.server ?? NaN),
        model: (cpuAfter.model ?? NaN) - (cpuBefore.model ?? NaN),
      };
      if (result.notAnalyzed.length > 0)
        throw new Error(
          `run ${handle.workflowId} left work undone: ${JSON.stringify(result.notAnalyzed[0])}`,
        );
      // Where the wall time goes: until the first model call, and how many calls were in flight
      // on average from the first call's start to the last one's end (the ideal is C throughout).
      const calls = (await fake!.receivedAt()).filter((receivedAt) => receivedAt >= startedAt);
      const first = Math.min(...calls);
      const lastEnd = Math.max(...calls) + delayMs!;
      const inFlight = (calls.length * delayMs!) / (lastEnd - first);
      return {
        workflowId: handle.workflowId,
        result,
        seconds,
        firstCallS: (first - startedAt) / 1_000,
        inFlight,
        cpu,
      };
    };

    const corpus = path.join(scratch, 'corpus');
    await mkdir(corpus);
    await writeCorpus(corpus, documents!, chunksPerDocument!);
    const cpus = os.cpus();
    const lines = [
      `document analysis benchmark: fake model ${delayMs} ms a call, ${chunkTokens}-token chunks`,
      `machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), node ${process.version}`,
      '',
      'concurrency  chunks  wall s  ideal s  wall/ideal  first call s  calls in flight' +
        '  CPU s worker/server/model  CPU floor',
    ];
    let last: Awaited<ReturnType<typeof analyze>> | undefined;
    for (const concurrency of concurrencies) {
      last = await analyze(corpus, { concurrency });
      const chunks = last.result.documents.reduce((sum, document) => sum + document.chunks, 0);
      const ideal = (chunks * delayMs!) / 1_000 / concurrency;
      lines.push(
        `${String(concurrency).padStart(11)}${String(chunks).padStart(8)}${last.seconds.toFixed(2).padStart(8)}` +
          `${ideal.toFixed(2).padStart(9)}${(last.seconds / ideal).toFixed(2).padStart(12)}x` +
          `${last.firstCallS.toFixed(2).padStart(14)}${last.inFlight.toFixed(1).padStart(17)}` +
          `${[last.cpu.worker, last.cpu.server, last.cpu.model]
            .map((value) => value.toFixed(1))
            .join(' / ')
            .padStart(27)}` +
          `${(cpuTotal(last.cpu) / cpus.length / ideal).toFixed(2).padStart(10)}x`,
      );
      console.error(lines.at(-1));
    }

    const parent = await historyOf(client, last!.workflowId);
    const child = await historyOf(client, `${last!.workflowId}/document-1`);
    lines.push(
      '',
      `history, ${documents} documents x ${chunksPerDocument} chunks: corpus workflow ${parent.events} events, ` +
        `${parent.bytes.toLocaleString('en-US')} bytes (${Math.round(parent.bytes / documents!).toLocaleString('en-US')} bytes a document); ` +
        `one document's own workflow ${child.events} events, ${child.bytes.toLocaleString('en-US')} bytes`,
    );

    const many = path.join(scratch, 'many');
    await mkdir(many);
    await writeCorpus(many, historyDocuments!, 1);
    await fake.setScript({
      rules: [{ match: { responseFormat: '^chunk_extraction$' }, reply: { json: { fields: [] } } }],
    });
    const big = await analyze(many, { concurrency: 16 });
    const bigHistory = await historyOf(client, big.workflowId);
    lines.push(
      `history, ${historyDocuments} documents (zero-latency model, concurrency 16, ${big.seconds.toFixed(1)} s): ` +
        `corpus workflow ${bigHistory.events.toLocaleString('en-US')} events ` +
        `(${((bigHistory.events / 51_200) * 100).toFixed(1)}% of the 51,200-event limit), ` +
        `${bigHistory.bytes.toLocaleString('en-US')} bytes (${((bigHistory.bytes / 50_000_000) * 100).toFixed(2)}% of the 50 MB limit), ` +
        `${Math.round(bigHistory.bytes / historyDocuments!).toLocaleString('en-US')} bytes a document`,
    );
    console.log(lines.join('\n'));
  } finally {
    await client?.connection.close().catch(() => {});
    if (worker) {
      if (worker.worker.getState() === 'RUNNING') worker.worker.shutdown();
      await running?.catch(() => {});
      await worker.close().catch(() => {});
    }
    await fake?.close().catch(() => {});
    await server?.shutdown().catch(() => {});
    await rm(scratch, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(
    `bench:analysis failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
}
