import { Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { llmosBin, stateDirectory as defaultStateDirectory, toolsDirectory } from '../project-paths.js';
import { findTemporalCli } from './find-temporal-cli.js';

/** True when a Temporal frontend answers at `address`. */
export async function isServerUp(address: string): Promise<boolean> {
  try {
    const connection = await Connection.connect({ address, connectTimeout: 1_000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  } catch {
    return false;
  }
}

async function waitUntilUp(address: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await isServerUp(address)) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

/** The background dev server of a state folder, as recorded when it was started. */
export interface RecordedServer {
  pid: number;
  port: number;
  uiPort: number;
  address: string;
  /** Its SQLite file: one server per file, as two would write the same database. */
  db: string;
  log: string;
}

/** Where a state folder's server is recorded, keeps its state and writes its log. */
function serverFiles(stateDirectory: string) {
  return {
    record: path.join(stateDirectory, 'temporal-server.pid'),
    db: path.join(stateDirectory, 'temporal.db'),
    log: path.join(stateDirectory, 'temporal-server.log'),
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The state folder's running dev server, or undefined. A record whose process has ended is
 * removed. A record of an older llmos (the pid alone) counts as on the default ports.
 */
export async function recordedServer(
  stateDirectory = defaultStateDirectory,
): Promise<RecordedServer | undefined> {
  const files = serverFiles(stateDirectory);
  let text: string;
  try {
    text = await readFile(files.record, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = /^\d+\s*$/.test(text)
    ? { pid: Number(text), port: 7233, uiPort: 8233 }
    : (JSON.parse(text) as Pick<RecordedServer, 'pid' | 'port' | 'uiPort'>);
  if (!isAlive(parsed.pid)) {
    await rm(files.record, { force: true });
    return undefined;
  }
  return { ...parsed, address: `127.0.0.1:${parsed.port}`, db: files.db, log: files.log };
}

export interface BackgroundServerOptions {
  port: number;
  uiPort: number;
  log: (line: string) => void;
  /** Where the server keeps its state and is recorded; `.llmos` by default. */
  stateDirectory?: string;
}

/**
 * Makes sure a Temporal dev server answers on `127.0.0.1:<port>`: reuses one that is already up,
 * otherwise starts `llmos server run` detached (state in `<state>/temporal.db`, so runs survive a
 * restart) and leaves it running for the UI. One server per state file: when the folder's server
 * runs on another port, this refuses, naming it, rather than start a second one on the same
 * database. The CLI is found or built in the foreground first so that a first-time build shows
 * its progress.
 */
export async function ensureBackgroundServer(
  options: BackgroundServerOptions,
): Promise<{ address: string; started: boolean }> {
  const stateDirectory = options.stateDirectory ?? defaultStateDirectory;
  const address = `127.0.0.1:${options.port}`;
  const running = await recordedServer(stateDirectory);
  if (running && running.port !== options.port)
    throw new Error(
      `a dev server already runs on ${running.db}, at ${running.address} (pid ${running.pid}): ` +
        `use --port ${running.port}, or stop it first with \`llmos server stop\``,
    );
  if (running) {
    if (!(await waitUntilUp(address, 120_000)))
      throw new Error(
        `the dev server (pid ${running.pid}) does not answer on ${address}; see ${running.log}`,
      );
    return { address, started: false };
  }
  if (await isServerUp(address)) return { address, started: false };
  const cli = await findTemporalCli({ toolsDirectory, log: options.log });
  const files = serverFiles(stateDirectory);
  await mkdir(stateDirectory, { recursive: true });
  const logHandle = await open(files.log, 'a');
  const child = spawn(
    process.execPath,
    [
      llmosBin,
      'server',
      'run',
      '--port',
      String(options.port),
      '--ui-port',
      String(options.uiPort),
      '--db',
      files.db,
    ],
    {
      detached: true,
      stdio: ['ignore', logHandle.fd, logHandle.fd],
      env: { ...process.env, ...(cli.kind === 'executable' ? { LLMOS_TEMPORAL_CLI: cli.path } : {}) },
    },
  );
  child.unref();
  await logHandle.close();
  await writeFile(
    files.record,
    JSON.stringify({ pid: child.pid, port: options.port, uiPort: options.uiPort }),
  );
  options.log(`Starting the Temporal dev server (pid ${child.pid}, log ${files.log})...`);
  if (!(await waitUntilUp(address, 120_000))) {
    throw new Error(`the Temporal dev server did not come up on ${address}; see ${files.log}`);
  }
  return { address, started: true };
}

/**
 * Stops the state folder's server and waits (up to 30 s) for its process to end; the server that
 * was stopped, or undefined when none runs.
 */
export async function stopBackgroundServer(
  stateDirectory = defaultStateDirectory,
): Promise<RecordedServer | undefined> {
  const running = await recordedServer(stateDirectory);
  if (!running) return undefined;
  try {
    process.kill(running.pid, 'SIGTERM');
  } catch {
    // It ended meanwhile: nothing to stop.
  }
  const deadline = Date.now() + 30_000;
  while (isAlive(running.pid) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 200));
  await rm(serverFiles(stateDirectory).record, { force: true });
  return running;
}
