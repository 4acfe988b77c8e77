/**
 * What durability costs per agent step, measured side by side with a zero-latency scripted model:
 * the ReAct workflow through Temporal (an in-memory dev server started as `llmos server` starts
 * it, one worker in this process) against the same loop in-process
 * (scripts/bench/in-process-agent.ts, the same activity functions called directly) and against
 * the peer, a LangGraph.js ReAct graph with its SQLite checkpointer over the same activity
 * functions (scripts/bench/langgraph-agent.ts).
 *
 *   npm run bench:agent-step -- [--lengths 10,50,200] [--runs 5] [--warmup 2] [--concurrent 100]
 *
 * For each run length it runs `--runs` runs one after the other and prints the median and p95 of
 * the single steps' latencies (one step: a model call and the tool call it asks for, from one
 * model call to the next), and the server's history size per step. Then it starts `--concurrent`
 * 10-step runs at once on the one worker and prints steps per second, the p95 step latency and
 * the peak RSS of this process (worker and client).
 */
import type { WorkerGroup } from '../workers/worker-group.js';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer, type DevServer } from '../client/dev-server/dev-server.js';
import {
  connectClientTo,
  localServerConnection,
  startRun,
  withWholeTrace,
  type AgentHandle,
} from '../client/llmos-client.js';
import { toolsDirectory } from '../client/project-paths.js';
import type { AgentRequest } from '../common/agent.js';
import { parseWorkerConfig } from '../workers/config.js';
import { createActivitiesFromConfig, createWorker } from '../workers/create-worker.js';
import { installRuntime } from '../workers/install-runtime.js';
import { traceSegmentReader } from '../workers/local-tools/trace-segments.js';
import {
  agentStepRequest,
  checkRun,
  median,
  percentile,
  positiveInt,
  writeAgentStepScript,
} from './bench/agent-fixture.js';
import { runAgentInProcess } from './bench/in-process-agent.js';
import { createLangGraphAgent } from './bench/langgraph-agent.js';
import { stepLatenciesFromHistory } from './bench/step-latencies.js';

const runTimeoutMs = 10 * 60_000;

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

/** Step latencies and history sizes of a set of runs of one length, one side. */
interface Sample {
  stepsMs: number[];
  historyBytesPerStep?: number;
}

/** Samples the RSS of this process every 50 ms until stopped; returns the peak. */
function watchRss(): () => number {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage.rss());
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lengths: { type: 'string', default: '10,50,200' },
      runs: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '2' },
      concurrent: { type: 'string', default: '100' },
    },
  });
  const lengths = values.lengths.split(',').map((length) => positiveInt('lengths', length.trim()));
  const runs = positiveInt('runs', values.runs);
  const warmup = positiveInt('warmup', values.warmup);
  const concurrent = positiveInt('concurrent', values.concurrent);
  const concurrentSteps = 10;
  installRuntime('WARN');

  const scriptDirectory = await mkdtemp(path.join(os.tmpdir(), 'llmos-bench-'));
  let server: DevServer | undefined;
  let worker: { worker: WorkerGroup; running: Promise<void>; close(): Promise<void> } | undefined;
  let client: Awaited<ReturnType<typeof connectClientTo>> | undefined;
  let closeLangGraph: (() => void) | undefined;
  try {
    const requests = new Map<number, AgentRequest>();
    for (const steps of new Set([...lengths, concurrentSteps]))
      requests.set(steps, agentStepRequest(await writeAgentStepScript(scriptDirectory, steps), steps));
    server = await startDevServer({ toolsDirectory, log: (line) => console.error(line) });
    const config = parseWorkerConfig({
      TEMPORAL_ADDRESS: server.address,
      LLMOS_TASK_QUEUE: `bench-${randomUUID()}`,
      LLMOS_CACHE: 'off', // every step a real model call
      LLMOS_BLOB_DIRECTORY: path.join(scriptDirectory, 'blobs'),
      LLMOS_SCRIPTS_DIRECTORY: scriptDirectory,
    });
    const created = await createWorker(config);
    const running = created.worker.run();
    worker = { worker: created.worker, running, close: created.close };
    client = await connectClientTo(localServerConnection(server.address, server.namespace));
    const activities = createActivitiesFromConfig(config);
    // Long runs keep their earlier trace steps in the worker's blob store.
    const traces = traceSegmentReader({ LLMOS_BLOB_DIRECTORY: config.LLMOS_BLOB_DIRECTORY });

    const temporalRun = async (steps: number): Promise<Sample> => {
      const handle = await startRun(client!, 'agent', requests.get(steps)!, {
        taskQueue: config.LLMOS_TASK_QUEUE,
      });
      checkRun(
        `Temporal run ${handle.workflowId}`,
        steps,
        await withWholeTrace(await resultWithin(handle), traces.read),
      );
      const [history, description] = await Promise.all([handle.fetchHistory(), handle.describe()]);
      return {
        stepsMs: stepLatenciesFromHistory(history.events ?? []),
        historyBytesPerStep: (description.historySize ?? Number.NaN) / steps,
      };
    };
    let inProcessRuns = 0;
    const inProcessRun = async (steps: number): Promise<Sample> => {
      inProcessRuns += 1;
      const result = await runAgentInProcess(
        activities,
        requests.get(steps)!,
        `bench-in-process-${inProcessRuns}`,
      );
      checkRun(`in-process run ${inProcessRuns}`, steps, result);
      return { stepsMs: result.stepLatenciesMs };
    };
    const langGraph = createLangGraphAgent(activities, path.join(scriptDirectory, 'checkpoints.sqlite'));
    closeLangGraph = langGraph.close;
    let langGraphRuns = 0;
    const langGraphRun = async (steps: number): Promise<Sample> => {
      langGraphRuns += 1;
      const result = await langGraph.run(requests.get(steps)!, `bench-langgraph-${langGraphRuns}`);
      checkRun(`LangGraph run ${langGraphRuns}`, steps, result);
      return { stepsMs: result.stepLatenciesMs };
    };
    const sequential = async (steps: number, run: (steps: number) => Promise<Sample>) => {
      for (let index = 0; index < warmup; index += 1) await run(steps);
      const samples: Sample[] = [];
      for (let index = 0; index < runs; index += 1) samples.push(await run(steps));
      return samples;
    };
    const atOnce = async (run: (steps: number) => Promise<Sample>) => {
      const peakRss = watchRss();
      const started = performance.now();
      const samples = await Promise.all(Array.from({ length: concurrent }, () => run(concurrentSteps)));
      const seconds = (performance.now() - started) / 1_000;
      return { samples, seconds, rssBytes: peakRss() };
    };

    // A worker that stops early (a bad bundle, a lost server) fails the benchmark instead of hanging it.
    const measureAll = async () => {
      const byLength = [];
      for (const steps of lengths)
        byLength.push({
          steps,
          temporal: await sequential(steps, temporalRun),
          inProcess: await sequential(steps, inProcessRun),
          langGraph: await sequential(steps, langGraphRun),
        });
      return {
        byLength,
        temporal: await atOnce(temporalRun),
        inProcess: await atOnce(inProcessRun),
        langGraph: await atOnce(langGraphRun),
      };
    };
    const measured = await Promise.race([
      measureAll(),
      running.then(() => Promise.reject(new Error('the worker stopped during the benchmark'))),
    ]);

    const cpus = os.cpus();
    const allSteps = (samples: Sample[]) => samples.flatMap((sample) => sample.stepsMs);
    const ms = (value: number) => value.toFixed(value < 10 ? 3 : 1);
    const columns = (cells: string[], widths: number[]) =>
      cells
        .map((cell, index) => (index === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[index]!)))
        .join('');
    const sequentialWidths = [8, 16, 14, 16, 14, 18, 16, 12, 14, 20];
    const concurrentWidths = [26, 12, 16, 12];
    const lines = [
      `agent step benchmark: runs of ${lengths.join(', ')} steps (one model call and one calculator call a step), ${runs} runs each after ${warmup} warm-up runs; then ${concurrent} runs of ${concurrentSteps} steps at once`,
      `model: scripted, zero latency; Temporal: in-memory dev server (${server.cli.kind === 'executable' ? server.cli.origin : 'SDK download'}) + 1 worker in this process`,
      `machine: ${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), node ${process.version}, ${process.platform} ${process.arch}`,
      '',
      columns(
        [
          'steps',
          'Temporal median',
          'Temporal p95',
          'in-proc median',
          'in-proc p95',
          'LangGraph median',
          'LangGraph p95',
          'vs in-proc',
          'vs LangGraph',
          'history bytes/step',
        ],
        sequentialWidths,
      ),
    ];
    for (const { steps, temporal, inProcess, langGraph: peer } of measured.byLength) {
      const temporalSteps = allSteps(temporal);
      const inProcessSteps = allSteps(inProcess);
      const peerSteps = allSteps(peer);
      const historyPerStep = median(temporal.map((sample) => sample.historyBytesPerStep ?? Number.NaN));
      lines.push(
        columns(
          [
            String(steps),
            `${ms(median(temporalSteps))} ms`,
            `${ms(percentile(temporalSteps, 95))} ms`,
            `${ms(median(inProcessSteps))} ms`,
            `${ms(percentile(inProcessSteps, 95))} ms`,
            `${ms(median(peerSteps))} ms`,
            `${ms(percentile(peerSteps, 95))} ms`,
            `${(median(temporalSteps) / median(inProcessSteps)).toFixed(0)}x`,
            `${(median(temporalSteps) / median(peerSteps)).toFixed(2)}x`,
            Math.round(historyPerStep).toLocaleString('en-US'),
          ],
          sequentialWidths,
        ),
      );
    }
    lines.push(
      '',
      columns(
        [`${concurrent} x ${concurrentSteps} steps at once`, 'steps/s', 'p95 step', 'peak RSS'],
        concurrentWidths,
      ),
    );
    for (const [label, side] of [
      ['through Temporal', measured.temporal],
      ['in-process', measured.inProcess],
      ['LangGraph + SQLite', measured.langGraph],
    ] as const)
      lines.push(
        columns(
          [
            label,
            ((concurrent * concurrentSteps) / side.seconds).toFixed(1),
            `${ms(percentile(allSteps(side.samples), 95))} ms`,
            `${Math.round(side.rssBytes / 2 ** 20)} MiB`,
          ],
          concurrentWidths,
        ),
      );
    console.log(lines.join('\n'));
  } finally {
    closeLangGraph?.();
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
