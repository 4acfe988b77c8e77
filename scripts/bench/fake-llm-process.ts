import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { llmosBin, projectRoot } from '../../client/project-paths.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { freePort } from '../../test/helpers/free-port.js';

/** A fake model server in its own process, as a provider is: its work does not load the worker's event loop. */
export interface FakeLlmProcess {
  readonly url: string;
  readonly pid: number;
  /** When each model request arrived (`Date.now()` in the fake's process, on the same clock). */
  receivedAt(): Promise<number[]>;
  setScript(script: FakeLlmScript): Promise<void>;
  close(): Promise<void>;
}

/** Starts `llmos fake-llm` with `script` (written into `scratch`) and waits until it serves. */
export async function startFakeLlmProcess(script: FakeLlmScript, scratch: string): Promise<FakeLlmProcess> {
  const scriptFile = path.join(scratch, 'fake-llm-script.json');
  await writeFile(scriptFile, JSON.stringify(script));
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [llmosBin, 'fake-llm', '--script', scriptFile, '--port', String(port)],
    { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('fake LLM on ')) return;
      // From here on its per-request log lines are read and dropped, so the pipe never fills.
      output = '';
      child.stdout.off('data', onData);
      child.stdout.resume();
      resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => reject(new Error(`llmos fake-llm ended before serving:\n${output}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const post = async (route: string, body: unknown) => {
    const response = await fetch(`${url}${route}`, { method: 'POST', body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${route}: ${response.status} ${await response.text()}`);
  };
  return {
    url,
    pid: child.pid!,
    async receivedAt() {
      const response = await fetch(`${url}/_fake/requests`);
      const log = (await response.json()) as Array<{ receivedAt: number }>;
      return log.map((request) => request.receivedAt);
    },
    setScript: (next) => post('/_fake/script', next),
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
