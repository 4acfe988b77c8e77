import { executeChild, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { AgentResult } from '../../common/agent.js';
import type { CustomerMessage, SessionTurn, TurnReply } from '../../common/customer-service.js';
import { emptyTotals } from '../../common/run-totals.js';
import { reactAgentWorkflow } from '../agent.js';
import { localActivityOptions } from '../lib/activity-options.js';
import { describeFailure } from '../lib/failures.js';
import { judge } from '../lib/run-guards.js';
import { childRunAttributes, recordRunOutcome } from '../lib/run-search-attributes.js';
import type { CustomerSession } from './customer-session.js';

const { detectLanguage } = proxyActivities<Activities>(localActivityOptions);

/**
 * Answers one customer message: the input guards judge (and mask) it, its language is detected,
 * and a child agent run answers it with the session's tools, knowledge base, rules and memory,
 * within the turn's caps and what is left of the session's. The reply is the agent's answer, or
 * the configured fallback (with why) when the run did not answer; a blocked message gets the
 * blocked reply. Every step is an activity or a child run, so a crash mid-turn repeats none that
 * finished. The child's id is the session's plus the turn number: unique across continue-as-new.
 */
export async function answerMessage(
  session: CustomerSession,
  message: CustomerMessage,
  messageId: string,
): Promise<TurnReply> {
  const { config } = session;
  const turn = session.turns + 1;
  const language = await detectLanguage({ text: message.text });
  const guarded = await judge(session.guards, 'input', `message ${turn}`, message.text);
  if ('blocked' in guarded)
    return finishTurn(
      session,
      { turn, messageId, message: '(blocked)', reply: config.blockedReply, outcome: 'blocked' },
      {
        detail: guarded.blocked,
        language: language.language,
      },
    );

  const workflowId = `${workflowInfo().workflowId}/turn-${turn}`;
  let result: AgentResult;
  try {
    result = await executeChild(reactAgentWorkflow, {
      workflowId,
      args: [
        {
          question: guarded.text,
          model: session.input.model,
          temperature: session.input.temperature,
          retry: session.input.retry,
          ...(session.input.budget ? { budget: session.input.budget } : {}),
          ...(session.guards ? { piiVault: session.guards.run.vaultId } : {}),
          ...(session.input.tenant ? { tenant: session.input.tenant } : {}),
          tools: config.tools,
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
            language: language.reliable ? language.language : 'the language the customer writes in',
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
    return finishTurn(
      session,
      { turn, messageId, message: guarded.text, reply: config.fallbackReply, outcome: 'fallback' },
      { detail: `the turn's run failed: ${failure.message}`, language: language.language, workflowId },
    );
  }
  session.spent(result.totals);
  const answered = result.stopReason === 'answer' && result.answer !== null && result.answer.trim() !== '';
  const outcome: SessionTurn['outcome'] = answered
    ? 'answered'
    : result.stopReason === 'blocked'
      ? 'blocked'
      : 'fallback';
  const reply = answered
    ? result.answer!
    : outcome === 'blocked'
      ? config.blockedReply
      : config.fallbackReply;
  return finishTurn(
    session,
    { turn, messageId, message: guarded.text, reply, outcome },
    {
      detail: answered ? result.stopDetail : `${result.stopReason}: ${result.stopDetail}`,
      language: language.language,
      workflowId,
      totals: result.totals,
      piiVault: result.piiVault ?? session.guards?.outcome.piiVault,
    },
  );
}

/** The turn is counted and remembered, the session's listed cost brought up to date, the reply made. */
function finishTurn(
  session: CustomerSession,
  turn: SessionTurn,
  about: Pick<TurnReply, 'detail' | 'language'> &
    Partial<Pick<TurnReply, 'workflowId' | 'totals' | 'piiVault'>>,
): TurnReply {
  session.turns = turn.turn;
  session.turnsHere += 1;
  session.memory.remember(turn);
  recordRunOutcome(session.input.recordSearchAttributes, session.totals);
  return {
    turn: turn.turn,
    messageId: turn.messageId,
    reply: turn.reply,
    outcome: turn.outcome,
    detail: about.detail,
    language: about.language,
    ...(about.workflowId ? { workflowId: about.workflowId } : {}),
    totals: about.totals ?? emptyTotals,
    ...(about.piiVault ? { piiVault: about.piiVault } : {}),
  };
}
