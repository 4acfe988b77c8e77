/** `llmos chat` and `llmos cs` as a user runs them, on the offline customer-service demo model. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SessionState } from '../../common/customer-service.js';
import { connectTemporal } from '../helpers/temporal.js';
import {
  describeRun,
  runLlmos,
  spawnLlmosCommand,
  startWorkerProcess,
  type WorkerProcess,
} from '../helpers/worker-process.js';
import { eventually } from '../helpers/eventually.js';
import { replyAsPerson } from '../../client/customer-service.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-chat-cli-'));

void describe('llmos chat and llmos cs, end to end', { timeout: 300_000 }, () => {
  let temporal: Awaited<ReturnType<typeof connectTemporal>>;
  let worker: WorkerProcess;
  let cliEnv: Record<string, string>;
  before(async () => {
    temporal = await connectTemporal();
    const taskQueue = `chat-${randomUUID()}`;
    worker = await startWorkerProcess({
      address: temporal.address,
      taskQueue,
      env: {
        LLMOS_TICKETS_FILE: path.join(scratch, 'tickets.sqlite'),
        LLMOS_AUDIT_FILE: path.join(scratch, 'audit.sqlite'),
      },
    });
    cliEnv = { TEMPORAL_ADDRESS: temporal.address, LLMOS_TASK_QUEUE: taskQueue };
  });
  after(async () => {
    await worker?.stop();
    await temporal?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  void it('chat: answers each line, looks up an order, closes at the end of input; cs shows and refuses', async () => {
    const chat = await runLlmos(
      ['chat', '--model', 'scripted:demo-support', '--customer', 'C-1001', '--name', 'Jane Roe', '--close'],
      cliEnv,
      120_000,
      'Hello there\nWhere is my order BL-25061?\n',
    );
    assert.equal(chat.code, 0, describeRun(chat));
    const sessionId = /^Session (customer-service-[0-9a-f-]{36}) on scripted:demo-support\./m.exec(
      chat.stdout,
    )?.[1];
    assert.ok(sessionId, describeRun(chat));
    assert.match(
      chat.stdout,
      /^agent> Hello! I am Brightline's support agent\. How can I help you today\?$/m,
    );
    assert.match(
      chat.stdout,
      /^agent> Your order BL-25061, a Brightline M1 mesh point, was delivered by DHL/m,
    );
    assert.match(
      chat.stdout,
      /: closed \(closed: the customer left\); brightline-support v1; customer C-1001$/m,
    );

    const shown = await runLlmos(['cs', 'show', sessionId, '--json'], cliEnv);
    assert.equal(shown.code, 0, describeRun(shown));
    const state = JSON.parse(shown.stdout) as SessionState;
    assert.equal(state.turns, 2);
    assert.equal(state.closedBy, 'closed');
    assert.deepEqual(
      state.recent.map((turn) => turn.message),
      ['Hello there', 'Where is my order BL-25061?'],
    );
    assert.ok(state.totals.toolCalls >= 1, 'the order was looked up');

    const late = await runLlmos(['cs', 'send', sessionId, 'Are you still there?'], cliEnv);
    assert.equal(late.code, 1, describeRun(late));
    assert.match(late.stderr, /closed|completed/);
  });

  void it("chat: shows a person's reply while people have the session", async () => {
    const chat = spawnLlmosCommand(
      ['chat', '--model', 'scripted:demo-support', '--customer', 'C-1001'],
      cliEnv,
      {
        stdin: true,
      },
    );
    chat.child.stdin!.write('This is ridiculous, I want a real person!\n');
    const sessionId = await eventually('the hand-off', () =>
      /\(handed-off: /.test(chat.output()) ? /^Session (\S+) on/m.exec(chat.output())?.[1] : undefined,
    );
    await replyAsPerson(temporal.env.client, sessionId, {
      text: 'Hello, I am Sam. How can I help?',
      by: 'Sam',
    });
    await eventually('the reply shown', () =>
      chat.output().includes('Sam> Hello, I am Sam.') ? true : undefined,
    );
    chat.child.stdin!.end();
    const exit = await chat.exited;
    assert.equal(exit.code, 0, chat.output());
  });
});
