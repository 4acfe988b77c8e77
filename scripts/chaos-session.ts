/**
 * Tickets and e-mails of customer-service sessions while their worker is killed with SIGKILL at
 * random moments: none may be opened or sent twice, none lost. A slow check with its own script,
 * not part of `npm test`:
 *
 *   npm run chaos:session -- [--sessions 4] [--messages 5] [--kills 12] [--seed 7]
 *
 * It starts a dev server, a fake LLM server, a real SMTP server and a worker process; runs
 * `--sessions` sessions at once, each sending `--messages` messages, and every turn asks for one
 * ticket (`create_ticket`) and one e-mail (`send_email`, approved by a loop that plays the
 * person at the inbox). Meanwhile it kills the worker `--kills` times, every 1 to 4 seconds, each
 * time starting another. Then it counts: tickets per turn in the ticket store, e-mails per
 * Message-ID at the SMTP server, and prints the tally; it exits 1 when anything was duplicated or
 * lost.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openSqliteTicketStore } from '../activities/tickets/sqlite-ticket-store.js';
import { decideToolCall, listPendingApprovals } from '../client/approvals.js';
import type { CustomerServiceRequest } from '../common/customer-service.js';
import { sendMessageUpdate } from '../common/messages.js';
import { startFakeLlmServer } from '../fake-llm/server.js';
import { startSmtpSink } from '../test/helpers/smtp-sink.js';
import { connectTemporal } from '../test/helpers/temporal.js';
import { fakeProviderEnv } from '../test/helpers/test-worker.js';
import { startWorkerProcess, type WorkerProcess } from '../test/helpers/worker-process.js';
import type { customerServiceWorkflow } from '../workflows/index.js';

const { values } = parseArgs({
  options: {
    sessions: { type: 'string', default: '4' },
    messages: { type: 'string', default: '5' },
    kills: { type: 'string', default: '12' },
    seed: { type: 'string', default: '7' },
  },
});
const count = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`--${name} must be a whole number (got ${values[name]})`);
  return value;
};
const sessions = count('sessions');
const messages = count('messages');
const kills = count('kills');
// A small deterministic generator: the same seed kills at the same moments.
let state = count('seed') || 1;
const random = () => (state = (state * 48_271) % 2_147_483_647) / 2_147_483_647;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const scratch = mkdtempSync(path.join(tmpdir(), 'llmos-chaos-'));
const ticketsFile = path.join(scratch, 'tickets.sqlite');
const temporal = await connectTemporal();
const fake = await startFakeLlmServer({
  script: {
    rules: [
      {
        match: { responseFormat: '^message_assessment$' },
        reply: { json: { sentiment: 0, priority: 'normal', product: null, wantsHuman: false } },
      },
      { match: { responseFormat: '^reply_review$' }, reply: { json: { score: 0.9, problems: [] } } },
      {
        match: { lastUserMessage: 'Message: ', step: 0 },
        reply: {
          delayMs: 300,
          toolCalls: [
            {
              name: 'create_ticket',
              arguments: { subject: 'Router restarts', description: 'It restarts at night.' },
            },
            {
              name: 'send_email',
              arguments: { to: 'jane.roe@example.com', subject: 'Your case', body: 'We are on it.' },
            },
          ],
        },
      },
      {
        match: { lastUserMessage: 'Message: ', step: 1 },
        reply: { delayMs: 300, text: 'A ticket is open and you have an e-mail.' },
      },
    ],
  },
});
const smtp = await startSmtpSink();
const taskQueue = `chaos-${randomUUID()}`;
const workerEnv = {
  ...fakeProviderEnv(fake.url),
  LLMOS_TICKETS_FILE: ticketsFile,
  LLMOS_SMTP_URL: smtp.url,
  LLMOS_EMAIL_OUTBOX_FILE: path.join(scratch, 'outbox.sqlite'),
  LLMOS_AUDIT_FILE: path.join(scratch, 'audit.sqlite'),
  LLMOS_CACHE: 'off',
};
const startWorker = () => startWorkerProcess({ address: temporal.address, taskQueue, env: workerEnv });
let worker: WorkerProcess = await startWorker();
const client = temporal.env.client;
let running = true;
let killed = 0;

const request: CustomerServiceRequest = {
  model: 'openai:gpt-4o-mini',
  customer: { id: 'C-1001' },
  // The inbox finds the e-mails waiting for approval by their search attribute.
  recordSearchAttributes: true,
  // A dead worker's model call is noticed after 5 s without a heartbeat.
  retry: { heartbeatTimeoutMs: 5_000, initialIntervalMs: 200, maximumAttempts: 20 },
  config: {
    name: 'chaos',
    version: 1,
    role: 'You are a support agent.',
    tone: 'Brief.',
    knowledgeBase: 'help',
    tools: ['create_ticket', 'send_email'],
  },
};

// The person at the inbox: approves every e-mail as soon as it waits.
const approver = (async () => {
  while (running) {
    for (const entry of await listPendingApprovals(client).catch(() => []))
      await decideToolCall(client, 'approve', { toolCallId: entry.toolCallId, by: 'chaos' }).catch(
        () => undefined,
      );
    await sleep(300);
  }
})();
const killer = (async () => {
  while (running && killed < kills) {
    await sleep(1_000 + random() * 3_000);
    if (!running) break;
    worker.kill('SIGKILL');
    await worker.exited;
    killed += 1;
    worker = await startWorker();
  }
})();

const started = Date.now();
const turnIds: string[] = [];
const outcomes: Record<string, number> = {};
await Promise.all(
  Array.from({ length: sessions }, async (_, index) => {
    const handle = await client.workflow.start<typeof customerServiceWorkflow>('customerServiceWorkflow', {
      args: [request],
      taskQueue,
      workflowId: `chaos-${index + 1}-${randomUUID()}`,
    });
    for (let message = 1; message <= messages; message += 1) {
      const reply = await handle.executeUpdate(sendMessageUpdate, {
        args: [{ text: `My router restarts at night, case ${index + 1}.${message}.` }],
        updateId: `message-${message}`,
      });
      outcomes[reply.outcome] = (outcomes[reply.outcome] ?? 0) + 1;
      turnIds.push(`${handle.workflowId}/turn-${reply.turn}`);
    }
  }),
);
running = false;
await Promise.all([approver, killer]);
const seconds = Math.round((Date.now() - started) / 1_000);

const store = openSqliteTicketStore(ticketsFile);
const tickets = await store.list({ limit: 10_000 });
await store.close();
const ticketsPerTurn = new Map<string, number>();
for (const ticket of tickets)
  ticketsPerTurn.set(ticket.workflowId, (ticketsPerTurn.get(ticket.workflowId) ?? 0) + 1);
const mailsPerId = new Map<string, number>();
for (const mail of smtp.messages)
  mailsPerId.set(mail.messageId ?? '?', (mailsPerId.get(mail.messageId ?? '?') ?? 0) + 1);
const expected = sessions * messages;
const duplicatedTickets = [...ticketsPerTurn.values()].filter((n) => n > 1).length;
const lostTickets = turnIds.filter((id) => !ticketsPerTurn.has(id)).length;
const duplicatedMails = [...mailsPerId.values()].filter((n) => n > 1).length;
const lostMails = expected - mailsPerId.size;

console.log(`\n${sessions} sessions x ${messages} messages, ${killed} SIGKILLs of the worker, ${seconds} s`);
console.log(`turn outcomes: ${JSON.stringify(outcomes)}`);
console.log('| | expected | present | duplicated | lost |');
console.log('|---|---|---|---|---|');
console.log(`| tickets | ${expected} | ${ticketsPerTurn.size} | ${duplicatedTickets} | ${lostTickets} |`);
console.log(
  `| e-mails (by Message-ID) | ${expected} | ${mailsPerId.size} | ${duplicatedMails} | ${lostMails} |`,
);

await worker.stop();
await Promise.all([fake.close(), smtp.close()]);
await temporal.close();
rmSync(scratch, { recursive: true, force: true });
process.exitCode =
  duplicatedTickets + lostTickets + duplicatedMails + lostMails === 0 && (outcomes.answered ?? 0) === expected
    ? 0
    : 1;
