import {
  proxyActivities,
  allHandlersFinished,
  condition,
  continueAsNew,
  currentUpdateInfo,
  setHandler,
} from '@temporalio/workflow';
import {
  CustomerMessageSchema,
  CustomerServiceInputSchema,
  type CloseSessionRequest,
  PersonReplySchema,
  type PersonReply,
  type ReturnToAgentRequest,
  type CustomerServiceRequest,
  type SessionState,
  type TurnReply,
} from '../common/customer-service.js';
import { describeIssues } from '../common/describe-issues.js';
import {
  closeSessionUpdate,
  replyAsPersonUpdate,
  returnToAgentUpdate,
  sendMessageUpdate,
  sessionStateQuery,
} from '../common/messages.js';
import { personReplied, returnToAgent } from './customer-service/session-handoff.js';
import { emptyTotals } from '../common/run-totals.js';
import { CustomerSession } from './customer-service/customer-session.js';
import { foldIntoSummary } from './customer-service/session-summary.js';
import { answerMessage } from './customer-service/session-turn.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { localActivityOptions } from './lib/activity-options.js';
import type { Activities } from '../activities/index.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';

const { serviceConfig } = proxyActivities<Activities>(localActivityOptions);

/**
 * One customer-service conversation, for as long as it lasts. Each customer message is a
 * `sendMessageUpdate` that returns the reply; turns are answered one at a time, each by a child
 * agent run (`answerMessage`). The session closes after `idleTimeout` with no message, on
 * `closeSessionUpdate`, or when a session cap is reached, and returns its state. It keeps a
 * bounded memory (a summary and the recent turns) and continues as new with it after
 * `continueAsNewAfterTurns` turns or when Temporal suggests it, so its history stays short over
 * any number of turns. Long-lived: auto-upgrade on a versioned worker, so every change must replay
 * its recorded histories.
 */
export async function customerServiceWorkflow(request: CustomerServiceRequest): Promise<SessionState> {
  const input = parseWorkflowInput(CustomerServiceInputSchema, request);
  // Handlers first: a message sent with the start must find one. It waits for the session.
  const started: { session?: CustomerSession } = {};
  handleMessages(() => started.session);
  // The configuration is recorded in history once, and carried across continue-as-new.
  const config = input.config ?? (await serviceConfig());
  const session = new CustomerSession({ ...input, config }, config);
  started.session = session;
  for (;;) {
    const woke = await condition(
      () => session.queue.busy || !session.open,
      session.config.session.idleTimeout,
    );
    if (!woke) session.close('idle', `no message for ${session.config.session.idleTimeout} ms`);
    // Let the turns under way, and the summaries after them, finish; then close, or go on.
    await condition(() => !session.queue.busy && allHandlersFinished());
    if (!session.open) break;
    if (session.dueToContinue)
      await continueAsNew<typeof customerServiceWorkflow>({
        ...input,
        config,
        continued: session.continuation(),
      });
  }
  recordRunOutcome(input.recordSearchAttributes, session.totals, session.closedBy);
  return session.state;
}

/** The session's handlers; `current` is the session once it has its configuration, until then none. */
function handleMessages(current: () => CustomerSession | undefined): void {
  const ready = async () => {
    await condition(() => current() !== undefined);
    return current()!;
  };
  setHandler(
    sendMessageUpdate,
    async (message) => {
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
    },
    {
      validator: (message) => {
        const session = current();
        if (session && !session.open)
          throw new Error(`the session is closed (${session.closedBy}): start a new one`);
        const parsed = CustomerMessageSchema.safeParse(message);
        if (!parsed.success) throw new Error(describeIssues(parsed.error.issues).join('; '));
      },
    },
  );
  setHandler(
    closeSessionUpdate,
    // Queued behind the turns already accepted: they are answered first.
    async (request: CloseSessionRequest) => {
      const session = await ready();
      return session.queue.run(() => {
        session.close('closed', request.reason?.trim() || 'closed on request');
        return Promise.resolve(session.state);
      });
    },
    {
      validator: (request: CloseSessionRequest) => {
        const session = current();
        if (session && !session.open) throw new Error(`the session is closed already (${session.closedBy})`);
        if (
          request.reason !== undefined &&
          (typeof request.reason !== 'string' || request.reason.length > 1_000)
        )
          throw new Error('the reason must be a text of at most 1,000 characters');
      },
    },
  );
  setHandler(
    replyAsPersonUpdate,
    async (reply: PersonReply) => {
      const updateId = currentUpdateInfo()?.id;
      const session = await ready();
      // In the queue: after the customer's messages accepted before it, before those after it.
      return session.queue.run(() =>
        Promise.resolve(
          personReplied(session, PersonReplySchema.parse(reply), updateId ?? `reply-${session.turns + 1}`),
        ),
      );
    },
    {
      validator: (reply: PersonReply) => {
        const session = current();
        if (session && !session.open) throw new Error(`the session is closed (${session.closedBy})`);
        if (session && !session.handoff)
          throw new Error(
            'no person has this session: the agent answers it (a person replies after a hand-off)',
          );
        const parsed = PersonReplySchema.safeParse(reply);
        if (!parsed.success) throw new Error(describeIssues(parsed.error.issues).join('; '));
      },
    },
  );
  setHandler(
    returnToAgentUpdate,
    async (request: ReturnToAgentRequest) => {
      const session = await ready();
      return session.queue.run(() => {
        returnToAgent(session, request.by.trim());
        return Promise.resolve(session.state);
      });
    },
    {
      validator: (request: ReturnToAgentRequest) => {
        const session = current();
        if (session && !session.handoff) throw new Error('the agent has this session already');
        if (typeof request?.by !== 'string' || request.by.trim() === '')
          throw new Error('say who gives it back (by)');
      },
    },
  );
  setHandler(sessionStateQuery, () => {
    const session = current();
    if (!session) throw new Error('the session is starting: ask again in a moment');
    return session.state;
  });
}

/** One turn, unless the session closed while the message waited or a session cap ends it now. */
async function takeTurn(
  session: CustomerSession,
  message: Parameters<typeof answerMessage>[1],
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

function repeatedReply(turn: SessionState['recent'][number]): TurnReply {
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
