/**
 * `llmos sql`, `llmos sql link` and `llmos sql check` as a user runs them, each its own process;
 * the question goes through a worker process on the scripted demo model and the Chinook example.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { connectTemporal } from '../helpers/temporal.js';
import { runLlmos, startWorkerProcess, type WorkerProcess, describeRun } from '../helpers/worker-process.js';

void describe('llmos sql, end to end', { timeout: 300_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let worker: WorkerProcess;
  let cliEnv: Record<string, string>;

  before(async () => {
    temporal = await connectTemporal();
    const taskQueue = `sql-${randomUUID()}`;
    worker = await startWorkerProcess({ address: temporal.address, taskQueue, env: {} });
    cliEnv = { TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue };
  });
  after(async () => {
    await worker?.stop();
    await temporal?.close();
  });

  void it('answers a question over the embedded Chinook: the SQL, the rows as a table, the cost', async () => {
    const run = await runLlmos(['sql', 'Which 5 artists have the most tracks?'], cliEnv);
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /^SQL \(attempt 1\): SELECT "Artist"\."Name" AS "Artist", COUNT\(\*\)/m);
    assert.match(run.stdout, /^ {2}-> 5 rows in \d+ ms$/m);
    assert.match(run.stdout, /^Artist +Tracks$/m);
    assert.match(run.stdout, /^Iron Maiden +213$/m);
    assert.match(run.stdout, /^Stop reason: answer /m);
    assert.match(run.stdout, /^Usage: \d+ tokens .*; 1 model calls$/m);
  });

  void it('prints rows as CSV with --format csv', async () => {
    const run = await runLlmos(
      ['sql', 'What are the sales by country?', '--db', 'chinook', '--format', 'csv'],
      cliEnv,
    );
    assert.equal(run.code, 0, describeRun(run));
    assert.match(run.stdout, /^Country,Sales\r\nUSA,523\.06\r\n/);
  });

  void it('link ranks the tables a question needs, with scores', async () => {
    const run = await runLlmos(
      ['sql', 'link', 'Which tracks did each artist record?', '--db', 'chinook'],
      cliEnv,
    );
    assert.equal(run.code, 0, describeRun(run));
    const ranked = run.stdout
      .split('\n')
      .flatMap((line) => /^ *\d+\. (\w+) +\d\.\d{3}/.exec(line)?.[1] ?? []);
    assert.equal(ranked.length, 5, describeRun(run));
    // The three tables of the join are all within the top four (PlaylistTrack shares Track's key).
    for (const table of ['Album', 'Artist', 'Track'])
      assert.ok(ranked.slice(0, 4).includes(table), describeRun(run));
  });

  void it('check prints the verdict and exits non-zero for unsafe SQL', async () => {
    const safe = await runLlmos(
      ['sql', 'check', 'SELECT "Name" FROM "Artist" LIMIT 3', '--dialect', 'postgres'],
      cliEnv,
    );
    assert.equal(safe.code, 0, describeRun(safe));
    assert.match(safe.stdout, /^safe/m);
    const unsafe = await runLlmos(['sql', 'check', 'SELECT pg_sleep(10)', '--dialect', 'postgres'], cliEnv);
    assert.equal(unsafe.code, 2, describeRun(unsafe));
    assert.match(unsafe.stdout, /UNSAFE: function pg_sleep is not allowed in postgres/);
    const twoStatements = await runLlmos(
      ['sql', 'check', 'SELECT 1; DROP TABLE "Track"', '--dialect', 'sqlite'],
      cliEnv,
    );
    assert.equal(twoStatements.code, 2, describeRun(twoStatements));
  });

  void it('names a database that does not exist before starting anything', async () => {
    const run = await runLlmos(['sql', 'How many tracks?', '--db', 'no-such.sqlite'], cliEnv);
    assert.equal(run.code, 1, describeRun(run));
    assert.match(
      run.stderr,
      /"no-such\.sqlite" is neither a postgres:\/\/ URL, a SQLite file nor an example database/,
    );
  });

  // `llmos sql` and `llmos psv` take the agent's model and shared-budget flags, checked before anything starts.
  for (const [label, args, message] of [
    [
      'sql, a budget without its limit',
      ['sql', 'How many tracks?', '--budget', 'tenant:acme'],
      /--budget <scope> and --budget-limit <usd> go together/,
    ],
    [
      'sql, an unknown alias',
      ['sql', 'How many tracks?', '--model', 'no-such-alias'],
      /unknown model or alias "no-such-alias"/,
    ],
    [
      'psv, a limit without its budget',
      ['psv', 'What is 2 + 2?', '--budget-limit', '5'],
      /--budget <scope> and --budget-limit <usd> go together/,
    ],
    [
      'psv, an unknown alias',
      ['psv', 'What is 2 + 2?', '--model', 'no-such-alias'],
      /unknown model or alias "no-such-alias"/,
    ],
  ] as const) {
    void it(`${label}: a clear message, nothing started`, async () => {
      const run = await runLlmos([...args], cliEnv);
      assert.equal(run.code, 1, describeRun(run));
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /^Run /m);
      assert.doesNotMatch(run.stdout, /^Run /m);
    });
  }
});
