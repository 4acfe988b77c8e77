import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { startDevServer } from '../../client/dev-server/dev-server.js';
import { toolsDirectory } from '../../client/project-paths.js';
import { llmosSearchAttributeKeys } from '../../common/search-attributes.js';
import { installRuntime } from '../../workers/install-runtime.js';

void describe('the provisioned Temporal dev server', () => {
  const directories: string[] = [];
  after(async () => {
    for (const directory of directories) await rm(directory, { recursive: true, force: true });
  });

  void it('registers the llmos search attributes and keeps its state in the SQLite file across a restart', async () => {
    installRuntime('WARN');
    const directory = await mkdtemp(path.join(tmpdir(), 'llmos-dev-server-'));
    directories.push(directory);
    const dbFilename = path.join(directory, 'temporal.db');

    const first = await startDevServer({ toolsDirectory, dbFilename });
    const { Connection, Client } = await import('@temporalio/client');
    let connection = await Connection.connect({ address: first.address });
    let client = new Client({ connection });
    const attributes = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const { name } of llmosSearchAttributeKeys) {
      assert.ok(name in (attributes.customAttributes ?? {}), `search attribute ${name} is registered`);
    }
    // A workflow nobody runs: it stays open, which is all this test needs to find it again.
    const workflowId = `survives-restart-${crypto.randomUUID()}`;
    await client.workflow.start('reactAgentWorkflow', {
      args: [{}],
      taskQueue: 'nobody-polls-this',
      workflowId,
    });
    await connection.close();
    await first.shutdown();

    const second = await startDevServer({ toolsDirectory, dbFilename });
    try {
      connection = await Connection.connect({ address: second.address });
      client = new Client({ connection });
      const description = await client.workflow.getHandle(workflowId).describe();
      assert.equal(description.status.name, 'RUNNING');
      await client.workflow.getHandle(workflowId).terminate('test done');
      await connection.close();
    } finally {
      await second.shutdown();
    }
  });
});
