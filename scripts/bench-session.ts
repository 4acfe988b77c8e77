/**
 * What a customer-service session costs in history and latency as it grows, with a zero-latency
 * scripted model: one session on the shipped configuration (config/customer_service.yaml, its
 * defaults: six recent turns, continue-as-new every 50 turns), one message after another, on an
 * in-memory dev server as `llmos server` starts it and one worker in this process.
 *
 *   npm run bench:session -- [--turns 10,100,200]
 *
 * At each checkpoint it prints the session's history bytes per turn (every execution's
 * `historySize`, summed, over the turns so far, and over the turns since the checkpoint before),
 * its largest execution's bytes, how many executions it took, the child runs' history bytes per turn (each turn's agent run and the
 * summaries), and the turn latency the customer sees (the Update's round trip), p50 and p95, over
 * the turns since the previous checkpoint.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { FakeLlmScript } from '../activities/llm/scripted/script-schema.js';
import { startDevServer, type DevServer } from '../client/dev-server/dev-server.js';
import { startSession, sendMessage } from '../client/customer-service.js';
import { connectClientTo, localServerConnection } from '../client/llmos-client.js';
import { toolsDirectory } from '../client/project-paths.js';
import { parseWorkerConfig } from '../workers/config.js';
import { createWorker } from '../workers/create-worker.js';
import { installRuntime } from '../workers/install-runtime.js';
import { median, percentile } from './bench/agent-fixture.js';

const script: FakeLlmScript = {
  rules: [
    {
      match: { lastUserMessage: 'Turns to add' },
      reply: {
        text: 'The customer reported a router that restarts at night and asked several follow-up questions; each was answered, and nothing is open.',
      },
    },
    {
      match: { lastUserMessage: 'Message: ' },
      reply: {
        text: 'Thank you. Please update the router to the latest firmware and move it away from other electronics; if it still restarts, I can open a ticket for you.',
      },
    },
  ],
};

/** Each execution of a workflow, first to last, following its continue-as-new events. */
async function executions(client: Client, workflowId: string, firstRunId: string) {
  const runs: { runId: string; historyBytes: number }[] = [];
  let runId: string | undefined = firstRunId;
  while (runId !== undefined) {
    const handle: WorkflowHandle = client.workflow.getHandle(workflowId, runId);
    const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
    runs.push({ runId, historyBytes: description.historySize ?? Number.NaN });
    const next: string | null | undefined =
      history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    runId = next ?? undefined;
  }
  return runs;
}

/** The summed history bytes of the session's child runs (its turns' agents and its summaries). */
async function childHistoryBytes(
  client: Client,
  sessionId: string,
): Promise<{ runs: number; bytes: number }> {
  let runs = 0;
  let bytes = 0;
  for await (const execution of client.workflow.list({ query: `WorkflowId STARTS_WITH '${sessionId}/'` })) {
    runs += 1;
    bytes += execution.historySize ?? 0;
  }
  return { runs, bytes };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { turns: { type: 'string', default: '10,100,200' } } });
  const checkpoints = values.turns.split(',').map(Number);
  if (checkpoints.some((turns) => !Number.isInteger(turns) || turns < 1))
    throw new Error(`--turns must be positive integers, comma-separated (got "${values.turns}")`);
  const lastTurn = Math.max(...checkpoints);
  installRuntime('WARN');
  const directory = await mkdtemp(path.join(os.tmpdir(), 'llmos-bench-session-'));
  let server: DevServer | undefined;
  let worker: Awaited<ReturnType<typeof createWorker>> | undefined;
  let running: Promise<void> | undefined;
  try {
    await writeFile(path.join(directory, 'support.json'), JSON.stringify(script));
    server = await startDevServer({ toolsDirectory, log: (line) => console.error(line) });
    const config = parseWorkerConfig({
      TEMPORAL_ADDRESS: server.address,
      LLMOS_TASK_QUEUE: `bench-${randomUUID()}`,
      LLMOS_CACHE: 'off',
      LLMOS_BLOB_DIRECTORY: path.join(directory, 'blobs'),
      LLMOS_AUDIT_FILE: path.join(directory, 'audit.sqlite'),
      LLMOS_SCRIPTS_DIRECTORY: directory,
    });
    worker = await createWorker(config);
    running = worker.worker.run();
    const client = await connectClientTo(localServerConnection(server.address, server.namespace));
    const handle = await startSession(
      client,
      { model: 'scripted:support', customer: { id: 'C-1001', name: 'Jane Roe' } },
      { taskQueue: config.LLMOS_TASK_QUEUE },
    );
    const firstRunId = (await handle.describe()).runId;

    console.log(`Session ${handle.workflowId}, shipped configuration, zero-latency scripted model\n`);
    console.log(
      '| turns | session bytes/turn | bytes/turn since the last line | largest execution (bytes) | executions | child runs | child bytes/turn | turn p50 ms | turn p95 ms |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    let latencies: number[] = [];
    let before = { turn: 0, bytes: 0 };
    for (let turn = 1; turn <= lastTurn; turn += 1) {
      const started = performance.now();
      const reply = await sendMessage(
        client,
        handle.workflowId,
        `Message ${turn}: my router still restarts at night, what else can I try?`,
      );
      latencies.push(performance.now() - started);
      if (reply.outcome !== 'answered') throw new Error(`turn ${turn} was not answered: ${reply.detail}`);
      if (!checkpoints.includes(turn)) continue;
      const runs = await executions(client, handle.workflowId, firstRunId);
      const sessionBytes = runs.reduce((sum, run) => sum + run.historyBytes, 0);
      // Visibility lags a little behind the runs: the child list is read after a moment.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const children = await childHistoryBytes(client, handle.workflowId);
      const largest = Math.max(...runs.map((run) => run.historyBytes));
      const sinceBefore = (sessionBytes - before.bytes) / (turn - before.turn);
      console.log(
        `| ${turn} | ${Math.round(sessionBytes / turn)} | ${Math.round(sinceBefore)} | ${largest} | ${runs.length} | ${children.runs} | ${Math.round(children.bytes / turn)} | ${median(latencies).toFixed(1)} | ${percentile(latencies, 95).toFixed(1)} |`,
      );
      before = { turn, bytes: sessionBytes };
      latencies = [];
    }
  } finally {
    if (worker && worker.worker.getState() === 'RUNNING') worker.worker.shutdown();
    await running?.catch(() => {});
    await worker?.close();
    await server?.shutdown().catch(() => {});
    await rm(directory, { recursive: true, force: true });
  }
}

await main();
