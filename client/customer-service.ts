/**
 * Customer-service sessions from the client's side: start one, send it the customer's messages
 * (each an Update that returns the reply), read its state, close it; and for the people who take
 * sessions over: find them, reply, give them back to the agent. Part of the client library;
 * `llmos chat` and `llmos cs` are built on it.
 */
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type {
  CustomerServiceRequest,
  PersonReply,
  SessionState,
  SessionTurn,
  TurnReply,
} from '../common/customer-service.js';
import {
  closeSessionUpdate,
  replyAsPersonUpdate,
  returnToAgentUpdate,
  sendMessageUpdate,
  sessionStateQuery,
} from '../common/messages.js';
import type { customerServiceWorkflow } from '../workflows/index.js';
import { queryBriefly } from './query-briefly.js';
import { withRestoredAnswer } from './restore-answer.js';
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
export function sendMessage(
  client: Client,
  sessionId: string,
  text: string,
  options: { messageId?: string } = {},
): Promise<TurnReply> {
  return refusedAs(
    `session ${sessionId} refused the message`,
    session(client, sessionId).executeUpdate(sendMessageUpdate, {
      args: [{ text }],
      updateId: options.messageId ?? crypto.randomUUID(),
    }),
  );
}

const session = (client: Client, sessionId: string): SessionHandle =>
  client.workflow.getHandle<typeof customerServiceWorkflow>(sessionId);

/** An update the session's validator refused, as a `MessageRefusedError` that says why. */
async function refusedAs<T>(what: string, update: Promise<T>): Promise<T> {
  try {
    return await update;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError)
      throw new MessageRefusedError(`${what}: ${error.cause?.message ?? error.message}`);
    throw error;
  }
}

/** The reply as the customer should read it, with the values behind its placeholders. */
export async function withRestoredReply(reply: TurnReply): Promise<TurnReply> {
  const { answer: restored } = await withRestoredAnswer({ answer: reply.reply, piiVault: reply.piiVault });
  return { ...reply, reply: restored ?? reply.reply };
}

/** Closes a session once the turns under way are answered; returns its last state. */
export function closeSession(client: Client, sessionId: string, reason?: string): Promise<SessionState> {
  return refusedAs(
    `session ${sessionId} refused to close`,
    session(client, sessionId).executeUpdate(closeSessionUpdate, { args: [reason ? { reason } : {}] }),
  );
}

/** A session's state: its memory, counts and totals; a closed session's comes from its result. */
export async function sessionState(client: Client, sessionId: string): Promise<SessionState> {
  const handle = session(client, sessionId);
  const { status } = await handle.describe();
  return status.name === 'RUNNING' ? handle.query(sessionStateQuery) : handle.result();
}

/** A session a person has, as `llmos cs handoffs` lists it. */
export interface HandoffEntry {
  sessionId: string;
  state: SessionState;
}

/**
 * The sessions people have taken over, most urgent and oldest first: found by their
 * `LlmosHandoff` search attribute (a visibility query, a moment behind the sessions themselves).
 */
export async function listHandoffs(client: Client): Promise<HandoffEntry[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({
    query: "ExecutionStatus = 'Running' AND LlmosHandoff IS NOT NULL",
  }))
    ids.push(execution.workflowId);
  const entries = await Promise.all(
    ids.map(async (sessionId) => {
      try {
        const state = await queryBriefly(client, () => session(client, sessionId).query(sessionStateQuery));
        return state.handoff ? [{ sessionId, state }] : [];
      } catch {
        // The session ended between the search and the query, or its workers do not answer.
        return [];
      }
    }),
  );
  const rank = { urgent: 0, high: 1, normal: 2, low: 3 } as const;
  return entries
    .flat()
    .sort(
      (a, b) =>
        rank[a.state.handoff!.priority] - rank[b.state.handoff!.priority] ||
        a.state.handoff!.since - b.state.handoff!.since,
    );
}

/** A person's reply to a session handed to people; refused when no person has it. */
export function replyAsPerson(client: Client, sessionId: string, reply: PersonReply): Promise<SessionTurn> {
  return refusedAs(
    `session ${sessionId} refused the reply`,
    session(client, sessionId).executeUpdate(replyAsPersonUpdate, { args: [reply] }),
  );
}

/** Gives a handed-off session back to the agent. */
export function giveBackToAgent(client: Client, sessionId: string, by: string): Promise<SessionState> {
  return refusedAs(
    `session ${sessionId} refused`,
    session(client, sessionId).executeUpdate(returnToAgentUpdate, { args: [{ by }] }),
  );
}
