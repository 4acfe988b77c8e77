/**
 * Agents using the tools of MCP servers: real server packages from the registry over stdio
 * (`@modelcontextprotocol/server-filesystem`, `server-everything`), a Streamable HTTP server
 * made here with the SDK (behind a bearer token), and a hand-written stdio server that hangs,
 * crashes mid-call and answers with what is not a result. Every case ends the run or the call in
 * a typed failure it can act on, never a hung run.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import type { AgentRequest, AgentStep } from '../../common/agent.js';
import type { ToolStep } from '../../common/trace-steps.js';
import { projectRoot } from '../../client/project-paths.js';
import type { reactAgentWorkflow } from '../../workflows/agent.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { freePort } from '../helpers/free-port.js';
import { quickRetry, scheduledActivities, toolMessagesOf, wireBody } from './agent-harness.js';

const probeServer = fileURLToPath(new URL('../fixtures/mcp/probe-server.ts', import.meta.url));
const serverBin = (name: string) =>
  path.join(projectRoot, 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');

const toolSteps = (trace: AgentStep[]): ToolStep[] =>
  trace.filter((step): step is ToolStep => step.kind === 'tool');

/** The orders service's MCP server: Streamable HTTP, stateless, and only with the right token. */
async function startOrdersServer(token: string) {
  const authorizations: (string | undefined)[] = [];
  const http: Server = createServer((request, response) => {
    authorizations.push(request.headers.authorization);
    if (request.headers.authorization !== `Bearer ${token}`) {
      response.writeHead(401).end();
      return;
    }
    const server = new McpServer({ name: 'orders', version: '1.0.0' });
    server.registerTool(
      'lookup_order',
      {
        description: 'Looks up an order by its id.',
        inputSchema: { id: z.string() },
        annotations: { readOnlyHint: true },
      },
      ({ id }) => ({ content: [{ type: 'text', text: `Order ${id}: shipped on 2026-11-30.` }] }),
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on('close', () => void server.close());
    void server.connect(transport).then(() => transport.handleRequest(request, response));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    authorizations,
    close: () => {
      http.closeAllConnections();
      return new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

void describe('reactAgentWorkflow: MCP servers as tool sources', { timeout: 300_000 }, () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'llmos-mcp-'));
  const probeLog = path.join(folder, 'probe-calls.jsonl');
  const document = path.join(folder, 'refunds.md');
  copyFileSync(path.join(projectRoot, 'examples', 'company', 'knowledge', 'billing', 'refunds.md'), document);
  const token = `t-${randomUUID()}`;
  let orders: Awaited<ReturnType<typeof startOrdersServer>>;
  let closedPort: number;

  before(async () => {
    orders = await startOrdersServer(token);
    closedPort = await freePort();
  });
  const testbed = useAgentTestbed({
    extensions: () => ({
      mcpServers: {
        files: { command: process.execPath, args: [serverBin('server-filesystem'), folder] },
        everything: { command: process.execPath, args: [serverBin('server-everything'), 'stdio'] },
        orders: { url: orders.url, headers: { Authorization: `Bearer ${token}` } },
        probe: {
          command: process.execPath,
          args: ['--import', import.meta.resolve('tsx'), probeServer],
          env: { PROBE_LOG: probeLog },
          timeoutMs: 1_500,
        },
        down: { url: `http://127.0.0.1:${closedPort}/mcp`, connectTimeoutMs: 2_000 },
        // The same server, whose settings make every `record` call wait for a person.
        guarded: {
          command: process.execPath,
          args: ['--import', import.meta.resolve('tsx'), probeServer],
          env: { PROBE_LOG: probeLog },
          requireApproval: ['record'],
        },
      },
    }),
  });
  after(async () => {
    await orders?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  const start = (name: string, request: Partial<AgentRequest>) =>
    testbed.temporal.env.client.workflow.start<typeof reactAgentWorkflow>('reactAgentWorkflow', {
      args: [{ question: 'Use the tools.', model: 'openai:gpt-4o-mini', retry: quickRetry, ...request }],
      taskQueue: testbed.worker.taskQueue,
      workflowId: `mcp-${name}-${randomUUID()}`,
    });
  const offeredTools = (index: number) =>
    ((wireBody(testbed.fake.requests[index]).tools ?? []) as { function: { name: string } }[]).map(
      (tool) => tool.function.name,
    );

  void it('offers every tool of server-filesystem and reads a real document through it', async () => {
    testbed.fake.setScript({
      turns: [
        { toolCalls: [{ name: 'files__read_text_file', arguments: { path: document } }] },
        { text: 'Returns are free within 30 days.' },
      ],
    });
    const handle = await start('files', { tools: ['calculator', 'files'] });
    const result = await handle.result();

    assert.equal(result.stopReason, 'answer', JSON.stringify(result.error));
    const offered = offeredTools(0);
    assert.equal(offered[0], 'calculator');
    for (const name of ['files__read_text_file', 'files__list_directory', 'files__write_file'])
      assert.ok(offered.includes(name), `${name} offered: ${offered.join(', ')}`);
    const [step] = toolSteps(result.trace);
    assert.equal(step?.ok, true, step?.observation);
    // The document's text, marked as outside text for the model.
    const observation = toolMessagesOf(testbed.fake.requests[1])[0]?.content ?? '';
    assert.match(observation, /^<untrusted-[0-9a-f]{12} source="mcp:files\/read_text_file">/);
    assert.ok(observation.includes(readFileSync(document, 'utf8').split('\n')[0]!.trim()));
    // The tool list was asked for once, at the start, and is in history: replay asks no server.
    const activities = await scheduledActivities(handle);
    assert.equal(activities.filter((name) => name === 'describeTools').length, 1);
  });

  void it('offers one tool of server-everything by its full name', async () => {
    testbed.fake.setScript({
      turns: [
        { toolCalls: [{ name: 'everything__get-sum', arguments: { a: 2, b: 3 } }] },
        { text: 'Done: {{lastToolResult}}' },
      ],
    });
    const result = await (await start('everything', { tools: ['everything__get-sum'] })).result();
    assert.equal(result.stopReason, 'answer');
    assert.deepEqual(offeredTools(0), ['everything__get-sum']);
    const [step] = toolSteps(result.trace);
    assert.equal(step?.ok, true);
    assert.match(step?.observation ?? '', /The sum of 2 and 3 is 5/);
  });

  void it('calls a Streamable HTTP server with its headers', async () => {
    orders.authorizations.length = 0;
    testbed.fake.setScript({
      turns: [
        { toolCalls: [{ name: 'orders__lookup_order', arguments: { id: 'BL-1001' } }] },
        { text: 'It shipped.' },
      ],
    });
    const result = await (await start('http', { tools: ['orders'] })).result();
    assert.equal(result.stopReason, 'answer');
    const [step] = toolSteps(result.trace);
    assert.match(step?.observation ?? '', /Order BL-1001: shipped on 2026-11-30\./);
    assert.ok(orders.authorizations.length > 0);
    assert.ok(orders.authorizations.every((header) => header === `Bearer ${token}`));
  });

  void it('turns a hang, a crash, a malformed answer and a reported error into observations', async () => {
    rmSync(probeLog, { force: true });
    testbed.fake.setScript({
      turns: [
        { toolCalls: [{ name: 'probe__hang', arguments: {} }] },
        { toolCalls: [{ name: 'probe__crash', arguments: {} }] },
        { toolCalls: [{ name: 'probe__malformed', arguments: {} }] },
        { toolCalls: [{ name: 'probe__fails', arguments: {} }] },
        { toolCalls: [{ name: 'probe__echo', arguments: { text: 'still here' } }] },
        { text: 'Some tools failed.' },
      ],
    });
    const result = await (await start('probe', { tools: ['probe'] })).result();

    assert.equal(result.stopReason, 'answer');
    const [hang, crash, malformed, fails, echo] = toolSteps(result.trace);
    assert.equal(hang?.ok, false);
    assert.match(
      hang?.observation ?? '',
      /^ToolFailed: McpTimeout: MCP server "probe", hang: no answer within 1500 ms/,
    );
    assert.match(
      crash?.observation ?? '',
      /^ToolFailed: McpUnavailable: .*the connection closed before the answer \(it wrote: probe: out of memory \(simulated\)\)/,
    );
    assert.match(
      malformed?.observation ?? '',
      /^ToolFailed: McpResultMalformed: .*not a valid MCP result: content: Invalid input: expected array/,
    );
    assert.match(
      fails?.observation ?? '',
      /^InvalidToolInput: probe__fails reported an error: <untrusted-\w+ source="mcp:probe\/fails">\nthe disk is full\n<\/untrusted-\w+>$/,
    );
    // After the crash the server was started again.
    assert.equal(echo?.ok, true);
    assert.match(echo?.observation ?? '', /echo: still here/);

    const calls = readFileSync(probeLog, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { tool: string; pid: number });
    const count = (tool: string) => calls.filter((call) => call.tool === tool).length;
    // Read-only tools are retried (3 attempts); a malformed answer is not (no retry fixes it).
    assert.equal(count('hang'), 3);
    assert.equal(count('crash'), 3);
    assert.equal(count('malformed'), 1);
    assert.equal(new Set(calls.filter((call) => call.tool === 'crash').map((call) => call.pid)).size, 3);
  });

  void it('tries a tool with side effects once: a failed call is not repeated blindly', async () => {
    rmSync(probeLog, { force: true });
    testbed.fake.setScript({
      turns: [{ toolCalls: [{ name: 'probe__record', arguments: { text: 'once' } }] }, { text: 'Recorded.' }],
    });
    const handle = await start('side-effects', { tools: ['probe__record', 'probe__hang'] });
    const result = await handle.result();
    assert.equal(result.stopReason, 'answer');
    const history = await handle.fetchHistory();
    const retry = (history.events ?? [])
      .flatMap((event) => event.activityTaskScheduledEventAttributes ?? [])
      .filter((scheduled) => scheduled.activityType?.name === 'runTool')
      .map((scheduled) => scheduled.retryPolicy?.maximumAttempts);
    assert.deepEqual(retry, [1]);
  });

  for (const [label, request] of [
    ["the server's settings", { tools: ['guarded'] }],
    [
      "the run's approval settings, by the tool's full name",
      { tools: ['probe'], approval: { tools: ['probe__record'] } },
    ],
  ] as const)
    void it(`holds an MCP tool's calls for a person, as ${label} say`, async () => {
      rmSync(probeLog, { force: true });
      const server = request.tools[0];
      testbed.fake.setScript({
        turns: [
          { toolCalls: [{ name: `${server}__record`, arguments: { text: 'unapproved' } }] },
          { text: 'Nobody approved it.' },
        ],
      });
      const result = await (
        await start(`approval-${server}`, {
          tools: [...request.tools],
          approval: { tools: [...(request.approval?.tools ?? [])], timeoutMs: 1_000 },
        })
      ).result();
      assert.equal(result.stopReason, 'answer');
      const [step] = toolSteps(result.trace);
      assert.equal(step?.ok, false);
      assert.equal(step?.approval?.decision, 'timed_out');
      assert.match(step?.observation ?? '', /^ToolCallDeclined: /);
      // The call never reached the server.
      assert.ok(!existsSync(probeLog) || !readFileSync(probeLog, 'utf8').includes('unapproved'));
    });

  void it('ends the run at start with McpUnavailable when a server is down', async () => {
    const result = await (await start('down', { tools: ['calculator', 'down'] })).result();
    assert.equal(result.stopReason, 'error');
    assert.equal(result.error?.type, 'McpUnavailable');
    assert.match(
      result.error?.message ?? '',
      /MCP server "down", tools\/list: fetch failed \(ECONNREFUSED\)/,
    );
    assert.equal(testbed.fake.requests.length, 0, 'no model call');
  });

  void it('ends the run at start with UnknownTool for a tool the server does not have', async () => {
    const result = await (await start('unknown', { tools: ['everything__teleport'] })).result();
    assert.equal(result.stopReason, 'error');
    assert.equal(result.error?.type, 'UnknownTool');
    assert.match(
      result.error?.message ?? '',
      /MCP server "everything" has no tool "teleport"; its tools: echo, /,
    );
  });
});
