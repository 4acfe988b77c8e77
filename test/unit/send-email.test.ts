import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  messageIdFor,
  openSqliteEmailOutbox,
  type EmailOutbox,
} from '../../activities/email/email-outbox.js';
import { createSendEmailTool } from '../../activities/tools/send-email.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const folder = mkdtempSync(path.join(tmpdir(), 'llmos-email-'));
const context = (key: string) => ({
  signal: new AbortController().signal,
  idempotencyKey: key,
  workflowId: key.split('/')[0],
  boundary: '0123456789ab',
  spend: () => {},
});

void describe('the send_email tool, through a real SMTP server', () => {
  let sink: SmtpSink;
  before(async () => {
    sink = await startSmtpSink();
  });
  after(async () => {
    await sink?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  void it('sends once per call: a retry finds its e-mail sent and sends nothing', async () => {
    const outbox = openSqliteEmailOutbox(path.join(folder, 'once.sqlite'));
    const tool = createSendEmailTool({ smtpUrl: sink.url, from: 'Support <support@example.com>', outbox });
    assert.equal(tool.requireApproval, true, 'mail to a customer waits for a person');
    const input = tool.inputSchema.parse({
      to: 'jane@example.com',
      subject: 'Your ticket T-1001',
      body: 'We are on it.',
    });
    const before = sink.messages.length;
    const first = await tool.execute(input, context('cs-1/4'));
    const messageId = messageIdFor('cs-1/4', 'example.com');
    assert.equal(first, `Sent to jane@example.com: "Your ticket T-1001" (${messageId})`);
    assert.equal(
      await tool.execute(input, context('cs-1/4')),
      `Already sent to jane@example.com: "Your ticket T-1001" (${messageId})`,
    );
    const received = sink.messages.slice(before);
    assert.equal(received.length, 1);
    assert.equal(received[0]?.messageId, messageId);
    assert.equal(received[0]?.subject, 'Your ticket T-1001');
    assert.equal(received[0]?.text?.trim(), 'We are on it.');
    assert.deepEqual(received[0]?.from?.value, [{ address: 'support@example.com', name: 'Support' }]);
    assert.ok((await outbox.list()).find((sent) => sent.key === 'cs-1/4')?.sentAt);
    await outbox.close();
  });

  void it('sends again under the same Message-ID when an attempt died between sending and recording it', async () => {
    const outbox = openSqliteEmailOutbox(path.join(folder, 'crash.sqlite'));
    let marks = 0;
    const dying: EmailOutbox = {
      ...outbox,
      markSent: async (key, response) => {
        marks += 1;
        if (marks === 1) throw new Error('worker lost after the server took the message');
        await outbox.markSent(key, response);
      },
    };
    const tool = createSendEmailTool({ smtpUrl: sink.url, from: 'support@example.com', outbox: dying });
    const input = tool.inputSchema.parse({
      to: 'bob@example.com',
      subject: 'Refund approved',
      body: 'Five days.',
    });
    const before = sink.messages.length;
    await assert.rejects(tool.execute(input, context('cs-2/9')), /worker lost/);
    await tool.execute(input, context('cs-2/9'));
    await tool.execute(input, context('cs-2/9'));
    const received = sink.messages.slice(before);
    assert.equal(received.length, 2, 'the unconfirmed one is sent again, once');
    assert.deepEqual(
      received.map((message) => message.messageId),
      [messageIdFor('cs-2/9', 'example.com'), messageIdFor('cs-2/9', 'example.com')],
      'under the same Message-ID, which mail systems take as one message',
    );
    await outbox.close();
  });

  void it('refuses, without retries, on a worker with no SMTP server, and takes only e-mail addresses', async () => {
    const outbox = openSqliteEmailOutbox(path.join(folder, 'none.sqlite'));
    const tool = createSendEmailTool({ from: 'support@example.com', outbox });
    await assert.rejects(
      tool.execute(
        tool.inputSchema.parse({ to: 'a@example.com', subject: 'Hi', body: 'Hello.' }),
        context('x/1'),
      ),
      (error: Error & { nonRetryable?: boolean }) =>
        /no SMTP server \(set LLMOS_SMTP_URL\)/.test(error.message) && error.nonRetryable === true,
    );
    assert.equal(
      tool.inputSchema.safeParse({ to: '<EMAIL_1>', subject: 'Hi', body: 'Hello.' }).success,
      false,
    );
    await outbox.close();
  });
});
