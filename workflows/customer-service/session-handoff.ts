import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Handoff, MessageAssessment, PersonReply, SessionTurn } from '../../common/customer-service.js';
import { LlmosHandoff } from '../../common/search-attributes.js';
import { describeFailure } from '../lib/failures.js';
import type { CustomerSession } from './customer-session.js';
import { transcript } from './session-memory.js';
import { runTool } from './turn-activities.js';

/** Why a message hands the session to a person by the configured rule, if it does. */
export function escalationByRule(
  session: CustomerSession,
  assessment: MessageAssessment,
): string | undefined {
  const rule = session.config.escalation;
  if (assessment.sentiment < rule.sentimentBelow)
    return `the customer's sentiment ${assessment.sentiment} is below ${rule.sentimentBelow}`;
  if (rule.whenAsked && assessment.wantsHuman) return 'the customer asked for a person';
  return undefined;
}

/**
 * Hands the session to a person: a ticket with the conversation so far for them (the
 * `create_ticket` tool, exactly once: its key is this activity's), the hand-off recorded in the
 * session, and the `LlmosHandoff` search attribute set to its priority so `llmos cs handoffs`
 * finds it. A ticket that cannot be opened does not stop the hand-off: the hand-off says why.
 * Deterministic: the ticket is an activity, the time the workflow's.
 */
export async function handOff(
  session: CustomerSession,
  reason: string,
  message: string,
  assessment: MessageAssessment | undefined,
): Promise<Handoff> {
  const priority = assessment?.priority === 'urgent' ? 'urgent' : 'high';
  const description = [
    `Handed to a person: ${reason}.`,
    assessment
      ? `Sentiment ${assessment.sentiment}, priority ${assessment.priority}, product ${assessment.product ?? 'none'} (by the ${assessment.source}).`
      : '',
    session.memory.summary ? `Summary: ${session.memory.summary}` : '',
    session.memory.recent.length > 0 ? `Recent turns:\n${transcript(session.memory.recent)}` : '',
    `Latest message: ${message}`,
    `Session: ${workflowInfo().workflowId}`,
  ]
    .filter((line) => line !== '')
    .join('\n\n');
  let ticket: Pick<Handoff, 'ticket' | 'ticketProblem'>;
  try {
    const opened = await runTool({
      name: 'create_ticket',
      arguments: JSON.stringify({
        subject: `Hand-off: ${message.replace(/\s+/g, ' ').slice(0, 80)}`,
        description: description.slice(0, 10_000),
        priority,
        customer: session.input.customer.id,
      }),
      ...(session.guards ? { guard: session.guards.run } : {}),
    });
    const id = /\bT-\d+\b/.exec(opened.observation)?.[0];
    ticket = opened.ok && id ? { ticket: id } : { ticketProblem: opened.observation };
  } catch (error) {
    ticket = { ticketProblem: describeFailure(error).message };
  }
  const handoff: Handoff = {
    since: Date.now(),
    reason,
    priority,
    sentiment: assessment?.sentiment ?? null,
    product: assessment?.product ?? null,
    ...ticket,
    waiting: 1,
  };
  session.handoff = handoff;
  if (session.input.recordSearchAttributes) upsertSearchAttributes([{ key: LlmosHandoff, value: priority }]);
  return handoff;
}

/** A person's reply: the customer's next turn, and nothing waits for a person any more. */
export function personReplied(session: CustomerSession, reply: PersonReply, messageId: string): SessionTurn {
  const turn: SessionTurn = {
    turn: session.turns + 1,
    messageId,
    message: '',
    reply: reply.text,
    outcome: 'person',
    by: reply.by,
  };
  session.turns = turn.turn;
  session.memory.remember(turn);
  if (session.handoff) session.handoff = { ...session.handoff, waiting: 0 };
  session.stream.publish({ type: 'person', key: messageId, text: reply.text, by: reply.by });
  return turn;
}

/** The agent answers again; the search attribute no longer lists the session. */
export function returnToAgent(session: CustomerSession, by: string): void {
  if (session.handoff) session.lastHandoff = { ...session.handoff, returnedAt: Date.now(), returnedBy: by };
  session.handoff = undefined;
  if (session.input.recordSearchAttributes) upsertSearchAttributes([{ key: LlmosHandoff, value: null }]);
}
