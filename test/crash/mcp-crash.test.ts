/**
 * A worker process killed with SIGKILL while an MCP tool call is in flight: the worker loads its
 * MCP server from an `llmos.config` file, as an operator's would. A new worker goes on from
 * history: the MCP calls and model calls that completed before the kill are not made again; only
 * the read-only call in flight is, once the lost attempt times out.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { eventually } from '../helpers/eventually.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv } from '../helpers/test-worker.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const probeServer = fileURLToPath(new URL('../fixtures/mcp/probe-server.ts', import.meta.url));

/** Record (a side effect), then a slow read-only echo (killed mid-way), then the answer. */
const script: FakeLlmScript = {
  rules: [
    { match: { step: 0 }, reply: { toolCalls: [{ name: 'probe__record', arguments: { text: 'order 1' } }] } },
    {
      match: { step: 1 },
      reply: { toolCalls: [{ name: 'probe__slow_echo', arguments: { text: 'status', ms: 3_000 } }] },
    },
    { match: { step: 2 }, reply: { text: 'Recorded, and the status is {{lastToolResult}}' } },
  ],
};

void describe('a worker killed with SIGKILL during an MCP tool call', { timeout: 300_000 }, () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'llmos-mcp-crash-'));
  const probeLog = path.join(folder, 'calls.jsonl');
  const configFile = path.join(folder, 'llmos.config.mjs');
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  const workers: WorkerProcess[] = [];

  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({ script });
    // A plain-JavaScript config, as a project without TypeScript would write it.
    const probe = {
      command: process.execPath,
      args: ['--import', import.meta.resolve('tsx'), probeServer],
      env: { PROBE_LOG: probeLog },
      // A lost attempt's activity times out after this, a connect and 5 s.
      timeoutMs: 5_000,
      connectTimeoutMs: 2_000,
    };
    writeFileSync(configFile, `export default { mcpServers: { probe: ${JSON.stringify(probe)} } };\n`);
  });
  after(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await fake?.close();
    await temporal?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const startWorker = async (taskQueue: string) => {
    const worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue,
      env: { ...fakeProviderEnv(fake.url), LLMOS_CONFIG_FILE: configFile },
    });
    workers.push(worker);
    return worker;
  };
  const calls = () =>
    existsSync(probeLog)
      ? readFileSync(probeLog, 'utf8')
          .trim()
          .split('\n')
          .map((line) => (JSON.parse(line) as { tool: string }).tool)
      : [];

  void it('makes no completed call again, and the one in flight once more', async () => {
    const taskQueue = `mcp-crash-${randomUUID()}`;
    const first = await startWorker(taskQueue);
    assert.match(first.output(), /project .*llmos\.config\.mjs: tools none; MCP servers probe/);
    const handle = await temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
      args: [
        { question: 'Record order 1, then check its status.', model: 'openai:gpt-4o-mini', tools: ['probe'] },
      ],
      taskQueue,
      workflowId: `mcp-crash-${randomUUID()}`,
    });
    await eventually('the slow MCP call', () => (calls().includes('slow_echo') ? true : undefined));
    first.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    assert.deepEqual(calls(), ['record', 'slow_echo'], 'the record call done, the echo in flight');

    await startWorker(taskQueue);
    const result = await handle.result();

    assert.equal(result.stopReason, 'answer', JSON.stringify(result.error));
    assert.match(result.answer ?? '', /slow_echo: status/);
    // The side effect happened once; the read-only call in flight was made again, once.
    assert.deepEqual(calls(), ['record', 'slow_echo', 'slow_echo']);
    assert.deepEqual(
      fake.requests.map((request) => request.step),
      [0, 1, 2],
      'each model call made once',
    );
  });
});
