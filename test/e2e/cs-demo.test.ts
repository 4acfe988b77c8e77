/**
 * The customer-service tour (`llmos cs demo`'s conversation) on a worker process with the offline
 * embedding model and the scripted demo model: the example company's knowledge base is built, a
 * policy answer cites its passage, an order is looked up, an angry customer is handed to a person
 * with a ticket, and the agent takes the session back.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteTicketStore } from '../../activities/tickets/sqlite-ticket-store.js';
import { runCustomerServiceDemo } from '../../client/cs-demo.js';
import { connectTemporal } from '../helpers/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const modelsDirectory = process.env.LLMOS_TEST_LOCAL_MODELS_DIR;
const skip =
  modelsDirectory && existsSync(path.join(modelsDirectory, 'all-minilm-l6-v2'))
    ? false
    : 'LLMOS_TEST_LOCAL_MODELS_DIR names no installed model: run scripts/models/setup-local-models.sh';

void describe('the customer-service demo, end to end', { timeout: 300_000, skip }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let worker: WorkerProcess;
  const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-cs-demo-'));
  const ticketsFile = path.join(scratch, 'tickets.sqlite');
  before(async () => {
    temporal = await connectTemporal();
    worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue: `cs-demo-${randomUUID()}`,
      env: {
        LLMOS_KNOWLEDGE_FILE: path.join(scratch, 'knowledge.sqlite'),
        LLMOS_TICKETS_FILE: ticketsFile,
        LLMOS_AUDIT_FILE: path.join(scratch, 'audit.sqlite'),
        LLMOS_CACHE_FILE: path.join(scratch, 'cache.sqlite'),
        LLMOS_LOCAL_MODELS_DIR: modelsDirectory!,
      },
    });
  });
  after(async () => {
    await worker?.stop();
    await temporal?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  void it('answers with a cited policy, looks up an order, hands off with a ticket and takes the session back', async () => {
    const lines: string[] = [];
    const { sessionId, unexpected } = await runCustomerServiceDemo(temporal.env.client, {
      taskQueue: worker.taskQueue,
      model: 'scripted:demo-support',
      print: (line) => lines.push(line),
    });
    const transcript = lines.join('\n');
    assert.deepEqual(unexpected, [], transcript);
    assert.match(transcript, /orders: 3 added, 0 replaced, 0 unchanged/);
    assert.match(
      transcript,
      /agent> {4}You may return any Brightline product within 30 days of delivery, for any reason \[returns\.md#0\]/,
    );
    assert.match(transcript, /about orders/);
    assert.match(
      transcript,
      /agent> {4}Your order BL-25061, a Brightline M1 mesh point, was delivered by DHL/,
    );
    const ticket = /handed to a person: the customer's sentiment -0\.8 is below -0\.5; ticket (T-\d+)/.exec(
      transcript,
    )?.[1];
    assert.ok(ticket, transcript);
    assert.match(transcript, new RegExp(`person> {3}I am sorry, Jane\\. .*your ticket is ${ticket}\\.`));
    assert.match(transcript, /agent> {4}You are welcome!/);
    assert.match(transcript, /Closed after 6 turns/);

    const store = openSqliteTicketStore(ticketsFile);
    try {
      const opened = await store.get(ticket);
      assert.equal(opened?.customer, 'C-1001');
      assert.equal(opened?.priority, 'high');
      assert.equal(opened?.workflowId, sessionId);
      assert.match(opened?.description ?? '', /Customer: How long do I have to return a router\?/);
    } finally {
      await store.close();
    }
  });
});
