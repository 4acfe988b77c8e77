/**
 * `llmos mcp` driven by the MCP SDK's own client, as a desktop assistant or an IDE would drive it:
 * over stdio (the client starts the command) and over Streamable HTTP behind a bearer token. The
 * runs it starts are ordinary Temporal workflows on a real server, worked by a real worker whose
 * models are the fake provider.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { llmosBin } from '../../client/project-paths.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import { eventually } from '../helpers/eventually.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv, startTestWorker, type TestWorker } from '../helpers/test-worker.js';
import { llmosChildEnv, spawnLlmosCommand } from '../helpers/worker-process.js';

const model = 'openai:gpt-4o-mini';

/** Every question: the calculator on `6 * 7`, then the answer from its result. */
const script = {
  rules: [
    {
      match: { step: 0 },
      reply: { toolCalls: [{ name: 'calculator', arguments: { expression: '6 * 7' } }] },
    },
    { match: { step: 1 }, reply: { text: 'It is {{lastToolResult}}.' } },
  ],
};

const textOf = (result: CallToolResult) =>
  result.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');

void describe('llmos mcp', { timeout: 300_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  let worker: TestWorker;
  let client: Client;

  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({ script });
    worker = await startTestWorker(temporal.address, fakeProviderEnv(fake.url));
    client = new Client({ name: 'test-assistant', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [llmosBin, 'mcp', '--task-queue', worker.taskQueue, '--model', model],
        env: llmosChildEnv({ TEMPORAL_ADDRESS: temporal.address }) as Record<string, string>,
        stderr: 'pipe',
      }),
    );
  });
  after(async () => {
    await client?.close();
    await worker?.stop();
    await fake?.close();
    await temporal?.close();
  });

  const call = async (name: string, args: Record<string, unknown>, via = client) =>
    (await via.callTool({ name, arguments: args })) as CallToolResult;

  void it('offers the jobs as tools, with their input schemas', async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(
      tools.map((tool) => tool.name),
      ['run_agent', 'run_psv', 'run_sql', 'run_analysis', 'run_status', 'raise_caps'],
    );
    const agent = tools.find((tool) => tool.name === 'run_agent')!;
    assert.deepEqual(agent.inputSchema.required, ['question']);
  });

  void it('runs an agent and waits for its answer: an ordinary Temporal workflow', async () => {
    const result = await call('run_agent', { question: 'What is 6 times 7?', tools: ['calculator'] });
    assert.equal(result.isError, undefined, textOf(result));
    assert.match(textOf(result), /^It is 42\.\n\n\(agent agent-[0-9a-f-]+\)$/);
    const { runId, status, totals } = result.structuredContent as {
      runId: string;
      status: string;
      totals: { modelCalls: number; toolCalls: number };
    };
    assert.equal(status, 'COMPLETED');
    assert.deepEqual([totals.modelCalls, totals.toolCalls], [2, 1]);
    const described = await temporal.env.client.workflow.getHandle(runId).describe();
    assert.equal(described.type, 'reactAgentWorkflow');
    assert.equal(described.taskQueue, worker.taskQueue);
  });

  void it('returns a run id at once, reports the run stopped on a cap, and raises the cap', async () => {
    const started = await call('run_agent', {
      question: 'What is 6 times 7, again?',
      maxIterations: 1,
      holdOnCapSeconds: 120,
      wait: false,
    });
    const { runId } = started.structuredContent as { runId: string };
    assert.match(textOf(started), new RegExp(`^Started agent run ${runId}\\.$`));

    const held = await eventually('the run held at its cap', async () => {
      const status = await call('run_status', { runId });
      return (status.structuredContent as { progressStatus?: string }).progressStatus === 'waiting_for_caps'
        ? status
        : undefined;
    });
    assert.match(
      textOf(held),
      /still running, iteration 1\/1, .*stopped on a cap \(.*\): raise_caps lets it go on/,
    );

    const raised = await call('raise_caps', { runId, maxIterations: 3 });
    assert.equal(raised.isError, undefined, textOf(raised));
    assert.equal((raised.structuredContent as { caps: { maxIterations: number } }).caps.maxIterations, 3);
    const finished = await call('run_status', { runId, wait: true, waitSeconds: 60 });
    assert.match(textOf(finished), /^It is 42\./);
  });

  void it('says a run that stopped on a cap did not answer: an error result, never an answer', async () => {
    const result = await call('run_agent', { question: 'What is 6 times 7, once more?', maxIterations: 1 });
    assert.equal(result.isError, true);
    assert.match(textOf(result), /^Stopped: iteration_limit/);
  });

  void it('refuses a run id that does not exist and a raise that names no cap', async () => {
    const unknown = await call('run_status', { runId: 'no-such-run' });
    assert.equal(unknown.isError, true);
    assert.match(textOf(unknown), /^no run no-such-run: /);
    const nothing = await call('raise_caps', { runId: 'no-such-run' });
    assert.equal(nothing.isError, true);
    assert.match(textOf(nothing), /name at least one cap to raise/);
  });

  void it('serves Streamable HTTP to a client with the token, and refuses one without', async () => {
    const token = `token-${crypto.randomUUID()}`;
    const server = spawnLlmosCommand(
      ['mcp', '--http', '0', '--task-queue', worker.taskQueue, '--model', model],
      { TEMPORAL_ADDRESS: temporal.address, LLMOS_MCP_TOKEN: token },
    );
    try {
      const url = await eventually(
        'the server address',
        () => /on (http:\/\/\S+\/mcp),/.exec(server.output())?.[1],
      );
      const refused = new Client({ name: 'stranger', version: '1.0.0' });
      await assert.rejects(
        refused.connect(
          new StreamableHTTPClientTransport(new URL(url), {
            requestInit: { headers: { Authorization: 'Bearer wrong' } },
          }),
        ),
        /401|Unauthorized/i,
      );
      const remote = new Client({ name: 'ide', version: '1.0.0' });
      await remote.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          requestInit: { headers: { Authorization: `Bearer ${token}` } },
        }),
      );
      const result = await call('run_agent', { question: 'What is 6 times 7 over HTTP?' }, remote);
      assert.match(textOf(result), /^It is 42\./);
      await remote.close();
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });
});
