import { condition, currentUpdateInfo, setHandler } from '@temporalio/workflow';
import type { z } from 'zod';
import {
  CloseSessionRequestSchema,
  CustomerMessageSchema,
  PersonReplySchema,
  ReturnToAgentRequestSchema,
  type CustomerMessage,
  type SessionTurn,
  type TurnReply,
} from '../../common/customer-service.js';
import { describeIssues } from '../../common/describe-issues.js';
import {
  closeSessionUpdate,
  replyAsPersonUpdate,
  returnToAgentUpdate,
  sendMessageUpdate,
  sessionStateQuery,
} from '../../common/messages.js';
import { emptyTotals } from '../../common/run-totals.js';
import type { CustomerSession } from './customer-session.js';
import { personReplied, returnToAgent } from './session-handoff.js';
import { foldIntoSummary } from './session-summary.js';
import { answerMessage } from './session-turn.js';

/**
 * The session's messages. `current` is the session once it has its configuration; until then an
 * update waits for it and a query is refused. Every update that changes the conversation runs in
 * the session's queue, after those accepted before it. Validators refuse (nothing lands in history)
 * a malformed argument, anything sent to a closed session, a person's reply to a session no person
 * has, and a return of one the agent has.
 */
export function handleSessionMessages(current: () => CustomerSession | undefined): {
  /** Whether every session update taken has finished (the reply stream's readers are not counted). */
  finished(): boolean;
} {
  let running = 0;
  const ready = async () => {
    await condition(() => current() !== undefined);
    return current()!;
  };
  /** The handler, counted while it runs. */
  const counted =
    <Args extends unknown[], Result>(handler: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      running += 1;
      try {
        return await handler(...args);
      } finally {
        running -= 1;
      }
    };
  setHandler(
    sendMessageUpdate,
    counted(async (message) => {
      const updateId = currentUpdateInfo()?.id;
      const session = await ready();
      const messageId = updateId ?? `turn-${session.turns + 1}`;
      // A message the session answered before it continued as new: its reply again, not a new turn.
      const earlier = session.memory.answered(messageId);
      if (earlier) return repeatedReply(earlier);
      const reply = await session.queue.run(() =>
        takeTurn(session, CustomerMessageSchema.parse(message), messageId),
      );
      void session.queue.run(() => foldIntoSummary(session));
      return reply;
    }),
    { validator: (message) => refuse(current(), { schema: CustomerMessageSchema, value: message }) },
  );
  setHandler(
    closeSessionUpdate,
    counted(async (request) => {
      const session = await ready();
      const { reason } = CloseSessionRequestSchema.parse(request);
      return session.queue.run(() => {
        session.close('closed', reason || 'closed on request');
        return Promise.resolve(session.state);
      });
    }),
    { validator: (request) => refuse(current(), { schema: CloseSessionRequestSchema, value: request }) },
  );
  setHandler(
    replyAsPersonUpdate,
    counted(async (reply) => {
      const updateId = currentUpdateInfo()?.id;
      const session = await ready();
      return session.queue.run(() =>
        Promise.resolve(
          personReplied(session, PersonReplySchema.parse(reply), updateId ?? `reply-${session.turns + 1}`),
        ),
      );
    }),
    {
      validator: (reply) =>
        refuse(current(), {
          schema: PersonReplySchema,
          value: reply,
          unless: (session) =>
            session.handoff
              ? undefined
              : 'no person has this session: the agent answers it (a person replies after a hand-off)',
        }),
    },
  );
  setHandler(
    returnToAgentUpdate,
    counted(async (request) => {
      const session = await ready();
      const { by } = ReturnToAgentRequestSchema.parse(request);
      return session.queue.run(() => {
        returnToAgent(session, by);
        return Promise.resolve(session.state);
      });
    }),
    {
      validator: (request) =>
        refuse(current(), {
          schema: ReturnToAgentRequestSchema,
          value: request,
          unless: (session) => (session.handoff ? undefined : 'the agent has this session already'),
        }),
    },
  );
  setHandler(sessionStateQuery, () => {
    const session = current();
    if (!session) throw new Error('the session is starting: ask again in a moment');
    return session.state;
  });
  return { finished: () => running === 0 };
}

/**
 * A validator's refusal: the session is closed, `unless` names why the session cannot take it, or
 * `value` does not fit `schema`. A session still reading its configuration takes anything well formed.
 */
function refuse(
  session: CustomerSession | undefined,
  check: { schema: z.ZodType; value: unknown; unless?: (session: CustomerSession) => string | undefined },
): void {
  if (session && !session.open)
    throw new Error(`the session is closed (${session.closedBy}): start a new one`);
  const refusal = session && check.unless?.(session);
  if (refusal) throw new Error(refusal);
  const parsed = check.schema.safeParse(check.value);
  if (!parsed.success) throw new Error(describeIssues(parsed.error.issues).join('; '));
}

/** One turn, unless the session closed while the message waited or a session cap ends it now. */
async function takeTurn(
  session: CustomerSession,
  message: CustomerMessage,
  messageId: string,
): Promise<TurnReply> {
  const cap = session.open ? session.capReached() : undefined;
  if (cap) session.close('cap', cap);
  if (!session.open)
    return {
      turn: session.turns,
      messageId,
      reply: session.config.fallbackReply,
      outcome: 'fallback',
      detail: `not answered: ${session.closedDetail ?? 'the session closed'}`,
      language: 'und',
      totals: emptyTotals,
    };
  return answerMessage(session, message, messageId);
}

function repeatedReply(turn: SessionTurn): TurnReply {
  return {
    turn: turn.turn,
    messageId: turn.messageId,
    reply: turn.reply,
    outcome: turn.outcome,
    detail: 'answered before: the same message id',
    language: 'und',
    totals: emptyTotals,
  };
}
