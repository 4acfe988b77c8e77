/**
 * `llmos kb` as a user runs it: the example help centre added by a worker process with the
 * offline model, searched, listed and removed from the CLI.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectTemporal } from '../helpers/temporal.js';
import { describeRun, runLlmos, startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const modelsDirectory = process.env.LLMOS_TEST_LOCAL_MODELS_DIR;
const skip =
  modelsDirectory && existsSync(path.join(modelsDirectory, 'all-minilm-l6-v2'))
    ? false
    : 'LLMOS_TEST_LOCAL_MODELS_DIR names no installed model: run scripts/models/setup-local-models.sh';

void describe('llmos kb, end to end', { timeout: 300_000, skip }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let worker: WorkerProcess;
  let env: Record<string, string>;
  const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-kb-cli-'));

  before(async () => {
    temporal = await connectTemporal();
    const taskQueue = `kb-${randomUUID()}`;
    const stores = {
      LLMOS_KNOWLEDGE_FILE: path.join(scratch, 'knowledge.sqlite'),
      LLMOS_CACHE_FILE: path.join(scratch, 'cache.sqlite'),
      LLMOS_LOCAL_MODELS_DIR: modelsDirectory!,
    };
    worker = await startWorkerProcess({ address: temporal.address, taskQueue, env: stores });
    env = { ...stores, TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue };
  });
  after(async () => {
    await worker?.stop();
    await temporal?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  void it('adds the example help centre, finds passages by meaning, and skips what did not change', async () => {
    const router = await runLlmos(
      ['kb', 'add', 'help', 'examples/knowledge/router', '--product', 'router', '--language', 'en'],
      env,
    );
    assert.equal(router.code, 0, describeRun(router));
    assert.match(router.stderr, /^Run knowledge-[\w-]+: 3 documents into knowledge base help$/m);
    assert.match(router.stdout, /^ {2}added {7}reset\.md \(\d+ chunks?\)$/m);
    assert.match(
      router.stdout,
      /^Knowledge base help \(local:all-minilm-l6-v2\): 3 added, 0 replaced, 0 unchanged, 0 failed, 0 not started; 4 embedding calls, \d+ tokens, \$0\.000000$/m,
    );
    const billing = await runLlmos(
      ['kb', 'add', 'help', 'examples/knowledge/billing', '--product', 'billing'],
      env,
    );
    assert.equal(billing.code, 0, describeRun(billing));

    // Words the passage does not use: found by meaning.
    const search = await runLlmos(
      ['kb', 'search', 'help', 'what', 'does', 'an', 'orange', 'blinking', 'lamp', 'mean', '--limit', '2'],
      env,
    );
    assert.equal(search.code, 0, describeRun(search));
    assert.match(search.stdout, /^\[lights\.html#0\] score [\d.]+ \((keyword #\d+, )?dense #1\)$/m);
    const billingOnly = await runLlmos(
      ['kb', 'search', 'help', 'late', 'payment', '--product', 'billing', '--json'],
      env,
    );
    const found = JSON.parse(billingOnly.stdout) as {
      chunks: { documentId: string; metadata: { product: string } }[];
    };
    assert.equal(found.chunks[0]?.documentId, 'invoices.txt');
    assert.ok(found.chunks.every((chunk) => chunk.metadata.product === 'billing'));

    // The scripted knowledge demo: an agent that retrieves, answers and has its citations checked.
    const agent = await runLlmos(
      [
        'agent',
        'How long do I have to pay an invoice?',
        '--tools',
        'retrieve',
        '--model',
        'scripted:demo-knowledge',
      ],
      env,
    );
    assert.equal(agent.code, 0, describeRun(agent));
    assert.match(
      agent.stdout,
      /^Answer: An invoice is due thirty days after it is issued \[invoices\.txt#0\]\./m,
    );
    assert.match(
      agent.stdout,
      /^Citations: 2 of 2 claims supported by the passages they cite; 0 unsupported, 0 uncited \(\d+ passages retrieved\)$/m,
    );

    const list = await runLlmos(['kb', 'list'], env);
    assert.match(list.stdout, /^help {2}local:all-minilm-l6-v2 \(384\) {2}5 documents, \d+ chunks$/m);

    const again = await runLlmos(
      ['kb', 'add', 'help', 'examples/knowledge/router', '--product', 'router', '--language', 'en'],
      env,
    );
    assert.match(
      again.stdout,
      /: 0 added, 0 replaced, 3 unchanged, 0 failed, 0 not started; 0 embedding calls/,
    );

    const removed = await runLlmos(['kb', 'remove', 'help', 'refunds.md', 'nothing.md'], env);
    assert.equal(removed.code, 1);
    assert.match(removed.stdout, /^removed refunds\.md$/m);
    assert.match(removed.stderr, /not in knowledge base "help": nothing\.md/);
    const dropped = await runLlmos(['kb', 'remove', 'help'], env);
    assert.equal(dropped.code, 0, describeRun(dropped));
    const gone = await runLlmos(['kb', 'search', 'help', 'router'], env);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /there is no knowledge base "help"/);
  });

  void it('names a bad base name and an empty folder before anything starts', async () => {
    const badName = await runLlmos(['kb', 'create', 'Help Centre'], env);
    assert.notEqual(badName.code, 0);
    assert.match(badName.stderr, /"Help Centre": a knowledge base name is 1-63 of a-z/);
    const empty = mkdtempSync(path.join(scratch, 'empty-'));
    const nothing = await runLlmos(['kb', 'add', 'help', empty], env);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /no \.txt, \.md, \.pdf or \.html documents in/);
  });
});
