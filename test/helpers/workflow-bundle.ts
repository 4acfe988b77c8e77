import { bundleWorkflowCode } from '@temporalio/worker';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../client/project-paths.js';
import { workflowsPath } from '../../workers/create-worker.js';

async function sourceFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

let bundle: Promise<{ code: string }> | undefined;

/**
 * The workflow bundle, built once per machine and source version: webpack takes seconds, and
 * every test file needs the same bundle. Keyed by a hash of workflows/ and common/.
 */
export function getWorkflowBundle(): Promise<{ code: string }> {
  bundle ??= (async () => {
    const hash = createHash('sha256');
    for (const directory of ['workflows', 'common']) {
      for (const file of await sourceFiles(path.join(projectRoot, directory)))
        hash.update(file).update(await readFile(file));
    }
    const cacheDirectory = path.join(tmpdir(), 'llmos-test-bundles');
    const cacheFile = path.join(cacheDirectory, `${hash.digest('hex').slice(0, 16)}.js`);
    try {
      return { code: await readFile(cacheFile, 'utf8') };
    } catch {
      const built = await bundleWorkflowCode({
        workflowsPath,
        logger: { trace() {}, debug() {}, info() {}, warn() {}, error: console.error, log() {} },
      });
      await mkdir(cacheDirectory, { recursive: true });
      // Test files run in parallel processes: write aside, then rename, so no one reads half a file.
      const partial = `${cacheFile}.${process.pid}.partial`;
      await writeFile(partial, built.code);
      await rename(partial, cacheFile);
      return built;
    }
  })();
  return bundle;
}
