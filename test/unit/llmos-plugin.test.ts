/**
 * `createLlmosPlugin` on the options of a project's own worker: llmos's activities join the
 * worker's (which win a clash of names), its workflows come only where the worker has none, and
 * a bad tool rejects before anything is opened.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { z } from 'zod';
import { defineTool } from '../../activities/tools/tool.js';
import { createLlmosPlugin } from '../../workers/llmos-plugin.js';
import { workflowsPath } from '../../workers/workflow-bundle.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-plugin-'));
const env = {
  LLMOS_CACHE: 'off',
  LLMOS_BLOB_DIRECTORY: path.join(folder, 'blobs'),
  LLMOS_AUDIT_FILE: path.join(folder, 'audit.sqlite'),
  LLMOS_KNOWLEDGE_FILE: path.join(folder, 'knowledge.sqlite'),
  LLMOS_TICKETS_FILE: path.join(folder, 'tickets.sqlite'),
  LLMOS_EMAIL_OUTBOX_FILE: path.join(folder, 'outbox.sqlite'),
};
const shout = defineTool({
  name: 'shout',
  description: 'Says the text louder.',
  inputSchema: z.object({ text: z.string() }),
  execute: ({ text }) => Promise.resolve(text.toUpperCase()),
});

void describe('createLlmosPlugin', () => {
  after(() => rmSync(folder, { recursive: true, force: true }));

  void it("adds llmos's activities and workflows to a worker that has none of its own", async () => {
    const plugin = await createLlmosPlugin({ env, tools: [shout] });
    const own = { greet: () => Promise.resolve('hello') };
    const configured = plugin.configureWorker({ taskQueue: 'shop', activities: own });
    const activities = configured.activities as Record<string, unknown>;
    assert.equal(activities.greet, own.greet);
    for (const name of ['callChatModel', 'describeTools', 'runTool'])
      assert.equal(typeof activities[name], 'function');
    assert.equal(configured.workflowsPath, workflowsPath);
    // The project's tool is among the worker's: describeTools resolves it.
    const describeTools = activities.describeTools as (input: {
      names: string[];
    }) => Promise<{ specs: { name: string }[] }>;
    assert.deepEqual(
      (await describeTools({ names: ['shout'] })).specs.map((spec) => spec.name),
      ['shout'],
    );
  });

  void it("leaves a worker's own workflows alone", async () => {
    const plugin = await createLlmosPlugin({ env });
    const bundled = plugin.configureWorker({
      taskQueue: 'shop',
      workflowBundle: { code: '' },
    });
    assert.equal(bundled.workflowsPath, undefined);
    const own = plugin.configureWorker({
      taskQueue: 'shop',
      workflowsPath: '/app/workflows.js',
    });
    assert.equal(own.workflowsPath, '/app/workflows.js');
  });

  void it('rejects a bad tool, naming it', async () => {
    await assert.rejects(createLlmosPlugin({ env, tools: [shout, shout] }), {
      name: 'ToolDefinitionError',
      message: 'tool "shout" is defined twice',
    });
  });
});
