/**
 * examples/own-worker as a project that installed llmos would run it: the package is packed with
 * `npm pack`, the example gets the tarball's contents as its `llmos` (so it can reach only what
 * the package exports, through its `exports` map and declarations), is compiled by tsc with its
 * own strict settings, and runs its own worker (llmos added by the plugin, with two tools of its
 * own) and its own workflow, which starts an llmos agent as a child, on a real Temporal server.
 *
 * The example lives under the project's state folder while it runs, so the packages llmos
 * depends on resolve from the project's node_modules, as npm would have hoisted them.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { projectRoot, stateDirectory } from '../../client/project-paths.js';
import type { AgentResult } from '../../common/agent.js';
import { connectTemporal } from '../helpers/temporal.js';
import { eventually } from '../helpers/eventually.js';
import { llmosChildEnv } from '../helpers/worker-process.js';
import { bundleVariants, prebuiltBundleFile, workerBuildId } from '../../workers/workflow-bundle.js';

const example = path.join(stateDirectory, `example-own-worker-${process.pid}`);

/** Runs a command to the end; fails with its output when it fails. */
function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/**
 * A long-running process of the example (a worker), started in its folder; `started` resolves
 * once it has written `line`, and fails at once, with what it wrote, if it ends first.
 */
function startProcess(args: string[], env: NodeJS.ProcessEnv, line: string | RegExp) {
  const child = spawn(process.execPath, args, { cwd: example, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const started = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (typeof line === 'string' ? output.includes(line) : line.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} ended before it started:\n${output}`));
    });
  });
  return { started, exited, output: () => output, stop: () => child.kill('SIGTERM') };
}

void describe('examples/own-worker, on the packed package', { timeout: 600_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let packed: {
    filename: string;
    size: number;
    unpackedSize: number;
    entryCount: number;
    files: { path: string }[];
  };

  before(async () => {
    temporal = await connectTemporal();
    rmSync(example, { recursive: true, force: true });
    cpSync(path.join(projectRoot, 'examples', 'own-worker'), example, {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|dist)$/.test(source),
    });
    const packing = path.join(example, '.pack');
    mkdirSync(packing, { recursive: true });
    const listed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packing], projectRoot)) as [
      typeof packed,
    ];
    packed = listed[0];
    const installed = path.join(example, 'node_modules', 'llmos');
    mkdirSync(installed, { recursive: true });
    run(
      'tar',
      ['-xzf', path.join(packing, packed.filename), '-C', installed, '--strip-components=1'],
      example,
    );
  });
  after(async () => {
    await temporal?.close();
    rmSync(example, { recursive: true, force: true });
  });

  void it('packs the four entry points, compiled with declarations, and nothing of the sources', () => {
    const files = packed.files.map((file) => file.path);
    for (const entry of ['index', 'workflow', 'worker', 'client'])
      for (const extension of ['.js', '.d.ts'])
        assert.ok(files.includes(`dist/api/${entry}${extension}`), `dist/api/${entry}${extension} packed`);
    assert.ok(
      files.includes('dist/prompts/agent/react@1.yaml') ||
        files.some((file) => file.startsWith('dist/prompts/')),
    );
    assert.ok(files.includes('bin/llmos.js') && files.includes('CHANGELOG.md'));
    for (const variant of bundleVariants)
      assert.ok(
        files.includes(prebuiltBundleFile('dist', variant)),
        `${prebuiltBundleFile('dist', variant)} packed`,
      );
    assert.deepEqual(
      files.filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts')),
      [],
      'no TypeScript sources',
    );
    assert.deepEqual(
      files.filter((file) => /^(test|scripts)\//.test(file) || file.includes('own-worker')),
      [],
    );
    // The command runs from the package too, on its compiled code.
    const help = run(
      process.execPath,
      [path.join('node_modules', 'llmos', 'bin', 'llmos.js'), 'worker', '--help'],
      example,
    );
    assert.match(help, /--config <file>/);
    console.log(
      `${packed.filename}: ${packed.entryCount} files, ${(packed.size / 1e6).toFixed(2)} MB packed, ${(packed.unpackedSize / 1e6).toFixed(2)} MB unpacked`,
    );
  });

  void it('compiles against the package and runs its workflow, which runs an llmos agent', async () => {
    run(
      process.execPath,
      [path.join(projectRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'],
      example,
    );
    assert.deepEqual(readdirSync(path.join(example, 'dist')).sort(), [
      'start.js',
      'tools.js',
      'worker.js',
      'workflows.js',
    ]);

    const taskQueue = `own-worker-${process.pid}`;
    const env = {
      ...process.env,
      TEMPORAL_ADDRESS: temporal.address,
      TASK_QUEUE: taskQueue,
      REFUNDS_FILE: path.join(example, 'refunds.jsonl'),
      LLMOS_CACHE: 'off',
    };
    const worker = startProcess(['dist/worker.js'], env, `refund desk worker on task queue ${taskQueue}`);
    try {
      await worker.started;

      const started = spawnSync(process.execPath, ['dist/start.js'], { cwd: example, env, encoding: 'utf8' });
      assert.equal(
        started.status,
        0,
        `start failed:\n${started.stdout}\n${started.stderr}\nworker:\n${worker.output()}`,
      );
      const result = JSON.parse(started.stdout) as {
        refundDesk: { answer: string; toolCalls: number; costUsd: number };
        direct: { answer: string; stopReason: string };
      };
      assert.match(
        result.refundDesk.answer,
        /^I am sorry about the router\. I have refunded \$129\.00 for BL-1001: R-1001-/,
      );
      assert.equal(result.refundDesk.toolCalls, 2);
      assert.deepEqual(result.direct, { answer: '15% of $129 is $19.35.', stopReason: 'answer' });
      // The side effect happened once, under the call's idempotency key.
      const refunds = readFileSync(env.REFUNDS_FILE, 'utf8').trim().split('\n');
      assert.equal(refunds.length, 1);
      assert.match(refunds[0]!, /"orderId":"BL-1001","amountUsd":129/);
      // State the package keeps goes to the project's folder, not into node_modules.
      assert.ok(existsSync(path.join(example, '.llmos')));
      assert.ok(!existsSync(path.join(example, 'node_modules', 'llmos', 'dist', '.llmos')));
      console.log(`example output: ${started.stdout.trim()}`);
    } finally {
      worker.stop();
    }
    assert.equal(await worker.exited, 0, `the worker stops cleanly on SIGTERM:\n${worker.output()}`);
  });

  void it('runs `llmos worker` with its llmos.config.ts: its tools and an MCP server, no code of llmos changed', async () => {
    const llmos = path.join('node_modules', 'llmos', 'bin', 'llmos.js');
    const env = llmosChildEnv({
      TEMPORAL_ADDRESS: temporal.address,
      LLMOS_TASK_QUEUE: `own-worker-cli-${process.pid}`,
      LLMOS_LOG_LEVEL: 'WARN',
    });
    const worker = startProcess(
      [llmos, 'worker', '--config', 'llmos.config.ts'],
      env,
      /project .*llmos\.config\.ts: tools lookup_order, issue_refund; MCP servers policies; settings LLMOS_SCRIPTS_DIRECTORY/,
    );
    try {
      await worker.started;
      // It runs the workflow bundle made when the package was built, not one of its own.
      const bundled = readFileSync(
        prebuiltBundleFile(path.join(example, 'node_modules', 'llmos', 'dist'), {
          encrypted: false,
          traced: false,
        }),
        'utf8',
      );
      const buildId = await eventually(
        'the build id line',
        () => /build id (\S+)/.exec(worker.output())?.[1],
      );
      assert.equal(buildId, workerBuildId({ code: bundled }));
      const asked = spawnSync(
        process.execPath,
        [
          llmos,
          'agent',
          'Can I still get a refund 40 days after delivery?',
          '--tools',
          'lookup_order,policies',
          '--model',
          'scripted:refund-desk',
          '--json',
        ],
        { cwd: example, env, encoding: 'utf8' },
      );
      assert.equal(asked.status, 0, `${asked.stdout}\n${asked.stderr}\nworker:\n${worker.output()}`);
      const result = JSON.parse(asked.stdout) as AgentResult;
      assert.match(result.answer ?? '', /^Policy BL-RF-1 says a refund is paid within 14 days/);
      const read = result.trace.find((step) => step.kind === 'tool');
      assert.equal(read?.kind === 'tool' && read.toolName, 'policies__read_text_file');
      assert.match(read?.kind === 'tool' ? read.observation : '', /Refunds \(policy BL-RF-1\)/);
    } finally {
      worker.stop();
    }
    assert.equal(await worker.exited, 0, worker.output());
  });
});
