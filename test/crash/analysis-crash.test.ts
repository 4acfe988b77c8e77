/**
 * SIGKILL a worker process in the middle of a corpus analysis. A new worker finishes the run; the
 * fake server received every chunk extraction that had completed before the kill exactly once,
 * and only the extractions in flight at the kill were sent again.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { analyzeCorpusWorkflow } from '../../workflows/analysis.js';
import {
  chunkOf,
  demoAnalysisScript,
  exampleContracts,
  exampleContractsSpec,
} from '../helpers/analysis-corpus.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv } from '../helpers/test-worker.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const extractionDelayMs = 700;

void describe('a corpus analysis whose worker is killed mid-run', { timeout: 300_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  const workers: WorkerProcess[] = [];
  const output = mkdtempSync(path.join(tmpdir(), 'llmos-crash-'));

  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({ script: demoAnalysisScript({ delayMs: extractionDelayMs }) });
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await fake?.close();
    await temporal?.close();
    rmSync(output, { recursive: true, force: true });
  });

  const startWorker = async (taskQueue: string) => {
    const worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue,
      env: fakeProviderEnv(fake.url),
    });
    workers.push(worker);
    return worker;
  };
  const extractions = () =>
    fake.requests.filter((request) => request.chatRequest?.responseFormat?.name === 'chunk_extraction');

  void it('resumes on a new worker without sending a completed chunk extraction again', async () => {
    const taskQueue = `analysis-crash-${randomUUID()}`;
    const first = await startWorker(taskQueue);
    const handle = await temporal.env.client.workflow.start<typeof analyzeCorpusWorkflow>(
      'analyzeCorpusWorkflow',
      {
        args: [
          {
            paths: [exampleContracts],
            spec: exampleContractsSpec(),
            model: 'openai:gpt-4o-mini',
            concurrency: 2,
            outputFolder: output,
            retry: { heartbeatTimeoutMs: 3_000, initialIntervalMs: 200, maximumAttempts: 5 },
          },
        ],
        taskQueue,
        workflowId: `analysis-crash-${randomUUID()}`,
      },
    );

    // Kill once some extractions have completed and others are in flight.
    const deadline = Date.now() + 60_000;
    while (extractions().filter((request) => request.status === 200).length < 3) {
      assert.ok(Date.now() < deadline, 'the extractions never got going');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    first.kill('SIGKILL');
    const killedAt = Date.now();
    assert.equal((await first.exited).signal, 'SIGKILL');
    // Answered well before the kill: the worker had time to report them complete.
    const completedBeforeKill = new Set(
      extractions()
        .filter(
          (request) => request.status === 200 && request.receivedAt + extractionDelayMs < killedAt - 250,
        )
        .flatMap((request) => chunkOf(request.chatRequest?.messages.at(-1)?.content) ?? []),
    );
    const sentBeforeKill = extractions().length;

    await startWorker(taskQueue);
    const result = await handle.result();

    assert.deepEqual(
      result.documents.map((document) => document.status),
      ['analyzed', 'analyzed', 'analyzed'],
    );
    const totalChunks = result.documents.reduce((sum, document) => sum + document.chunks, 0);
    const counts = new Map<string, number>();
    for (const request of extractions()) {
      const chunk = chunkOf(request.chatRequest?.messages.at(-1)?.content) ?? '?';
      counts.set(chunk, (counts.get(chunk) ?? 0) + 1);
    }
    assert.equal(counts.size, totalChunks, 'every chunk was extracted');
    assert.ok(completedBeforeKill.size >= 2, `${completedBeforeKill.size} completed before the kill`);
    for (const chunk of completedBeforeKill) assert.equal(counts.get(chunk), 1, `${chunk} was sent again`);
    const repeated = [...counts.values()].filter((count) => count > 1).length;
    assert.ok(repeated <= 2, `${repeated} chunks sent twice: only the two in flight may be`);
    assert.ok(sentBeforeKill < totalChunks, 'the kill came in the middle of the map');
    assert.equal(result.hallucinatedQuotes, 0);
  });
});
