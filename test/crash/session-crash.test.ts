/**
 * A customer-service session whose worker process is killed with SIGKILL mid-turn, after the
 * turn opened a ticket and while its next model call waits on the provider: another worker
 * process continues the session from history. The customer's Update still gets its reply, the
 * ticket exists once, and only the model call in flight at the kill is sent again.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openSqliteTicketStore } from '../../activities/tickets/sqlite-ticket-store.js';
import type { CustomerServiceRequest } from '../../common/customer-service.js';
import { sendMessageUpdate, sessionStateQuery } from '../../common/messages.js';
import { startFakeLlmServer, type FakeLlmServer } from '../../fake-llm/server.js';
import type { customerServiceWorkflow } from '../../workflows/index.js';
import { eventually } from '../helpers/eventually.js';
import { connectTemporal } from '../helpers/temporal.js';
import { fakeProviderEnv } from '../helpers/test-worker.js';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-session-crash-'));
const ticketsFile = path.join(folder, 'tickets.sqlite');

void describe('a customer-service session whose worker is killed mid-turn', { timeout: 600_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let fake: FakeLlmServer;
  const workers: WorkerProcess[] = [];
  before(async () => {
    temporal = await connectTemporal();
    fake = await startFakeLlmServer({
      script: {
        rules: [
          {
            match: { responseFormat: '^message_assessment$' },
            reply: { json: { sentiment: -0.2, priority: 'normal', product: null, wantsHuman: false } },
          },
          {
            match: { lastUserMessage: 'Message: .*ticket', step: 0 },
            reply: {
              toolCalls: [
                {
                  name: 'create_ticket',
                  arguments: {
                    subject: 'Router restarts at night',
                    description: 'The R2 restarts every night.',
                  },
                },
              ],
            },
          },
          // The answer after the ticket: held for 20 s the first time, so the kill finds it in flight.
          {
            match: { lastUserMessage: 'Message: .*ticket', step: 1 },
            times: 1,
            reply: { text: 'Done: {{lastToolResult}}.', delayMs: 20_000 },
          },
          {
            match: { lastUserMessage: 'Message: .*ticket', step: 1 },
            reply: { text: 'Done: {{lastToolResult}}.' },
          },
          { match: { lastUserMessage: 'Message: ' }, reply: { text: 'Glad to help.' } },
        ],
      },
    });
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
      env: { ...fakeProviderEnv(fake.url), LLMOS_TICKETS_FILE: ticketsFile },
    });
    workers.push(worker);
    return worker;
  };

  void it('answers the message after the crash, with one ticket and only the call in flight repeated', async () => {
    const taskQueue = `session-crash-${randomUUID()}`;
    const first = await startWorker(taskQueue);
    const request: CustomerServiceRequest = {
      model: 'openai:gpt-4o-mini',
      customer: { id: 'C-1003' },
      // A dead worker's model call is noticed after 5 s without a heartbeat and retried at once.
      retry: { heartbeatTimeoutMs: 5_000, initialIntervalMs: 200, maximumAttempts: 5 },
      config: {
        name: 'crash',
        version: 1,
        role: 'You are a support agent.',
        tone: 'Brief.',
        knowledgeBase: 'help',
        tools: ['create_ticket'],
      },
    };
    const handle = await temporal.env.client.workflow.start<typeof customerServiceWorkflow>(
      'customerServiceWorkflow',
      { args: [request], taskQueue, workflowId: `session-crash-${randomUUID()}` },
    );
    const reply = handle.executeUpdate(sendMessageUpdate, {
      args: [{ text: 'My router restarts every night, please open a ticket.' }],
      updateId: 'message-1',
    });
    await eventually('the answer after the ticket is in flight', () =>
      fake.requests.some((request) => request.step === 1) ? true : undefined,
    );
    first.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');
    await startWorker(taskQueue);

    const answered = await reply;
    assert.equal(answered.outcome, 'answered', answered.detail);
    assert.match(
      answered.reply,
      /^Done: Opened ticket T-\d+ \(normal priority\): Router restarts at night\.$/,
    );
    const store = openSqliteTicketStore(ticketsFile);
    try {
      const tickets = await store.list({ limit: 10 });
      assert.equal(tickets.length, 1, 'the ticket was opened once');
      assert.equal(tickets[0]!.workflowId, `${handle.workflowId}/turn-1`);
    } finally {
      await store.close();
    }
    // The model call that opened the ticket was sent once; the one in flight at the kill twice.
    assert.deepEqual(
      fake.requests
        .filter((request) => request.chatRequest?.responseFormat === undefined)
        .map((request) => request.step),
      [0, 1, 1],
    );

    // The session goes on where it was.
    const next = await handle.executeUpdate(sendMessageUpdate, {
      args: [{ text: 'Thank you, that is all.' }],
    });
    assert.deepEqual([next.turn, next.reply], [2, 'Glad to help.']);
    assert.equal((await handle.query(sessionStateQuery)).turns, 2);
  });
});
