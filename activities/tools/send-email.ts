import { ApplicationFailure } from '@temporalio/common';
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { ErrorType } from '../../common/errors.js';
import type { EmailOutbox } from '../email/email-outbox.js';
import { defineTool } from './tool.js';

export interface SendEmailSettings {
  /** The SMTP server, e.g. `smtp://mail.example.com:587` or `smtps://user:pass@host`; unset: the tool refuses. */
  smtpUrl?: string | undefined;
  /** The sender, e.g. `Support <support@example.com>`; its domain names the Message-IDs. */
  from: string;
  outbox: EmailOutbox;
}

/**
 * Sends an e-mail through SMTP (nodemailer). It waits for a person's approval before it runs
 * (`requireApproval`): mail to a customer cannot be taken back. Once per call: the outbox keeps
 * the call's idempotency key, so a retry that finds its e-mail sent sends nothing, and one that
 * finds it claimed but unconfirmed (the worker died between sending and recording) sends it
 * again under the same Message-ID, which mail systems treat as the same message. An SMTP failure
 * is retried by Temporal; no SMTP server configured is not.
 */
export function createSendEmailTool(settings: SendEmailSettings) {
  const transport = settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : undefined;
  const domain = /@([^>\s]+)>?\s*$/.exec(settings.from)?.[1] ?? 'llmos.invalid';
  return defineTool({
    name: 'send_email',
    // Repeats of a call carry the same idempotency key, and the store drops them: retrying is safe.
    sideEffects: true,
    retry: { maximumAttempts: 3 },
    description:
      'Sends an e-mail, after a person approves it. Use it to confirm something to a customer in writing; say what was sent.',
    requireApproval: true,
    personalData: true,
    inputSchema: z.object({
      to: z.email().describe('The recipient e-mail address'),
      subject: z.string().trim().min(1).max(200).describe('The subject line'),
      body: z.string().trim().min(1).max(20_000).describe('The message, plain text'),
    }),
    async execute({ to, subject, body }, context) {
      if (!transport)
        throw ApplicationFailure.create({
          type: ErrorType.ToolFailed,
          message: 'send_email: this worker has no SMTP server (set LLMOS_SMTP_URL)',
          nonRetryable: true,
        });
      const claim = await settings.outbox.claim(context.idempotencyKey, { to, subject }, domain);
      if (claim.state === 'sent') return `Already sent to ${to}: "${subject}" (${claim.messageId})`;
      const info = (await transport.sendMail({
        from: settings.from,
        to,
        subject,
        text: body,
        messageId: claim.messageId,
      })) as { response?: string };
      await settings.outbox.markSent(context.idempotencyKey, info.response ?? '');
      return `Sent to ${to}: "${subject}" (${claim.messageId})`;
    },
  });
}
