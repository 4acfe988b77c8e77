import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { llmosBin, projectRoot } from '../../client/project-paths.js';

/** How a child process ended: its exit code, or the signal that killed it. */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** An `llmos worker` running as its own OS process. */
export interface WorkerProcess {
  readonly pid: number;
  readonly taskQueue: string;
  /** Sends a signal; SIGKILL gives the worker no chance to finish or report anything. */
  kill(signal?: NodeJS.Signals): void;
  /** Settles when the process has ended. */
  readonly exited: Promise<ChildExit>;
  /** Everything the process wrote so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM (a graceful worker shutdown), then SIGKILL if it has not ended within `graceMs`. */
  stop(graceMs?: number): Promise<ChildExit>;
}

/**
 * The environment of an llmos child process: this process's environment without any provider,
 * Temporal or llmos setting (a developer's real API key must never reach a test), plus `env`.
 */
export function llmosChildEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(OPENAI_|ANTHROPIC_|LLMOS_|TEMPORAL_)/.test(name)),
  );
  // No response cache unless a test asks: tests count the requests a model receives. No profile
  // of the developer's own `temporal` CLI config file either, unless a test names a file.
  return {
    ...base,
    NO_COLOR: '1',
    LLMOS_CACHE: 'off',
    TEMPORAL_CONFIG_FILE: path.join(projectRoot, '.llmos', 'no-temporal-config.toml'),
    ...env,
  };
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Children must not outlive a test process that dies or exits early (a failed assertion, a timeout). */
function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const orphan of live) orphan.kill('SIGKILL');
    });
  }
}

function spawnLlmos(
  args: string[],
  env: Record<string, string>,
  options: { stdin?: boolean } = {},
): { child: ChildProcess; exited: Promise<ChildExit>; output: () => string } {
  const child = spawn(process.execPath, [llmosBin, ...args], {
    cwd: projectRoot,
    env: llmosChildEnv(env),
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  track(child);
  const chunks: string[] = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => chunks.push(chunk));
  const exited = new Promise<ChildExit>((resolve, reject) => {
    child.once('error', reject);
    // 'close' (not 'exit'): the pipes are drained, so `output()` holds everything.
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return { child, exited, output: () => chunks.join('') };
}

/**
 * Starts `node bin/llmos.js worker` configured by environment variables, as an operator would,
 * and resolves once it has printed its start line (its Temporal connection and the worker are
 * created; polling starts right after). `env` adds e.g. `fakeProviderEnv(fake.url)`.
 */
export async function startWorkerProcess(options: {
  address: string;
  taskQueue: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}): Promise<WorkerProcess> {
  const { child, exited, output } = spawnLlmos(['worker'], {
    TEMPORAL_ADDRESS: options.address,
    LLMOS_TASK_QUEUE: options.taskQueue,
    LLMOS_LOG_LEVEL: 'WARN',
    ...options.env,
  });
  const startLine = `task queue ${options.taskQueue};`;
  const timeoutMs = options.startTimeoutMs ?? 120_000;
  try {
    await new Promise<void>((resolve, reject) => {
      let stdout = '';
      const onData = (chunk: string): void => {
        stdout += chunk;
        if (stdout.includes(startLine)) done(resolve);
      };
      const onExit = (): void =>
        done(() => reject(new Error(`the worker process ended before it started:\n${output()}`)));
      const timer = setTimeout(
        () =>
          done(() =>
            reject(new Error(`the worker process did not start within ${timeoutMs} ms:\n${output()}`)),
          ),
        timeoutMs,
      );
      const done = (settle: () => void): void => {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.off('exit', onExit);
        settle();
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited.catch(() => undefined);
    throw error;
  }
  const pid = child.pid!;
  return {
    pid,
    taskQueue: options.taskQueue,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      // process.kill by pid: the worker is `node bin/llmos.js` itself, not a shell around it.
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
    },
    exited,
    output,
    async stop(graceMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The result of one `llmos` command run to completion. */
export interface LlmosRun extends ChildExit {
  stdout: string;
  stderr: string;
}

/** A command's exit and output, for an assertion's message. */
export function describeRun(run: LlmosRun): string {
  return `exit ${run.code} ${run.signal ?? ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
}

/**
 * Runs `node bin/llmos.js <args>` as a user types it and waits for it to end; a command still
 * running after `timeoutMs` is killed and reported as such, with its output.
 */
export async function runLlmos(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 120_000,
  /** Written to the command's standard input, which is closed after it; none by default. */
  stdin?: string,
): Promise<LlmosRun> {
  const child = spawn(process.execPath, [llmosBin, ...args], {
    cwd: projectRoot,
    env: llmosChildEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  track(child);
  // Closed at once when there is no input: the command reads end of input, as from /dev/null.
  child.stdin.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  try {
    const exit = await new Promise<ChildExit>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    if (timedOut)
      throw new Error(
        `llmos ${args.join(' ')} did not end within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
      );
    return { ...exit, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** Starts `llmos <args>` without waiting for it to end: for long-running commands such as `fake-llm`. */
export function spawnLlmosCommand(
  args: string[],
  env: Record<string, string>,
  options: { stdin?: boolean } = {},
) {
  return spawnLlmos(args, env, options);
}
