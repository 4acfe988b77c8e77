/**
 * `npm test`: type-check, lint, check formatting, prove the workflow bundle is sandbox-clean, start one real
 * Temporal dev server (built on first use), and run every test file against it.
 */
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { startDevServer } from '../client/dev-server/dev-server.js';
import { projectRoot, toolsDirectory } from '../client/project-paths.js';

function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

async function testFiles(filters: readonly string[]): Promise<string[]> {
  const entries = await readdir(path.join(projectRoot, 'test'), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.test.ts'))
    .map((entry) => path.relative(projectRoot, path.join(entry.parentPath, entry.name)))
    .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
    .sort();
}

/** Path substrings: only test files containing one of them run. */
const filters = process.argv.slice(2);
const quick = process.env.LLMOS_TEST_SKIP_CHECKS === '1' || filters.length > 0;
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

if (!quick) {
  for (const [name, command, args] of [
    ['type-check', npx, ['tsc', '--noEmit']],
    ['lint', npx, ['eslint', '.']],
    ['format', npx, ['prettier', '--check', '.']],
    ['workflow bundle check', process.execPath, ['--import', 'tsx', 'scripts/check-workflow-bundle.ts']],
  ] as const) {
    console.log(`\n== ${name}`);
    const code = await run(command, [...args]);
    if (code !== 0) {
      console.error(`${name} failed`);
      process.exit(code);
    }
  }
}

console.log('\n== Temporal dev server');
const server = await startDevServer({ toolsDirectory, log: (line) => console.log(line) });
console.log(
  `dev server on ${server.address} (${server.cli.kind === 'executable' ? server.cli.path : 'SDK download'})`,
);
const files = await testFiles(filters);
console.log(`\n== ${files.length} test files`);
let code: number;
try {
  code = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      // A test that hangs fails after five minutes instead of holding the whole run.
      '--test-timeout=300000',
      ...files,
    ],
    {
      ...process.env,
      LLMOS_TEST_TEMPORAL_ADDRESS: server.address,
    },
  );
} finally {
  await server.shutdown();
}
process.exit(code);
