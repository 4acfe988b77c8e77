/**
 * Customer-service sessions from the client's side: start one, send it the customer's messages
 * (each an Update that returns the reply), read its state, close it. Part of the client library;
 * `llmos chat` and `llmos cs` are built on it.
 */
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { CustomerServiceRequest, SessionState, TurnReply } from '../common/customer-service.js';
import { closeSessionUpdate, sendMessageUpdate, sessionStateQuery } from '../common/messages.js';
import type { customerServiceWorkflow } from '../workflows/index.js';
import { startRun, type StartRunOptions } from './start-run.js';

export type SessionHandle = WorkflowHandle<typeof customerServiceWorkflow>;

/** Starts a session; its id is the conversation's (`customer-service-<uuid>` unless given). */
export function startSession(
  client: Client,
  request: CustomerServiceRequest,
  options: StartRunOptions = {},
): Promise<SessionHandle> {
  return startRun(client, 'customer-service', request, options);
}

/** A message the session refused (empty, too long, or the session closed); nothing was recorded. */
export class MessageRefusedError extends Error {
  override readonly name = 'MessageRefusedError';
}

/**
 * Sends one message and waits for its reply. `messageId` makes a retry safe: the same id gets the
 * same reply, never a second turn. The reply may hold placeholders for personal data
 * (`<EMAIL_1>`): `withRestoredReply` puts the values back for the customer's eyes.
 */
export async function sendMessage(
  client: Client,
  sessionId: string,
  text: string,
  options: { messageId?: string } = {},
): Promise<TurnReply> {
  try {
    return await client.workflow
      .getHandle<typeof customerServiceWorkflow>(sessionId)
      .executeUpdate(sendMessageUpdate, {
        args: [{ text }],
        updateId: options.messageId ?? crypto.randomUUID(),
      });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError)
      throw new MessageRefusedError(
        `session ${sessionId} refused the message: ${error.cause?.message ?? error.message}`,
      );
    throw error;
  }
}

/** The reply as the customer should read it, with the values behind its placeholders. */
export async function withRestoredReply(reply: TurnReply): Promise<TurnReply> {
  if (!reply.piiVault) return reply;
  const { restoreFromVault } = await import('../workers/local-tools/audit.js');
  return { ...reply, reply: await restoreFromVault(reply.reply, reply.piiVault) };
}

/** Closes a session once the turns under way are answered; returns its last state. */
export function closeSession(client: Client, sessionId: string, reason?: string): Promise<SessionState> {
  return client.workflow
    .getHandle<typeof customerServiceWorkflow>(sessionId)
    .executeUpdate(closeSessionUpdate, { args: [reason ? { reason } : {}] });
}

/** A session's state: its memory, counts and totals; a closed session's comes from its result. */
export async function sessionState(client: Client, sessionId: string): Promise<SessionState> {
  const handle = client.workflow.getHandle<typeof customerServiceWorkflow>(sessionId);
  const { status } = await handle.describe();
  return status.name === 'RUNNING' ? handle.query(sessionStateQuery) : handle.result();
}
