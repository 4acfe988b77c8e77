/**
 * `npm run test:cluster`: the compose path, checked without Docker. It builds the Temporal server
 * itself at the version docker-compose.yml runs (scripts/cluster/install-temporal-server.sh), runs
 * it on PostgreSQL with the compose file's environment and dynamic config, sets it up with the
 * compose file's own scripts (deploy/temporal/scripts: the schema with temporal-sql-tool, then the
 * namespace and the llmos search attributes), and runs the agent, crash and versioning tests
 * against it. Each run starts from empty Temporal databases. Slow (a build the first time, then
 * minutes), so it is not part of `npm test`.
 *
 *   npm run test:cluster                  the default test files
 *   npm run test:cluster -- crash         only test files whose path contains `crash`
 *   npm run test:cluster -- --bench ...   instead of tests, `npm run bench:concurrency -- ...`
 *                                         against this server, its CPU measured too
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { projectRoot, toolsDirectory } from '../client/project-paths.js';
import { findTemporalCli } from '../client/dev-server/find-temporal-cli.js';

/** The agent workflows end to end, the crash tests, and Worker Versioning. */
const defaultFilters = ['test/workflows/agent-', 'test/crash/', 'test/e2e/worker-versioning'];
const bench = process.argv[2] === '--bench' ? process.argv.slice(3) : undefined;
const filters = bench || process.argv.length <= 2 ? defaultFilters : process.argv.slice(2);

const started = Date.now();
const elapsed = (since: number): string => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const phases: string[] = [];

/** Runs one phase, printing and keeping how long it took. */
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  console.log(`\n== ${name}`);
  const since = Date.now();
  const result = await work();
  phases.push(`${name}: ${elapsed(since)}`);
  return result;
}

/** Runs a command to its end; stdout is returned, stderr shown. A non-zero exit throws. */
function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk);
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

const lineValue = (output: string, key: string): string => {
  const value = new RegExp(`^${key}=(.+)$`, 'm').exec(output)?.[1];
  if (!value) throw new Error(`no ${key}= line in:\n${output}`);
  return value;
};

/** The compose file's PostgreSQL user: a superuser named temporal, password temporal. */
const databaseUser = { name: 'temporal', password: 'temporal' };

/** Empty `temporal` and `temporal_visibility` databases and the compose file's user, on the test cluster. */
async function freshDatabases(port: number): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    const role = await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [databaseUser.name]);
    if (role.rowCount === 0) {
      await admin.query(
        `CREATE ROLE ${databaseUser.name} SUPERUSER LOGIN PASSWORD '${databaseUser.password}'`,
      );
    }
    for (const database of ['temporal', 'temporal_visibility']) {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

/** Whether a loopback TCP port can be listened on now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * `count` free ports from 17000 up. Not the system's ephemeral ports: the server stores its
 * membership ports in a PostgreSQL smallint, so they must be below 32768.
 */
async function freeLowPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let port = 17_000; ports.length < count; port += 1) {
    if (port >= 32_768) throw new Error('no free ports between 17000 and 32767');
    if (await portIsFree(port)) ports.push(port);
  }
  return ports;
}

/** The port variables of the server's embedded config template, each given a free port. */
const portVariables = [
  'FRONTEND_GRPC_PORT',
  'FRONTEND_HTTP_PORT',
  'FRONTEND_MEMBERSHIP_PORT',
  'HISTORY_GRPC_PORT',
  'HISTORY_MEMBERSHIP_PORT',
  'MATCHING_GRPC_PORT',
  'MATCHING_MEMBERSHIP_PORT',
  'WORKER_GRPC_PORT',
  'WORKER_MEMBERSHIP_PORT',
] as const;

/**
 * `temporal-server start` as the temporalio/server image runs it: no config file, so the server
 * renders its embedded template from the environment the compose file gives the `temporal`
 * service, with every port free on this machine and the compose file's dynamic config.
 */
async function startServer(
  bin: string,
  postgresPort: number,
  logFile: string,
): Promise<{ address: string; process: ChildProcess; workDirectory: string }> {
  const free = await freeLowPorts(portVariables.length);
  const ports = Object.fromEntries(portVariables.map((name, index) => [name, String(free[index])]));
  // An empty working folder: with no ./config there, the server uses its embedded template.
  const workDirectory = await mkdtemp(path.join(tmpdir(), 'llmos-temporal-server-'));
  const server = spawn(path.join(bin, 'temporal-server'), ['start'], {
    cwd: workDirectory,
    env: {
      PATH: process.env.PATH,
      DB: 'postgres12',
      DB_PORT: String(postgresPort),
      POSTGRES_USER: databaseUser.name,
      POSTGRES_PWD: databaseUser.password,
      POSTGRES_SEEDS: '127.0.0.1',
      BIND_ON_IP: '127.0.0.1',
      DYNAMIC_CONFIG_FILE_PATH: path.join(projectRoot, 'deploy/temporal/dynamicconfig/development-sql.yaml'),
      ...ports,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile);
  server.stdout.pipe(log);
  server.stderr.pipe(log);
  return { address: `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`, process: server, workDirectory };
}

const installed = await phase('Temporal server (built from the Go module proxy)', () =>
  run('bash', ['scripts/cluster/install-temporal-server.sh']),
);
const bin = lineValue(installed, 'TEMPORAL_SERVER_BIN');
const schemaDirectory = lineValue(installed, 'TEMPORAL_SCHEMA_DIR');

// Two PostgreSQL servers: the tests' own (with pgvector and Chinook), and Debian's for the
// Temporal server, whose schema needs the contrib extension btree_gin.
const postgresUrl = await phase('PostgreSQL for the tests', async () =>
  lineValue(await run('bash', ['scripts/postgres/setup-postgres.sh']), 'LLMOS_TEST_POSTGRES_URL'),
);
const postgresPort = await phase('PostgreSQL for Temporal', async () => {
  const port = Number(
    lineValue(await run('bash', ['scripts/cluster/setup-temporal-postgres.sh']), 'TEMPORAL_POSTGRES_PORT'),
  );
  await freshDatabases(port);
  return port;
});

await phase('schema (deploy/temporal/scripts/setup-postgres.sh)', () =>
  run('sh', ['deploy/temporal/scripts/setup-postgres.sh'], {
    ...process.env,
    PATH: `${bin}${path.delimiter}${process.env.PATH}`,
    POSTGRES_SEEDS: '127.0.0.1',
    DB_PORT: String(postgresPort),
    POSTGRES_USER: databaseUser.name,
    SQL_PASSWORD: databaseUser.password,
    SCHEMA_DIR: schemaDirectory,
  }),
);

const logDirectory = path.join(toolsDirectory, 'cluster');
await mkdir(logDirectory, { recursive: true });
const serverLog = path.join(logDirectory, 'temporal-server.log');
const server = await phase('Temporal server on PostgreSQL', () => startServer(bin, postgresPort, serverLog));
console.log(`temporal-server on ${server.address} (log: ${serverLog})`);
let code = 1;
try {
  const cli = await findTemporalCli({ toolsDirectory, log: (line) => console.log(line) });
  if (cli.kind !== 'executable')
    throw new Error('the setup script needs the temporal CLI: run `npm test` once to build it');
  await phase('namespace and search attributes (deploy/temporal/scripts/setup-temporal.sh)', () =>
    run('sh', ['deploy/temporal/scripts/setup-temporal.sh'], {
      ...process.env,
      PATH: `${path.dirname(cli.path)}${path.delimiter}${process.env.PATH}`,
      TEMPORAL_ADDRESS: server.address,
      DEFAULT_NAMESPACE: 'default',
    }),
  );
  const [what, script, args] = bench
    ? [
        `bench:concurrency ${bench.join(' ')}`,
        'scripts/bench-concurrency.ts',
        ['--address', server.address, '--server-pid', String(server.process.pid), ...bench],
      ]
    : [`tests: ${filters.join(' ')}`, 'scripts/run-tests.ts', filters];
  code = await phase(what, async () => {
    try {
      await run(process.execPath, ['--import', 'tsx', script, ...args], {
        ...process.env,
        LLMOS_TEST_TEMPORAL_ADDRESS: server.address,
        LLMOS_TEST_POSTGRES_URL: postgresUrl,
        LLMOS_TEST_SKIP_CHECKS: '1',
      });
      return 0;
    } catch {
      return 1;
    }
  });
} finally {
  if (server.process.exitCode === null) {
    const exited = new Promise((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGTERM');
    await exited;
  } else {
    console.error(`temporal-server exited early with ${server.process.exitCode}: see ${serverLog}`);
  }
  await rm(server.workDirectory, { recursive: true, force: true });
}
console.log(`\n== cluster check ${code === 0 ? 'passed' : 'FAILED'} in ${elapsed(started)}`);
for (const line of phases) console.log(`  ${line}`);
process.exit(code);
