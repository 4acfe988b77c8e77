/**
 * A project's own tools and MCP servers are checked before a worker starts: every bad definition
 * stops it with a message that names the tool (or the server, or the config file).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { defineTool, type Tool } from '../../activities/tools/tool.js';
import { createToolRegistry, toolCallOptions } from '../../activities/tools/tool-registry.js';
import { parseWorkerConfig } from '../../workers/config.js';
import { createWorker } from '../../workers/create-worker.js';
import { checkWorkerExtensions, loadProjectConfig } from '../../workers/project-config.js';

const lookup = defineTool({
  name: 'lookup_customer',
  description: 'Finds a customer by e-mail.',
  inputSchema: z.object({ email: z.email() }),
  execute: ({ email }) => Promise.resolve(`customer ${email}`),
});
const variant = (changes: Partial<Tool>): Tool => ({ ...lookup, ...changes });

void describe('tool definitions', () => {
  for (const [label, tools, message] of [
    ['a name used twice', [lookup, lookup], /^tool "lookup_customer" is defined twice$/],
    [
      'a name providers refuse',
      [variant({ name: 'look up' })],
      /^tool "look up": bad name: tool names are 1-64/,
    ],
    [
      'a name with the MCP separator',
      [variant({ name: 'crm__find' })],
      /^tool "crm__find": names may not contain "__"/,
    ],
    ['no description', [variant({ description: ' ' })], /^tool "lookup_customer": needs a description/],
    [
      'a schema that is not an object',
      [variant({ inputSchema: z.string() })],
      /^tool "lookup_customer": inputSchema must be an object schema \(z\.object\)/,
    ],
    [
      'a schema with no JSON Schema',
      [variant({ inputSchema: z.object({ when: z.date() }) })],
      /^tool "lookup_customer": inputSchema does not convert to JSON Schema: /,
    ],
    [
      'no zod schema',
      [variant({ inputSchema: { type: 'object' } as never })],
      /inputSchema must be a zod schema/,
    ],
    [
      'pure with side effects',
      [variant({ pure: true, sideEffects: true })],
      /^tool "lookup_customer": cannot be both pure and have side effects$/,
    ],
    [
      'a bad timeout',
      [variant({ timeoutMs: -5 })],
      /timeoutMs must be a positive whole number of milliseconds, not -5/,
    ],
    [
      'zero attempts',
      [variant({ retry: { maximumAttempts: 0 } })],
      /retry.maximumAttempts must be a whole number of at least 1, not 0/,
    ],
    ['not a tool at all', [42 as unknown as Tool], /^tool #1 is not a tool definition \(use defineTool\)$/],
  ] as const) {
    void it(`refuses ${label}`, () => {
      assert.throws(() => createToolRegistry(tools as readonly Tool[]), {
        name: 'ToolDefinitionError',
        message,
      });
    });
  }

  void it('records only the call options that differ from every tool call', () => {
    assert.equal(toolCallOptions(lookup), undefined);
    assert.deepEqual(toolCallOptions({ sideEffects: true }), { maximumAttempts: 1 });
    // A tool that passes its idempotency key on may allow retries.
    assert.equal(toolCallOptions({ sideEffects: true, retry: { maximumAttempts: 3 } }), undefined);
    assert.deepEqual(toolCallOptions({ timeoutMs: 5_000, retry: { initialIntervalMs: 200 } }), {
      timeoutMs: 5_000,
      initialIntervalMs: 200,
    });
  });
});

void describe('a project’s additions', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'llmos-project-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  void it('refuses a tool named like a built-in one, and a server named like a tool', () => {
    assert.throws(() => checkWorkerExtensions({ tools: [variant({ name: 'calculator' })] }), {
      message: 'tool "calculator": the name is taken by an llmos built-in tool',
    });
    assert.throws(
      () => checkWorkerExtensions({ tools: [lookup], mcpServers: { lookup_customer: { command: 'x' } } }),
      /MCP server "lookup_customer" has the name of a tool/,
    );
  });

  void it('takes worker settings by their environment names, and refuses a name that is none', () => {
    assert.deepEqual(checkWorkerExtensions({ settings: { LLMOS_RATE_LIMITS: 'openai=5' } }).settings, {
      LLMOS_RATE_LIMITS: 'openai=5',
    });
    assert.throws(
      () => checkWorkerExtensions({ settings: { LLMOS_RATE_LIMIT: 'openai=5' } }, 'llmos.config.ts'),
      /^Error: llmos.config.ts: settings.LLMOS_RATE_LIMIT: not a worker setting$/,
    );
  });

  void it('names the setting of an MCP server that is wrong', () => {
    assert.throws(
      () =>
        checkWorkerExtensions(
          { mcpServers: { files: { command: 'x', url: 'http://localhost' } as never } },
          'llmos.config.ts',
        ),
      /^Error: llmos.config.ts: mcpServers.files: an MCP server needs either `command` \(stdio\) or `url`/,
    );
    assert.throws(
      () => checkWorkerExtensions({ mcpServers: { my__files: { command: 'x' } } }),
      /mcpServers.my__files: MCP server names may not contain "__"/,
    );
    assert.throws(
      () => checkWorkerExtensions({ mcpServers: { web: { url: 'ftp://example.com' } } }),
      /mcpServers.web/,
    );
  });

  void it('loads llmos.config.ts from the folder, with its tools and servers checked', async () => {
    const here = (module: string) => pathToFileURL(path.resolve(import.meta.dirname, module)).href;
    writeFileSync(
      path.join(folder, 'llmos.config.ts'),
      [
        `import { z } from '${import.meta.resolve('zod')}';`,
        `import { defineTool } from '${here('../../activities/tools/tool.ts')}';`,
        `import { defineConfig } from '${here('../../workers/define-config.ts')}';`,
        'export default defineConfig({',
        "  tools: [defineTool({ name: 'shout', description: 'Shouts.', inputSchema: z.object({ text: z.string() }),",
        '    execute: ({ text }) => Promise.resolve(text.toUpperCase()) })],',
        "  mcpServers: { files: { command: 'node', args: ['server.js'] } },",
        '});',
      ].join('\n'),
    );
    const project = await loadProjectConfig(undefined, folder);
    assert.equal(project.file, path.join(folder, 'llmos.config.ts'));
    assert.deepEqual(
      project.tools.map((tool) => tool.name),
      ['shout'],
    );
    assert.deepEqual(project.mcpServers.files, {
      command: 'node',
      args: ['server.js'],
      env: {},
      requireApproval: [],
      timeoutMs: 60_000,
      connectTimeoutMs: 15_000,
    });
  });

  void it('names the config file that does not load or does not exist', async () => {
    const broken = path.join(folder, 'broken.config.mjs');
    writeFileSync(broken, "throw new Error('no such API key');\n");
    await assert.rejects(
      loadProjectConfig(broken),
      /^Error: cannot load the llmos config file .*broken\.config\.mjs: no such API key$/,
    );
    await assert.rejects(
      loadProjectConfig('nowhere.config.ts', folder),
      /the llmos config file nowhere\.config\.ts does not exist/,
    );
    // No file and none asked for: nothing to add.
    assert.deepEqual(await loadProjectConfig(undefined, path.join(folder, '..')), {
      tools: [],
      mcpServers: {},
      settings: {},
    });
  });

  void it('stops a worker with a bad tool before it connects to anything', async () => {
    // Nothing listens on port 1: a worker that got as far as connecting would fail differently.
    const config = parseWorkerConfig({ TEMPORAL_ADDRESS: '127.0.0.1:1', LLMOS_CACHE: 'off' });
    await assert.rejects(createWorker(config, { extensions: { tools: [lookup, lookup] } }), {
      name: 'ToolDefinitionError',
      message: 'tool "lookup_customer" is defined twice',
    });
  });
});
