import { executeChild, isCancellation, workflowInfo } from '@temporalio/workflow';
import type { AgentResult } from '../../common/agent.js';
import type {
  CustomerMessage,
  MessageAssessment,
  ReplyReview,
  SessionTurn,
  TurnReply,
} from '../../common/customer-service.js';
import type { RunTotals } from '../../common/run-contract.js';
import { emptyTotals } from '../../common/run-totals.js';
import { reactAgentWorkflow } from '../agent.js';
import { describeFailure } from '../lib/failures.js';
import { judge } from '../lib/run-guards.js';
import { childRunAttributes, recordRunOutcome } from '../lib/run-search-attributes.js';
import type { CustomerSession } from './customer-session.js';
import { reviewAgentReply } from './reply-review.js';
import { escalationByRule, handOff } from './session-handoff.js';
import { assessMessage, detectLanguage } from './turn-activities.js';

/** What a turn knows of its message once it is judged and read. */
interface TurnContext {
  session: CustomerSession;
  turn: number;
  messageId: string;
  /** The message as the guards left it (masked). */
  message: string;
  language: string;
  assessment?: MessageAssessment;
}

/**
 * Answers one customer message. The input guards judge (and mask) it, eld names its language, and
 * the session's model assesses its sentiment, priority and product (the lexicon when the model
 * cannot). Then, in order: a session a person has gets the waiting reply; a message the escalation
 * rule catches (sentiment below the threshold, a request for a person) hands the session off with
 * the escalation reply; any other is answered by a child agent run with the session's tools,
 * knowledge base, rules and memory, within the turn's caps and what is left of the session's, and
 * hands off after its reply when the model called `escalate_to_human`. A run that does not answer
 * gives the configured fallback (with why); a blocked message the blocked reply. Every step is an
 * activity or a child run, so a crash mid-turn repeats none that finished. The child's id is the
 * session's plus the turn number: unique across continue-as-new.
 */
export async function answerMessage(
  session: CustomerSession,
  message: CustomerMessage,
  messageId: string,
): Promise<TurnReply> {
  const { config } = session;
  const turn = session.turns + 1;
  session.stream.startTurn();
  const { language } = await detectLanguage({ text: message.text });
  const guarded = await judge(session.guards, 'input', `message ${turn}`, message.text);
  const context: TurnContext = {
    session,
    turn,
    messageId,
    message: 'text' in guarded ? guarded.text : '(blocked)',
    language,
  };
  if ('blocked' in guarded)
    return finishTurn(context, config.blockedReply, 'blocked', { detail: guarded.blocked });

  const { assessment, totals: assessed } = await assessMessage({
    text: guarded.text,
    model: session.input.model,
    products: config.products,
    language,
    knowledgeLanguage: config.knowledgeLanguage,
    prompt: config.prompts.assessment,
    runId: workflowInfo().runId,
  });
  session.spent(assessed);
  context.assessment = assessment;

  if (session.handoff) {
    session.handoff = { ...session.handoff, waiting: session.handoff.waiting + 1 };
    return finishTurn(context, config.escalation.waitingReply, 'handed-off', {
      detail: `waiting for a person since the hand-off (${session.handoff.reason})`,
    });
  }
  const rule = escalationByRule(session, assessment);
  if (rule) {
    await handOff(session, rule, guarded.text, assessment);
    return finishTurn(context, config.escalation.reply, 'handed-off', {
      detail: `handed to a person: ${rule}`,
    });
  }
  return answerByAgent(context);
}

/** The child agent run's answer, or the fallback; a hand-off after it when the model asked for one. */
async function answerByAgent(context: TurnContext): Promise<TurnReply> {
  const { session, turn } = context;
  const { config } = session;
  const workflowId = `${workflowInfo().workflowId}/turn-${turn}`;
  let result: AgentResult;
  try {
    result = await executeChild(reactAgentWorkflow, {
      workflowId,
      args: [
        {
          question: context.message,
          model: session.input.model,
          temperature: session.input.temperature,
          retry: session.input.retry,
          ...(session.input.budget ? { budget: session.input.budget } : {}),
          ...(session.guards ? { piiVault: session.guards.run.vaultId } : {}),
          ...(session.input.tenant ? { tenant: session.input.tenant } : {}),
          tools: config.tools,
          // The model's text goes to the session's readers as it is written, under the message's id.
          ...(config.streamDrafts
            ? { stream: { workflowId: workflowInfo().workflowId, key: context.messageId } }
            : {}),
          // The order tools answer for this customer's orders only.
          customer: session.input.customer.id,
          // Retrieval keeps to the session's knowledge base, and to the product the message is about.
          toolArguments: {
            retrieve: {
              base: config.knowledgeBase,
              ...(context.assessment?.product ? { product: context.assessment.product } : {}),
            },
          },
          approval: config.approval,
          prompt: config.prompts.turn,
          promptVariables: {
            role: config.role,
            tone: config.tone,
            rules:
              config.constraints.length > 0
                ? config.constraints.map((rule) => `- ${rule}`).join('\n')
                : '- (none)',
            knowledgeBase: config.knowledgeBase,
            product: context.assessment?.product ?? '(no product in particular)',
            translation: translationNote(context, config.knowledgeLanguage),
            language: context.language === 'und' ? 'the language the customer writes in' : context.language,
            ...session.memory.promptVariables(session.input.customer),
          },
          caps: session.turnCaps(),
          recordSearchAttributes: session.input.recordSearchAttributes,
          // The session reads the answer and the totals; the turn's trace stays in the blob store.
          resultTrace: 'stored',
        },
      ],
      ...childRunAttributes(session.input.recordSearchAttributes, 'agent', session.input.model),
      staticSummary: `Turn ${turn} of customer-service session ${workflowInfo().workflowId}`,
    });
  } catch (error) {
    if (isCancellation(error)) throw error;
    const failure = describeFailure(error);
    return finishTurn(context, config.fallbackReply, 'fallback', {
      detail: `the turn's run failed: ${failure.message}`,
      workflowId,
    });
  }
  session.spent(result.totals);
  const about = {
    workflowId,
    totals: result.totals,
    piiVault: result.piiVault ?? session.guards?.outcome.piiVault,
  };
  const answered = result.stopReason === 'answer' && result.answer !== null && result.answer.trim() !== '';
  if (!answered) {
    const blocked = result.stopReason === 'blocked';
    return finishTurn(
      context,
      blocked ? config.blockedReply : config.fallbackReply,
      blocked ? 'blocked' : 'fallback',
      {
        ...about,
        detail: `${result.stopReason}: ${result.stopDetail}`,
      },
    );
  }
  const review = await reviewAgentReply(session, context.message, result.answer!);
  const asked = personAskedFor(result);
  if (!review.passed) {
    const failed = `the reply failed its review (${review.by}): ${review.problems.join('; ')}`;
    if (!asked && config.review.onFail === 'fallback')
      return finishTurn(context, config.fallbackReply, 'fallback', { ...about, review, detail: failed });
    const reason = asked ? `${asked}; ${failed}` : failed;
    await handOff(session, reason, context.message, context.assessment);
    return finishTurn(context, config.escalation.reply, 'handed-off', {
      ...about,
      review,
      detail: `handed to a person: ${reason}`,
    });
  }
  if (asked) {
    await handOff(session, asked, context.message, context.assessment);
    return finishTurn(context, result.answer!, 'handed-off', {
      ...about,
      review,
      detail: `handed to a person: ${asked}`,
    });
  }
  return finishTurn(context, result.answer!, 'answered', { ...about, review, detail: result.stopDetail });
}

/** The turn is counted and remembered, the session's listed cost brought up to date, the reply made. */
function finishTurn(
  context: TurnContext,
  reply: string,
  outcome: SessionTurn['outcome'],
  about: {
    detail: string;
    workflowId?: string;
    totals?: RunTotals;
    piiVault?: string | undefined;
    review?: ReplyReview;
  },
): TurnReply {
  const { session, turn, messageId, assessment } = context;
  session.turns = turn;
  session.turnsHere += 1;
  session.memory.remember({
    turn,
    messageId,
    message: context.message,
    reply,
    outcome,
    ...(assessment ? { sentiment: assessment.sentiment } : {}),
  });
  recordRunOutcome(session.input.recordSearchAttributes, session.totals);
  session.stream.publish({
    type: 'reply',
    key: messageId,
    text: reply,
    outcome,
    ...(about.piiVault ? { piiVault: about.piiVault } : {}),
  });
  return {
    turn,
    messageId,
    reply,
    outcome,
    detail: about.detail,
    language: context.language,
    ...(about.workflowId ? { workflowId: about.workflowId } : {}),
    ...(assessment ? { assessment } : {}),
    ...(about.review ? { review: about.review } : {}),
    ...(session.handoff ? { handoff: session.handoff } : {}),
    totals: about.totals ?? emptyTotals,
    ...(about.piiVault ? { piiVault: about.piiVault } : {}),
  };
}

/** What the agent reads of the message in the knowledge base's language: the translation, or why there is none. */
function translationNote(context: TurnContext, knowledgeLanguage: string): string {
  const translation = context.assessment?.translation;
  if (translation) return translation;
  if (context.language === knowledgeLanguage) return `(the same: it is written in ${knowledgeLanguage})`;
  return context.assessment?.source === 'lexicon'
    ? '(not translated: the model could not assess the message)'
    : `(none given: read as ${knowledgeLanguage} by the model)`;
}

/**
 * Why the run's answer calls for a person, if it does: the model called `escalate_to_human`, or a
 * call that waited for approval ran out of time (the default of an approval nobody gives is to
 * decline and hand off; a call a person declined was decided, and needs nobody more).
 */
function personAskedFor(result: AgentResult): string | undefined {
  if (result.escalation) return `the agent asked for a person: ${result.escalation.reason}`;
  const expired = result.unapproved?.filter((call) => call.decision === 'timed_out') ?? [];
  if (expired.length > 0) return `nobody approved ${expired.map((call) => call.tool).join(', ')} in time`;
  return undefined;
}
