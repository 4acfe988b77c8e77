/**
 * The customer-service evaluation: each case's message sent to a new session on a worker, and what
 * the session did checked against what the case expects (outcome, cited policy, tools, approvals,
 * tickets, what the reply says and must not say). A tool call that waits for approval is declined
 * as soon as it is seen, and counted: an evaluation approves nothing. One case's failure is its
 * own: it is reported as not correct, with why, and the others go on.
 */
import type { Client } from '@temporalio/client';
import type { AgentResult, AgentStep } from '../../common/agent.js';
import type { CustomerServiceRequest, TurnReply } from '../../common/customer-service.js';
import { resultTraceSince, stepsSince, type ReadTraceSegment } from '../agent-trace.js';
import { decideToolCall, listPendingApprovals } from '../approvals.js';
import { closeSession, sendMessage, startSession, withRestoredReply } from '../customer-service.js';
import { mapWithConcurrency } from './concurrency.js';
import type { SessionCase, SessionExpectation } from './session-cases.js';
import { summarizeLatencies, type LatencySummary } from './stats.js';

export interface SessionEvalOptions {
  /** What every session starts from (the model, a tenant); the customer is the case's. */
  session: Omit<CustomerServiceRequest, 'customer'>;
  taskQueue?: string | undefined;
  concurrency: number;
  /** Reads the stored steps of a turn's agent run, for the tools it called. */
  readSegment?: ReadTraceSegment | undefined;
}

export interface SessionCaseOutcome {
  id: string;
  category: string;
  language: string;
  correct: boolean;
  /** Why it is not correct: one line per expectation missed. */
  problems: string[];
  outcome: string;
  reply: string;
  tools: string[];
  /** Tools whose calls waited for approval (all declined by the evaluation). */
  approvals: string[];
  /** The last message's turn, the customer's wait. */
  latencyMs: number;
  costUsd: number;
  totalTokens: number;
  sessionId: string;
}

export interface SessionEvalReport {
  model: string;
  cases: SessionCaseOutcome[];
  correct: number;
  byCategory: { category: string; cases: number; correct: number }[];
  latency: LatencySummary;
  costUsd: number;
  totalTokens: number;
}

const approvalPollMs = 300;

export async function runSessionEval(
  client: Client,
  cases: readonly SessionCase[],
  options: SessionEvalOptions,
  onCase?: (outcome: SessionCaseOutcome, done: number) => void,
): Promise<SessionEvalReport> {
  let done = 0;
  const outcomes = await mapWithConcurrency(cases, options.concurrency, async (item) => {
    const outcome = await runCase(client, item, options).catch((error: unknown): SessionCaseOutcome => ({
      id: item.id,
      category: item.category,
      language: item.language,
      correct: false,
      problems: [`the case failed: ${error instanceof Error ? error.message : String(error)}`],
      outcome: 'error',
      reply: '',
      tools: [],
      approvals: [],
      latencyMs: 0,
      costUsd: 0,
      totalTokens: 0,
      sessionId: '',
    }));
    done += 1;
    onCase?.(outcome, done);
    return outcome;
  });
  const categories = [...new Set(outcomes.map((outcome) => outcome.category))];
  return {
    model: options.session.model ?? '',
    cases: outcomes,
    correct: outcomes.filter((outcome) => outcome.correct).length,
    byCategory: categories.map((category) => {
      const of = outcomes.filter((outcome) => outcome.category === category);
      return { category, cases: of.length, correct: of.filter((outcome) => outcome.correct).length };
    }),
    latency: summarizeLatencies(outcomes.filter((o) => o.outcome !== 'error').map((o) => o.latencyMs)),
    costUsd: outcomes.reduce((sum, outcome) => sum + outcome.costUsd, 0),
    totalTokens: outcomes.reduce((sum, outcome) => sum + outcome.totalTokens, 0),
  };
}

async function runCase(
  client: Client,
  item: SessionCase,
  options: SessionEvalOptions,
): Promise<SessionCaseOutcome> {
  const session = await startSession(
    client,
    { ...options.session, customer: { id: item.customer } },
    options.taskQueue ? { taskQueue: options.taskQueue } : {},
  );
  const sessionId = session.workflowId;
  const approvals = declineApprovals(client, sessionId, item.before.length + 1);
  let reply: TurnReply;
  let latencyMs: number;
  try {
    for (const text of item.before) await sendMessage(client, sessionId, text);
    const started = performance.now();
    reply = await withRestoredReply(await sendMessage(client, sessionId, item.message));
    latencyMs = performance.now() - started;
  } finally {
    approvals.stop();
  }
  const state = await closeSession(client, sessionId, 'the evaluation case is over');
  const steps = reply.workflowId ? await agentSteps(client, reply.workflowId, options.readSegment) : [];
  const toolSteps = steps.filter((step) => step.kind === 'tool');
  const tools = [...new Set(toolSteps.map((step) => step.toolName))];
  const waited = [
    ...new Set([
      ...approvals.seen,
      ...toolSteps.filter((step) => step.approval).map((step) => step.toolName),
    ]),
  ];
  const problems = check(item.expect, { reply, tools, approvals: waited });
  return {
    id: item.id,
    category: item.category,
    language: item.language,
    correct: problems.length === 0,
    problems,
    outcome: reply.outcome,
    reply: reply.reply,
    tools,
    approvals: waited,
    latencyMs: Math.round(latencyMs),
    costUsd: state.totals.costUsd,
    totalTokens: state.totals.totalTokens,
    sessionId,
  };
}

/** The steps of a turn's agent run, stored ones included when they can be read. */
async function agentSteps(
  client: Client,
  workflowId: string,
  read: ReadTraceSegment | undefined,
): Promise<AgentStep[]> {
  const result = (await client.workflow.getHandle(workflowId).result()) as AgentResult;
  return stepsSince(resultTraceSince(result, 0), 0, read);
}

/** Declines every tool call of the session's turns that waits for a person, and remembers its tool. */
function declineApprovals(client: Client, sessionId: string, turns: number) {
  const seen = new Set<string>();
  const runs = Array.from({ length: turns }, (_unused, index) => `${sessionId}/turn-${index + 1}`);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    listPendingApprovals(client, runs)
      .then(async (pending) => {
        for (const call of pending) {
          seen.add(call.tool);
          await decideToolCall(
            client,
            'decline',
            { toolCallId: call.toolCallId, by: 'llmos eval', reason: 'an evaluation approves nothing' },
            { workflowId: call.workflowId },
          ).catch(() => undefined);
        }
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, approvalPollMs);
  return { seen, stop: () => clearInterval(timer) };
}

/** What the case expected and the session did not do, one line each. */
export function check(
  expect: SessionExpectation,
  did: { reply: TurnReply; tools: readonly string[]; approvals: readonly string[] },
): string[] {
  const { reply } = did;
  const problems: string[] = [];
  const outcomes = expect.outcome === undefined ? [] : [expect.outcome].flat();
  if (outcomes.length > 0 && !outcomes.includes(reply.outcome))
    problems.push(`outcome ${reply.outcome} (${reply.detail}), not ${outcomes.join(' or ')}`);
  if (expect.cites && !(reply.reply.includes(expect.cites) && /\[[^\]\s]+#\d+\]/.test(reply.reply)))
    problems.push(`does not cite ${expect.cites} with its passage`);
  if (expect.tool && !did.tools.includes(expect.tool))
    problems.push(`did not call ${expect.tool} (called: ${did.tools.join(', ') || 'nothing'})`);
  if (expect.approval && !did.approvals.includes(expect.approval))
    problems.push(`no approval asked for ${expect.approval}`);
  if (expect.ticket && !(reply.handoff?.ticket ?? did.tools.includes('create_ticket')))
    problems.push(`no ticket${reply.handoff?.ticketProblem ? ` (${reply.handoff.ticketProblem})` : ''}`);
  if (expect.replyMatches && !new RegExp(expect.replyMatches, 'i').test(reply.reply))
    problems.push(`the reply does not match /${expect.replyMatches}/`);
  if (expect.replyMustNotMatch && new RegExp(expect.replyMustNotMatch, 'i').test(reply.reply))
    problems.push(`the reply matches /${expect.replyMustNotMatch}/, which it must not`);
  return problems;
}
