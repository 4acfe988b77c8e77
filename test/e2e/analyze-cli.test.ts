/**
 * `llmos analyze` as a user runs it: the example contracts and spec, a worker process on the
 * scripted demo model, and the report written to a folder whose path is printed.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import type { AnalysisResult } from '../../common/analysis.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectTemporal } from '../helpers/temporal.js';
import { runLlmos, startWorkerProcess, type WorkerProcess, describeRun } from '../helpers/worker-process.js';

void describe('llmos analyze, end to end', { timeout: 300_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let worker: WorkerProcess;
  let cliEnv: Record<string, string>;
  const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-analyze-'));

  before(async () => {
    temporal = await connectTemporal();
    const taskQueue = `analyze-${randomUUID()}`;
    worker = await startWorkerProcess({ address: temporal.address, taskQueue, env: {} });
    cliEnv = { TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue };
  });
  after(async () => {
    await worker?.stop();
    await temporal?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** `llmos analyze <folder>` on the example spec, its result as JSON, its report under `reports`. */
  const analyzeAsJson = (folder: string, reports: string, flags: string[] = []) =>
    runLlmos(
      [
        'analyze',
        folder,
        '--spec',
        'examples/analysis/contracts.spec',
        '--out',
        path.join(scratch, reports),
        ...flags,
        '--json',
      ],
      cliEnv,
    );

  void it('analyzes the example contracts, shows progress and prints where the report is', async () => {
    const out = path.join(scratch, 'reports');
    const run = await runLlmos(
      [
        'analyze',
        'examples/analysis/contracts',
        '--spec',
        'examples/analysis/contracts.spec',
        '--out',
        out,
        '--concurrency',
        '3',
      ],
      cliEnv,
    );
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stderr, /^Run analysis-[\w-]+: 3 documents, spec contracts, scripted:demo-analysis$/m);
    assert.match(run.stderr, /\[#{24}\] 3\/3 documents · chunks 9\/9 · [\d,]+ tokens · \$0\.0000 · done/);
    const folder = /^Report: (.+)$/m.exec(run.stdout)?.[1] ?? '';
    assert.ok(folder.startsWith(out), describeRun(run));
    for (const name of ['report.md', 'report.html', 'report.json']) {
      assert.ok(existsSync(path.join(folder, name)), name);
      assert.match(
        run.stdout,
        new RegExp(`^  ${path.join(folder, name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
      );
    }
    assert.match(run.stdout, /^Documents: 3 \(3 analyzed, 0 partly, 0 failed, 0 skipped\); chunks 9\/9$/m);
    assert.match(run.stdout, /^Findings: 4; invented quotes dropped: 0$/m);
    assert.match(readFileSync(path.join(folder, 'report.md'), 'utf8'), /Three agreements were reviewed/);
  });

  void it('skips a file that is not text, makes no model call, and exits 1 when nothing was analyzed', async () => {
    const folder = path.join(scratch, 'not-text');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'random.txt'), randomBytes(100_000));
    const run = await analyzeAsJson(folder, 'not-text-reports');
    assert.equal(run.code, 1, describeRun(run));
    assert.match(run.stderr, /^No document was analyzed: see why in the report\.$/m);
    const result = JSON.parse(run.stdout) as AnalysisResult;
    assert.deepEqual(
      result.documents.map((document) => [document.status, document.chunks]),
      [['failed', 0]],
    );
    assert.ok(
      result.notAnalyzed.some((entry) =>
        /random\.txt is not text \(it holds NUL bytes\): skipped/.test(entry.reason),
      ),
      JSON.stringify(result.notAnalyzed),
    );
    // No extraction, no identification, no summary of nothing.
    assert.equal(result.totals.modelCalls, 0);
  });

  void it('stops on a token cap without going over it, with chunks in parallel, and exits 3', async () => {
    // One long document of real contracts: far more chunks than the cap pays for.
    const held = path.join('test', 'fixtures', 'cuad', 'held-out');
    const contracts = readdirSync(held).map((name) => readFileSync(path.join(held, name), 'utf8'));
    const folder = path.join(scratch, 'long');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'long.txt'), contracts.join('\n\n'));
    const maxTokens = 40_000;
    const run = await analyzeAsJson(folder, 'long-reports', [
      '--max-tokens',
      String(maxTokens),
      '--concurrency',
      '4',
    ]);
    assert.equal(run.code, 3, describeRun(run));
    const result = JSON.parse(run.stdout) as AnalysisResult;
    assert.equal(result.stop?.stopReason, 'budget_exhausted', JSON.stringify(result.stop));
    const [document] = result.documents;
    assert.ok(document && document.chunksAnalyzed > 0 && document.chunksAnalyzed < document.chunks);
    assert.ok(
      result.totals.totalTokens <= maxTokens,
      `${result.totals.totalTokens} tokens spent of a ${maxTokens} cap`,
    );
  });

  void it('shows a spec error at its line and column, with a hint, and starts nothing', async () => {
    const spec = path.join(scratch, 'broken.spec');
    writeFileSync(spec, 'ANALYZE contracts {\n  EXTRACT: parties\n  COMPAR: parties ACROSS documents\n}\n');
    const run = await runLlmos(['analyze', 'examples/analysis/contracts', '--spec', spec], cliEnv);
    assert.equal(run.code, 1, describeRun(run));
    assert.match(
      run.stderr,
      new RegExp(`${spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:3: .*\n  hint: .*COMPARE`),
    );
    assert.doesNotMatch(run.stderr, /^Run /m);
  });

  void it('names a path that does not exist', async () => {
    const run = await runLlmos(
      ['analyze', 'no/such/folder', '--spec', 'examples/analysis/contracts.spec'],
      cliEnv,
    );
    assert.equal(run.code, 1, describeRun(run));
    assert.match(run.stderr, /cannot read no\/such\/folder/);
  });

  void it('tells a --budget <usd> of old from a shared budget: the run cap is --max-cost now', async () => {
    const run = await runLlmos(
      [
        'analyze',
        'examples/analysis/contracts',
        '--spec',
        'examples/analysis/contracts.spec',
        '--budget',
        '5',
      ],
      cliEnv,
    );
    assert.equal(run.code, 1, describeRun(run));
    assert.match(run.stderr, /--budget names a shared budget now .*--max-cost 5/);
    assert.doesNotMatch(run.stderr, /^Run /m);
  });
});
