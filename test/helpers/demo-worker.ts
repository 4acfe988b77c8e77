import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { buildDemoKnowledgeBase } from '../../client/cs-demo.js';
import type { connectTemporal } from './temporal.js';
import { startWorkerProcess, type WorkerProcess } from './worker-process.js';

const modelsDirectory = process.env.LLMOS_TEST_LOCAL_MODELS_DIR;

/** Why a test of the example company cannot run here, if it cannot: the local embedding model is missing. */
export const demoWorkerSkip =
  modelsDirectory && existsSync(path.join(modelsDirectory, 'all-minilm-l6-v2'))
    ? false
    : 'LLMOS_TEST_LOCAL_MODELS_DIR names no installed model: run scripts/models/setup-local-models.sh';

/**
 * A worker process for the example company, its stores in `scratch`, with the knowledge base
 * `brightline` built; `env` is what an `llmos` command needs to use the same server, task queue
 * and stores.
 */
export async function startDemoWorker(
  temporal: Awaited<ReturnType<typeof connectTemporal>>,
  scratch: string,
): Promise<{ worker: WorkerProcess; env: Record<string, string> }> {
  const taskQueue = `demo-${randomUUID()}`;
  const stores = {
    LLMOS_KNOWLEDGE_FILE: path.join(scratch, 'knowledge.sqlite'),
    LLMOS_TICKETS_FILE: path.join(scratch, 'tickets.sqlite'),
    LLMOS_AUDIT_FILE: path.join(scratch, 'audit.sqlite'),
    LLMOS_CACHE_FILE: path.join(scratch, 'cache.sqlite'),
    LLMOS_BLOB_DIRECTORY: path.join(scratch, 'blobs'),
  };
  const worker = await startWorkerProcess({
    address: temporal.address,
    taskQueue,
    env: { ...stores, LLMOS_LOCAL_MODELS_DIR: modelsDirectory! },
  });
  await buildDemoKnowledgeBase(temporal.env.client, { taskQueue, print: () => undefined });
  return { worker, env: { ...stores, TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue } };
}
