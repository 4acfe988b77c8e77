import { spawn } from 'node:child_process';
import { access, constants, mkdir } from 'node:fs/promises';
import path from 'node:path';

/** The Temporal CLI release built from source when nothing else is found: the newest without a go.mod `replace`. */
export const temporalCliModule = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export type TemporalCli =
  | {
      kind: 'executable';
      path: string;
      origin: 'LLMOS_TEMPORAL_CLI' | 'PATH' | 'tools folder' | 'go install';
    }
  | { kind: 'sdk-download' };

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function findOnPath(name: string, searchPath: string | undefined): Promise<string | undefined> {
  for (const directory of (searchPath ?? '').split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(directory, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const collect = (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const ticker = setInterval(
      () => log(`still building the Temporal CLI (${command} ${args[0]})...`),
      30_000,
    );
    child.on('error', (error) => {
      clearInterval(ticker);
      reject(error);
    });
    child.on('exit', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${tail}`));
    });
  });
}

export interface FindTemporalCliOptions {
  /** Where a built CLI is cached: `<toolsDirectory>/bin/temporal`. */
  toolsDirectory: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * Finds a Temporal CLI to run the dev server, in order: an explicit `LLMOS_TEMPORAL_CLI` path
 * (an explicit choice wins), `temporal` on PATH, a CLI cached in the tools folder, one built now
 * with `go install` into that folder (minutes, once per machine), and last the SDK's own
 * download (needs internet).
 */
export async function findTemporalCli(options: FindTemporalCliOptions): Promise<TemporalCli> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const explicit = env.LLMOS_TEMPORAL_CLI;
  if (explicit) {
    if (await isExecutable(explicit))
      return { kind: 'executable', path: explicit, origin: 'LLMOS_TEMPORAL_CLI' };
    throw new Error(`LLMOS_TEMPORAL_CLI is set to "${explicit}", which is not an executable file.`);
  }
  const onPath = await findOnPath('temporal', env.PATH);
  if (onPath) return { kind: 'executable', path: onPath, origin: 'PATH' };

  const binDirectory = path.join(options.toolsDirectory, 'bin');
  const cached = path.join(binDirectory, 'temporal');
  if (await isExecutable(cached)) return { kind: 'executable', path: cached, origin: 'tools folder' };

  const go = await findOnPath('go', env.PATH);
  if (go) {
    log(
      `Building the Temporal CLI with ${go} (go install ${temporalCliModule}); this happens once per machine.`,
    );
    await mkdir(binDirectory, { recursive: true });
    await run(go, ['install', temporalCliModule], { ...env, GOBIN: binDirectory }, log);
    if (await isExecutable(cached)) return { kind: 'executable', path: cached, origin: 'go install' };
    throw new Error(`go install ${temporalCliModule} succeeded but ${cached} is missing.`);
  }
  log(
    'No Temporal CLI found and no Go toolchain to build one: falling back to the SDK download (needs internet).',
  );
  return { kind: 'sdk-download' };
}
