/**
 * Many runs at once on one worker, as a deployment runs them: `--runs` agent runs of `--steps`
 * steps each (a zero-latency scripted model, the calculator as the tool, cache off) started
 * together on one `llmos worker` process against a local dev server, beside the same runs as a
 * LangGraph.js ReAct graph with its SQLite checkpointer in this process. Each side is measured
 * `--rounds` times, alternating, and the figures of every round are printed:
 *
 *   npm run bench:concurrency -- [--runs 100] [--steps 10] [--rounds 2]
 *
 * Steps per second (all runs' steps over the wall time from the first start to the last result),
 * the single steps' latency p50/p95 (from one model call to the next, read from the histories),
 * CPU per step split into the worker's and the Temporal server's (from /proc), and the worker's
 * resident memory idle (before the first round) and at its peak (sampled every 100 ms). The
 * LangGraph side is one process: its CPU and memory are this process's.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer, type DevServer } from '../client/dev-server/dev-server.js';
import { connectClientTo, localServerConnection, startRun } from '../client/llmos-client.js';
import { toolsDirectory } from '../client/project-paths.js';
import { parseWorkerConfig } from '../workers/config.js';
import { createActivitiesFromConfig } from '../workers/create-worker.js';
import { installRuntime } from '../workers/install-runtime.js';
import { startWorkerProcess, type WorkerProcess } from '../test/helpers/worker-process.js';
import {
  agentStepRequest,
  checkRun,
  median,
  percentile,
  positiveInt,
  writeAgentStepScript,
} from './bench/agent-fixture.js';
import { createLangGraphAgent } from './bench/langgraph-agent.js';
import { childProcessNamed, processCpuSeconds } from './bench/process-cpu.js';
import { stepLatenciesFromHistory } from './bench/step-latencies.js';

/** Resident memory of process `pid` in bytes, from /proc; undefined without it. */
async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

/** Samples `read` every 100 ms until stopped; returns the peak. */
function watchPeak(read: () => Promise<number | undefined>): () => Promise<number | undefined> {
  let peak: number | undefined;
  const sample = async () => {
    const value = await read();
    if (value !== undefined) peak = Math.max(peak ?? 0, value);
  };
  const timer = setInterval(() => void sample(), 100);
  return async () => {
    clearInterval(timer);
    await sample();
    return peak;
  };
}

/** What one round of one side measured. */
interface Round {
  side: 'llmos' | 'LangGraph.js';
  stepsPerSecond: number;
  stepMs: number[];
  /** CPU milliseconds per step: the worker's (or this process's) and the server's. */
  workerCpuMs: number | undefined;
  serverCpuMs: number | undefined;
  peakRssBytes: number | undefined;
}

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    steps: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '2' },
  },
});
const runs = positiveInt('runs', values.runs);
const steps = positiveInt('steps', values.steps);
const rounds = positiveInt('rounds', values.rounds);
installRuntime('WARN');

const scriptDirectory = await mkdtemp(path.join(os.tmpdir(), 'llmos-bench-concurrency-'));
let server: DevServer | undefined;
let worker: WorkerProcess | undefined;
let closeLangGraph: (() => void) | undefined;
try {
  const request = agentStepRequest(await writeAgentStepScript(scriptDirectory, steps), steps);
  server = await startDevServer({ toolsDirectory, log: (line) => console.error(line) });
  const serverPid = await childProcessNamed('temporal');
  const taskQueue = `bench-concurrency-${randomUUID()}`;
  const blobs = path.join(scriptDirectory, 'blobs');
  const startedAt = performance.now();
  worker = await startWorkerProcess({
    address: server.address,
    taskQueue,
    env: { LLMOS_SCRIPTS_DIRECTORY: scriptDirectory, LLMOS_BLOB_DIRECTORY: blobs },
  });
  const startUpMs = performance.now() - startedAt;
  const workerPid = worker.pid;
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  const idleRss = await residentBytes(workerPid);
  const client = await connectClientTo(localServerConnection(server.address, server.namespace));
  const config = parseWorkerConfig({
    TEMPORAL_ADDRESS: server.address,
    LLMOS_TASK_QUEUE: taskQueue,
    LLMOS_CACHE: 'off',
    LLMOS_BLOB_DIRECTORY: blobs,
    LLMOS_SCRIPTS_DIRECTORY: scriptDirectory,
  });
  const langGraph = createLangGraphAgent(
    createActivitiesFromConfig(config),
    path.join(scriptDirectory, 'checkpoints.sqlite'),
  );
  closeLangGraph = langGraph.close;

  const llmosRound = async (): Promise<Round> => {
    const cpuBefore = await Promise.all([processCpuSeconds(workerPid), serverCpu()]);
    const peak = watchPeak(() => residentBytes(workerPid));
    const started = performance.now();
    const handles = await Promise.all(
      Array.from({ length: runs }, () => startRun(client, 'agent', request, { taskQueue })),
    );
    const results = await Promise.all(handles.map((handle) => handle.result()));
    const seconds = (performance.now() - started) / 1_000;
    const cpuAfter = await Promise.all([processCpuSeconds(workerPid), serverCpu()]);
    results.forEach((result, index) => checkRun(`run ${handles[index]!.workflowId}`, steps, result));
    const histories = await Promise.all(handles.map((handle) => handle.fetchHistory()));
    return {
      side: 'llmos',
      stepsPerSecond: (runs * steps) / seconds,
      stepMs: histories.flatMap((history) => stepLatenciesFromHistory(history.events ?? [])),
      workerCpuMs: perStep(cpuBefore[0], cpuAfter[0]),
      serverCpuMs: perStep(cpuBefore[1], cpuAfter[1]),
      peakRssBytes: await peak(),
    };
  };
  let langGraphRuns = 0;
  const langGraphRound = async (): Promise<Round> => {
    const cpuBefore = process.cpuUsage();
    const peak = watchPeak(() => Promise.resolve(process.memoryUsage.rss()));
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: runs }, () => langGraph.run(request, `bench-langgraph-${(langGraphRuns += 1)}`)),
    );
    const seconds = (performance.now() - started) / 1_000;
    const cpu = process.cpuUsage(cpuBefore);
    results.forEach((result, index) => checkRun(`LangGraph run ${index + 1}`, steps, result));
    return {
      side: 'LangGraph.js',
      stepsPerSecond: (runs * steps) / seconds,
      stepMs: results.flatMap((result) => result.stepLatenciesMs),
      workerCpuMs: (cpu.user + cpu.system) / 1_000 / (runs * steps),
      serverCpuMs: undefined,
      peakRssBytes: await peak(),
    };
  };
  const serverCpu = () =>
    serverPid === undefined ? Promise.resolve(undefined) : processCpuSeconds(serverPid);
  const perStep = (before: number | undefined, after: number | undefined) =>
    before === undefined || after === undefined ? undefined : ((after - before) * 1_000) / (runs * steps);

  const measured: Round[] = [];
  for (let round = 0; round < rounds; round += 1) {
    measured.push(await llmosRound());
    measured.push(await langGraphRound());
  }

  const fixed = (value: number | undefined, digits = 1) =>
    value === undefined ? 'n/a' : value.toFixed(digits);
  const mb = (bytes: number | undefined) =>
    bytes === undefined ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`;
  console.log(
    `\n${runs} runs x ${steps} steps at once, one worker; worker start-up ${Math.round(startUpMs)} ms, ` +
      `idle RSS ${mb(idleRss)}\n`,
  );
  console.log(
    '| round | side | steps/s | step p50 | step p95 | CPU/step worker | CPU/step server | peak RSS |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  measured.forEach((round, index) =>
    console.log(
      `| ${Math.floor(index / 2) + 1} | ${round.side} | ${round.stepsPerSecond.toFixed(1)} | ` +
        `${Math.round(median(round.stepMs))} ms | ${Math.round(percentile(round.stepMs, 95))} ms | ` +
        `${fixed(round.workerCpuMs)} ms | ${fixed(round.serverCpuMs)} ms | ${mb(round.peakRssBytes)} |`,
    ),
  );
  const bySide = (side: Round['side']) =>
    median(measured.filter((round) => round.side === side).map((round) => round.stepsPerSecond));
  console.log(
    `\nLangGraph.js / llmos steps per second (medians of the rounds): ` +
      `${(bySide('LangGraph.js') / bySide('llmos')).toFixed(1)}x`,
  );
} finally {
  closeLangGraph?.();
  await worker?.stop();
  await server?.shutdown();
  await rm(scriptDirectory, { recursive: true, force: true });
}
