import { Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { llmosBin, stateDirectory, toolsDirectory } from '../project-paths.js';
import { findTemporalCli } from './find-temporal-cli.js';

const pidFile = path.join(stateDirectory, 'temporal-server.pid');
export const serverLogFile = path.join(stateDirectory, 'temporal-server.log');
export const serverDbFile = path.join(stateDirectory, 'temporal.db');

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

export interface BackgroundServerOptions {
  port: number;
  uiPort: number;
  log: (line: string) => void;
}

/**
 * Makes sure a Temporal dev server answers on `127.0.0.1:<port>`: reuses one that is already up,
 * otherwise starts `llmos server run` detached (state in `.llmos/temporal.db`, so runs survive a
 * restart) and leaves it running for the UI. The CLI is found or built in the foreground first
 * so that a first-time build shows its progress.
 */
export async function ensureBackgroundServer(
  options: BackgroundServerOptions,
): Promise<{ address: string; started: boolean }> {
  const address = `127.0.0.1:${options.port}`;
  if (await isServerUp(address)) return { address, started: false };
  const cli = await findTemporalCli({ toolsDirectory, log: options.log });
  await mkdir(stateDirectory, { recursive: true });
  const logHandle = await open(serverLogFile, 'a');
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
      serverDbFile,
    ],
    {
      detached: true,
      stdio: ['ignore', logHandle.fd, logHandle.fd],
      env: { ...process.env, ...(cli.kind === 'executable' ? { LLMOS_TEMPORAL_CLI: cli.path } : {}) },
    },
  );
  child.unref();
  await logHandle.close();
  await writeFile(pidFile, String(child.pid));
  options.log(`Starting the Temporal dev server (pid ${child.pid}, log ${serverLogFile})...`);
  if (!(await waitUntilUp(address, 120_000))) {
    throw new Error(`the Temporal dev server did not come up on ${address}; see ${serverLogFile}`);
  }
  return { address, started: true };
}

/** Stops a server started by `ensureBackgroundServer`; false when none was recorded. */
export async function stopBackgroundServer(): Promise<boolean> {
  let pid: number;
  try {
    pid = Number(await readFile(pidFile, 'utf8'));
  } catch {
    return false;
  }
  await rm(pidFile, { force: true });
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}
