/**
 * Payload encryption end to end: a worker process and the CLI with LLMOS_PAYLOAD_KEYS run an
 * agent, an NL2SQL question and a corpus analysis; the histories as Temporal stores them hold
 * none of the question, tool results, rows, answers or document text, and the codec opens them.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { temporal as proto } from '@temporalio/proto';
import { EncryptionCodec, encryptedEncoding, parsePayloadKeys } from '../../workers/payload-encryption.js';
import { connectTemporal } from '../helpers/temporal.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { findTemporalCli } from '../../client/dev-server/find-temporal-cli.js';
import { toolsDirectory } from '../../client/project-paths.js';
import { eventually } from '../helpers/eventually.js';
import { freePort } from '../helpers/free-port.js';
import {
  describeRun,
  runLlmos,
  spawnLlmosCommand,
  startWorkerProcess,
  type WorkerProcess,
} from '../helpers/worker-process.js';

const run = promisify(execFile);

type JsonPayload = { metadata: Record<string, string>; data: string };

const keys = `old:${randomBytes(32).toString('base64')},new:${randomBytes(32).toString('base64')}`;

/** Every string and every byte sequence (read as UTF-8) in a history, as an export would show them. */
function everythingIn(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (value instanceof Uint8Array) into.push(Buffer.from(value).toString('utf8'));
  else if (Array.isArray(value)) for (const item of value) everythingIn(item, into);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value)) everythingIn(item, into);
  return into;
}

/**
 * The payloads a history carries as inputs and results (of the run, its activities, local
 * activities and child runs): what the run's code sent. Search attributes stay in the clear, as
 * the server indexes them (README: which ones llmos sets), and so does what the SDK itself
 * records beside a result (a patch's name, a local activity's attempt number).
 */
function payloadsIn(
  value: unknown,
  into: proto.api.common.v1.IPayload[] = [],
): proto.api.common.v1.IPayload[] {
  if (value instanceof Uint8Array || value === null || typeof value !== 'object') return into;
  for (const [key, item] of Object.entries(value)) {
    const payloads = (item as { payloads?: proto.api.common.v1.IPayload[] } | null)?.payloads;
    if ((key === 'input' || key === 'result') && Array.isArray(payloads)) into.push(...payloads);
    else payloadsIn(item, into);
  }
  return into;
}

void describe(
  'encrypted payloads: nothing a run handles is in its history in the clear',
  { timeout: 300_000 },
  () => {
    let temporal: Awaited<ReturnType<typeof connectTemporal>>;
    let worker: WorkerProcess;
    let scratch: string;
    const taskQueue = `encrypted-${randomUUID()}`;
    const cliEnv = () => ({
      TEMPORAL_ADDRESS: temporal.address,
      LLMOS_TASK_QUEUE: taskQueue,
      LLMOS_PAYLOAD_KEYS: keys,
    });
    const ids = {
      agent: `agent-${randomUUID()}`,
      sql: `sql-${randomUUID()}`,
      analysis: `analysis-${randomUUID()}`,
    };

    before(async () => {
      temporal = await connectTemporal();
      scratch = await mkdtemp(path.join(os.tmpdir(), 'llmos-encrypted-'));
      worker = await startWorkerProcess({
        address: temporal.address,
        taskQueue,
        env: { LLMOS_PAYLOAD_KEYS: keys },
      });
    });
    after(async () => {
      await worker?.stop();
      await temporal?.close();
      await rm(scratch, { recursive: true, force: true });
    });

    /** The histories of a run and of its child runs, as the server keeps them (no codec). */
    const histories = async (workflowIds: string[]) =>
      Promise.all(workflowIds.map((id) => temporal.env.client.workflow.getHandle(id).fetchHistory()));
    const assertHidden = (history: unknown, secrets: string[]) => {
      const exported = everythingIn(history).join('\n');
      for (const secret of secrets)
        assert.ok(!exported.includes(secret), `"${secret}" is in the history in the clear`);
    };

    void it('runs the three jobs with the CLI decoding their results', async () => {
      assert.match(worker.output(), /payloads encrypted with key new \(2 keys\)/);
      const agent = await runLlmos(
        ['agent', 'What is 17.5% of 2,340, plus the square root of 144?', '--id', ids.agent],
        cliEnv(),
      );
      assert.equal(agent.code, 0, describeRun(agent));
      assert.match(agent.stdout, /421\.5/);
      const sql = await runLlmos(['sql', 'Which 5 artists have the most tracks?', '--id', ids.sql], cliEnv());
      assert.equal(sql.code, 0, describeRun(sql));
      assert.match(sql.stdout, /^Iron Maiden +213$/m);
      const analysis = await runLlmos(
        [
          'analyze',
          'examples/analysis/contracts',
          '--spec',
          'examples/analysis/contracts.spec',
          '--out',
          scratch,
          '--id',
          ids.analysis,
        ],
        cliEnv(),
      );
      assert.equal(analysis.code, 0, describeRun(analysis));
      assert.match(analysis.stdout, /^Documents: 3 \(3 analyzed/m);
    });

    void it('keeps the question, tool results, rows, answers and document text out of the histories', async () => {
      const [agent] = await histories([ids.agent]);
      assertHidden(agent, ['17.5% of 2,340', '409.5', '421.5', 'calculator']);
      const [sql] = await histories([ids.sql]);
      assertHidden(sql, ['artists have the most tracks', 'Iron Maiden', 'SELECT']);
      const analysis = await histories([
        ids.analysis,
        ...[1, 2, 3].map((n) => `${ids.analysis}/document-${n}`),
      ]);
      for (const history of analysis)
        assertHidden(history, ['PageMaster Corporation', 'Promotion Agreement', 'governing']);
      // What does show: the encoding and the key that encrypts, never the key itself.
      const payloads = payloadsIn(agent);
      assert.ok(payloads.length > 5);
      for (const payload of payloads) {
        assert.equal(Buffer.from(payload.metadata!.encoding!).toString(), encryptedEncoding);
        assert.equal(Buffer.from(payload.metadata!['encryption-key-id']!).toString(), 'new');
      }
      assertHidden(
        agent,
        keys.split(',').map((entry) => entry.split(':')[1]!),
      );
    });

    void it('opens them again with the keys (the search above would have found the text)', async () => {
      const [agent] = await histories([ids.agent]);
      const codec = new EncryptionCodec(parsePayloadKeys(keys, 'the test keys'));
      const opened = await codec.decode(payloadsIn(agent));
      const text = opened.map((payload) => Buffer.from(payload.data ?? []).toString()).join('\n');
      assert.ok(text.includes('17.5% of 2,340'));
      assert.ok(text.includes('421.5'));
    });

    void it('decodes for the Temporal UI and the temporal CLI through `llmos codec-server`', async () => {
      const port = await freePort();
      const token = randomUUID();
      const server = spawnLlmosCommand(['codec-server', '--port', String(port)], {
        LLMOS_PAYLOAD_KEYS: keys,
        LLMOS_CODEC_AUTH_TOKEN: token,
      });
      try {
        const url = `http://127.0.0.1:${port}`;
        await eventually(
          'the codec server start line',
          () => server.output().includes('codec server on') || undefined,
          30_000,
        );
        assert.match(server.output(), /keys old, new; bearer token from LLMOS_CODEC_AUTH_TOKEN/);
        assert.ok(!server.output().includes(keys.split(',')[1]!.split(':')[1]!), 'no key printed');

        // The UI's preflight, then a call without the token.
        const preflight = await fetch(`${url}/decode`, {
          method: 'OPTIONS',
          headers: { origin: 'http://localhost:8233', 'access-control-request-method': 'POST' },
        });
        assert.equal(preflight.status, 200);
        assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:8233');
        const refused = await fetch(`${url}/decode`, { method: 'POST', body: '{"payloads":[]}' });
        assert.equal(refused.status, 401);

        const cli = await findTemporalCli({ toolsDirectory });
        assert.equal(cli.kind, 'executable', 'npm test builds the temporal CLI');
        if (cli.kind !== 'executable') return;
        const show = (codec: string[]) =>
          run(
            cli.path,
            [
              'workflow',
              'show',
              '-w',
              ids.agent,
              '--address',
              temporal.address,
              '--output',
              'json',
              ...codec,
            ],
            {
              maxBuffer: 64 * 1024 * 1024,
            },
          );
        // The run's result as `temporal workflow show --output json` prints it (bytes in base64).
        const resultOf = (stdout: string) => {
          const { events } = JSON.parse(stdout) as {
            events: Array<{
              workflowExecutionCompletedEventAttributes?: { result: { payloads: JsonPayload[] } };
            }>;
          };
          const [payload] = events.at(-1)!.workflowExecutionCompletedEventAttributes!.result.payloads;
          return {
            encoding: Buffer.from(payload!.metadata.encoding!, 'base64').toString(),
            data: Buffer.from(payload!.data, 'base64').toString(),
          };
        };
        const sealed = resultOf((await show([])).stdout);
        assert.equal(sealed.encoding, encryptedEncoding, 'without the codec the answer stays sealed');
        assert.ok(!sealed.data.includes('421.5'));
        const opened = resultOf(
          (await show(['--codec-endpoint', url, '--codec-auth', `Bearer ${token}`])).stdout,
        );
        assert.equal(opened.encoding, 'json/plain', 'the codec server opened it for the temporal CLI');
        assert.match(opened.data, /"answer":"[^"]*421\.5/);
      } finally {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    });

    void it('refuses to read a run without the keys, and says why', async () => {
      const run = await runLlmos(['status', ids.agent, '--json'], {
        TEMPORAL_ADDRESS: temporal.address,
        LLMOS_PAYLOAD_KEYS: `other:${randomBytes(32).toString('base64')}`,
      });
      assert.equal(run.code, 1, describeRun(run));
      assert.match(run.stderr, /encrypted with key "new", which this process does not have \(it has other\)/);
    });
  },
);
