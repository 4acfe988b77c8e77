/**
 * Many runs at once on one worker, as a deployment runs them: `--runs` agent runs of `--steps`
 * steps each (a zero-latency scripted model, the calculator as the tool, cache off) started
 * together on one `llmos worker` process against a local dev server, beside the same runs as a
 * LangGraph.js ReAct graph with its SQLite checkpointer in this process. Each side is measured
 * `--rounds` times, alternating, and the figures of every round are printed:
 *
 *   npm run bench:concurrency -- [--runs 100] [--steps 10] [--rounds 2] [--sources]
 *     [--set LLMOS_MAX_CONCURRENT_WORKFLOW_TASKS=20 ...] [--llmos-only]
 *
 * The worker is the built package's, as deployed (the script runs `npm run build` first), or with
 * `--sources` the TypeScript sources through tsx. `--set` gives the worker a setting (its tuning
 * knobs, say); `--llmos-only` leaves LangGraph out, for comparing settings. `--address` runs
 * against another Temporal server instead of a dev server, its CPU measured when `--server-pid`
 * names its process (`npm run test:cluster -- --bench` does both, on PostgreSQL).
 *
 * Steps per second (all runs' steps over the wall time from the first start to the last result),
 * the single steps' latency p50/p95 (from one model call to the next, read from the histories),
 * CPU per step split into the worker's and the Temporal server's (from /proc), and the worker's
 * resident memory idle (12 s after it started, when the SDK has let go of the copy of the bundle
 * it keeps for a debugger for 10 s) and at its peak (sampled every 100 ms). The
 * LangGraph side is one process: its CPU and memory are this process's.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDevServer, type DevServer } from '../client/dev-server/dev-server.js';
import { connectClientTo, localServerConnection, startRun } from '../client/llmos-client.js';
import { projectRoot, toolsDirectory } from '../client/project-paths.js';
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
  round: number;
  side: 'llmos' | 'LangGraph.js';
  stepsPerSecond: number;
  stepMs: number[];
  /** History events per run, and the workflow tasks that timed out or failed (llmos only). */
  eventsPerRun?: number;
  troubledTasks?: number;
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
    sources: { type: 'boolean', default: false },
    set: { type: 'string', multiple: true, default: [] },
    'llmos-only': { type: 'boolean', default: false },
    address: { type: 'string' },
    'server-pid': { type: 'string' },
  },
});
const workerSettings = Object.fromEntries(
  values.set.map((setting) => {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(setting);
    if (!match) throw new Error(`--set ${setting}: expected NAME=value`);
    return [match[1]!, match[2]!];
  }),
);
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
  if (!values.sources) {
    const build = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-package.ts'], {
      cwd: projectRoot,
      stdio: 'inherit',
    });
    if (build.status !== 0) throw new Error('npm run build failed');
  }
  const serverAddress =
    values.address ??
    (server = await startDevServer({ toolsDirectory, log: (line) => console.error(line) })).address;
  const serverNamespace = server?.namespace ?? 'default';
  const serverPid = server
    ? await childProcessNamed('temporal')
    : values['server-pid'] === undefined
      ? undefined
      : positiveInt('server-pid', values['server-pid']);
  const taskQueue = `bench-concurrency-${randomUUID()}`;
  const blobs = path.join(scriptDirectory, 'blobs');
  const startedAt = performance.now();
  worker = await startWorkerProcess({
    address: serverAddress,
    taskQueue,
    env: {
      LLMOS_SCRIPTS_DIRECTORY: scriptDirectory,
      LLMOS_BLOB_DIRECTORY: blobs,
      ...(values.sources ? {} : { LLMOS_RUN_BUILT: '1' }),
      ...workerSettings,
    },
  });
  const startUpMs = performance.now() - startedAt;
  const workerPid = worker.pid;
  await new Promise((resolve) => setTimeout(resolve, 12_000));
  const idleRss = await residentBytes(workerPid);
  const client = await connectClientTo(localServerConnection(serverAddress, serverNamespace));
  const config = parseWorkerConfig({
    TEMPORAL_ADDRESS: serverAddress,
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

  const llmosRound = async (round: number): Promise<Round> => {
    const cpuBefore = await Promise.all([processCpuSeconds(workerPid), serverCpu()]);
    const peak = watchPeak(() => residentBytes(workerPid));
    const started = performance.now();
    const handles = await Promise.all(
      Array.from({ length: runs }, () => startRun(client, 'agent', request, { taskQueue })),
    );
    // A worker that dies mid-round (out of memory, say) would leave the runs waiting for ever.
    const workerDied = worker!.exited.then(({ code, signal }) => {
      throw new Error(`the worker exited (${code ?? signal}) mid-round:\n${worker!.output().slice(-3_000)}`);
    });
    workerDied.catch(() => undefined); // the race reports it; after the round it is no news
    const results = await Promise.race([Promise.all(handles.map((handle) => handle.result())), workerDied]);
    const seconds = (performance.now() - started) / 1_000;
    const cpuAfter = await Promise.all([processCpuSeconds(workerPid), serverCpu()]);
    results.forEach((result, index) => checkRun(`run ${handles[index]!.workflowId}`, steps, result));
    const histories = await Promise.all(handles.map((handle) => handle.fetchHistory()));
    return {
      round,
      side: 'llmos',
      stepsPerSecond: (runs * steps) / seconds,
      stepMs: histories.flatMap((history) => stepLatenciesFromHistory(history.events ?? [])),
      eventsPerRun: histories.reduce((sum, history) => sum + (history.events?.length ?? 0), 0) / runs,
      troubledTasks: histories
        .flatMap((history) => history.events ?? [])
        .filter(
          (event) => event.workflowTaskTimedOutEventAttributes || event.workflowTaskFailedEventAttributes,
        ).length,
      workerCpuMs: perStep(cpuBefore[0], cpuAfter[0]),
      serverCpuMs: perStep(cpuBefore[1], cpuAfter[1]),
      peakRssBytes: await peak(),
    };
  };
  let langGraphRuns = 0;
  const langGraphRound = async (round: number): Promise<Round> => {
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
      round,
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
  for (let round = 1; round <= rounds; round += 1) {
    measured.push(await llmosRound(round));
    if (!values['llmos-only']) measured.push(await langGraphRound(round));
  }

  const fixed = (value: number | undefined, digits = 1) =>
    value === undefined ? 'n/a' : value.toFixed(digits);
  const ms = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(1)} ms`);
  const mb = (bytes: number | undefined) =>
    bytes === undefined ? 'n/a' : `${Math.round(bytes / 2 ** 20)} MB`;
  const settings = Object.entries(workerSettings).map(([name, value]) => `${name}=${value}`);
  console.log(
    `\n${runs} runs x ${steps} steps at once, one worker (${values.sources ? 'sources, tsx' : 'built package'}` +
      `${settings.length > 0 ? `; ${settings.join(' ')}` : ''}); worker start-up ${Math.round(startUpMs)} ms, ` +
      `idle RSS ${mb(idleRss)}\n`,
  );
  console.log(
    '| round | side | steps/s | step p50 | step p95 | CPU/step worker | CPU/step server | peak RSS | events/run | tasks timed out or failed |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  measured.forEach((round) =>
    console.log(
      `| ${round.round} | ${round.side} | ${round.stepsPerSecond.toFixed(1)} | ` +
        `${Math.round(median(round.stepMs))} ms | ${Math.round(percentile(round.stepMs, 95))} ms | ` +
        `${ms(round.workerCpuMs)} | ${ms(round.serverCpuMs)} | ${mb(round.peakRssBytes)} | ` +
        `${fixed(round.eventsPerRun)} | ${round.troubledTasks ?? 'n/a'} |`,
    ),
  );
  const bySide = (side: Round['side']) =>
    median(measured.filter((round) => round.side === side).map((round) => round.stepsPerSecond));
  if (!values['llmos-only'])
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
