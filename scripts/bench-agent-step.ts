/**
 * Time per agent step through Temporal against the same loop in-process, with a zero-latency
 * scripted model: what durability costs per step before any real model latency. Starts an
 * in-memory Temporal dev server and one worker in this process, runs the ReAct workflow R times
 * sequentially, then runs the mirrored loop (scripts/bench/in-process-agent.ts) R times with the
 * same activities called directly, and prints medians, p90s and their ratio.
 *
 *   npm run bench:agent-step -- [--runs 20] [--steps 10] [--warmup 3]
 *
 * One step is one model call plus its tool calls; a run's time per step is its wall time (start
 * to result) divided by its steps.
 */
import type { WorkerGroup } from '../workers/worker-group.js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer, type DevServer } from '../client/dev-server/dev-server.js';
import { connectClient, startRun, type AgentHandle } from '../client/llmos-client.js';
import { toolsDirectory } from '../client/project-paths.js';
import { parseWorkerConfig } from '../workers/config.js';
import { createActivitiesFromConfig, createWorker } from '../workers/create-worker.js';
import { installRuntime } from '../workers/install-runtime.js';
import {
  agentStepRequest,
  checkRun,
  median,
  percentile,
  writeAgentStepScript,
} from './bench/agent-fixture.js';
import { runAgentInProcess } from './bench/in-process-agent.js';

function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer (got "${text}")`);
  return value;
}

/** Per-step times (ms) of `count` runs made one after the other by `run`. */
async function measure(
  count: number,
  steps: number,
  run: (index: number) => Promise<void>,
): Promise<number[]> {
  const perStep: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const started = performance.now();
    await run(index);
    perStep.push((performance.now() - started) / steps);
  }
  return perStep;
}

const runTimeoutMs = 60_000;

async function resultWithin(handle: AgentHandle) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`run ${handle.workflowId} gave no result in ${runTimeoutMs} ms`)),
      runTimeoutMs,
    );
  });
  try {
    return await Promise.race([handle.result(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '20' },
      steps: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '3' },
    },
  });
  const runs = positiveInt('runs', values.runs);
  const steps = positiveInt('steps', values.steps);
  const warmup = positiveInt('warmup', values.warmup);
  installRuntime('WARN');

  const scriptDirectory = await mkdtemp(path.join(os.tmpdir(), 'llmos-bench-'));
  let server: DevServer | undefined;
  let worker: { worker: WorkerGroup; running: Promise<void>; close(): Promise<void> } | undefined;
  let client: Awaited<ReturnType<typeof connectClient>> | undefined;
  try {
    const request = agentStepRequest(await writeAgentStepScript(scriptDirectory, steps), steps);
    server = await startDevServer({ toolsDirectory, log: (line) => console.error(line) });
    const config = parseWorkerConfig({
      TEMPORAL_ADDRESS: server.address,
      LLMOS_TASK_QUEUE: `bench-${randomUUID()}`,
      LLMOS_CACHE: 'off', // every step a real model call
    });
    const created = await createWorker(config);
    const running = created.worker.run();
    worker = { worker: created.worker, running, close: created.close };
    client = await connectClient({ address: server.address, namespace: server.namespace });

    let lastHandle: AgentHandle | undefined;
    const temporalRun = async () => {
      const handle = await startRun(client!, 'agent', request, { taskQueue: config.LLMOS_TASK_QUEUE });
      checkRun(`Temporal run ${handle.workflowId}`, steps, await resultWithin(handle));
      lastHandle = handle;
    };
    const activities = createActivitiesFromConfig(config);
    const inProcessRun = async (index: number) => {
      checkRun(
        `in-process run ${index}`,
        steps,
        await runAgentInProcess(activities, request, `bench-in-process-${index}`),
      );
    };

    // A worker that stops early (a bad bundle, a lost server) fails the benchmark instead of hanging it.
    const measureAll = async () => {
      await measure(warmup, steps, temporalRun);
      const temporal = await measure(runs, steps, temporalRun);
      await measure(warmup, steps, inProcessRun);
      const inProcess = await measure(runs, steps, inProcessRun);
      return { temporal, inProcess };
    };
    const { temporal, inProcess } = await Promise.race([
      measureAll(),
      running.then(() => Promise.reject(new Error('the worker stopped during the benchmark'))),
    ]);

    const history = await lastHandle!.fetchHistory();
    const description = await lastHandle!.describe();
    const cpus = os.cpus();
    const row = (label: string, times: number[]) =>
      `${label.padEnd(26)}${median(times).toFixed(3).padStart(14)}${percentile(times, 90).toFixed(3).padStart(14)}`;
    const ratio = median(temporal) / median(inProcess);
    console.log(
      [
        `agent step benchmark: ${runs} runs x ${steps} steps (${steps} model calls + ${steps - 1} calculator calls a run), ${warmup} warm-up runs each`,
        `model: scripted, zero latency; Temporal: in-memory dev server (${server.cli.kind === 'executable' ? server.cli.origin : 'SDK download'}) + 1 worker in this process`,
        `machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), node ${process.version}, ${process.platform} ${process.arch}`,
        '',
        `${''.padEnd(26)}${'median ms/step'.padStart(14)}${'p90 ms/step'.padStart(14)}`,
        row('through Temporal', temporal),
        row('in-process (no Temporal)', inProcess),
        `ratio of medians: ${ratio.toFixed(1)}x (Temporal adds ${(median(temporal) - median(inProcess)).toFixed(3)} ms a step)`,
        '',
        `history of one Temporal run: ${history.events?.length ?? 0} events, ` +
          `${Buffer.byteLength(JSON.stringify(history)).toLocaleString('en-US')} bytes as JSON` +
          (description.historySize !== undefined
            ? ` (server-reported size ${description.historySize.toLocaleString('en-US')} bytes)`
            : ''),
      ].join('\n'),
    );
  } finally {
    await client?.connection.close().catch(() => {});
    if (worker) {
      if (worker.worker.getState() === 'RUNNING') worker.worker.shutdown();
      await worker.running.catch(() => {});
      await worker.close().catch(() => {});
    }
    await server?.shutdown().catch(() => {});
    await rm(scriptDirectory, { recursive: true, force: true });
  }
}

try {
  await main();
} catch (error) {
  console.error(
    `bench:agent-step failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  process.exitCode = 1;
}
