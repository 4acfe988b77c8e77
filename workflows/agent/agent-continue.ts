import { allHandlersFinished, condition, continueAsNew, workflowInfo } from '@temporalio/workflow';
import type { AgentContinuation } from '../../common/agent.js';
import type { RunModels } from '../lib/run-models.js';
import type { reactAgentWorkflow } from '../agent.js';
import type { AgentConversation } from './agent-conversation.js';
import type { AgentRun } from './agent-run.js';

/**
 * Between two steps: continues the run as new when Temporal suggests it (its history is long) or
 * after `continueAsNewAfter` model calls in this execution, so a run of any length keeps a short
 * history. The next execution gets the raised caps, the totals, the iteration count, the start
 * time, the rest of the model chain with its moves so far, the stored conversation and the trace
 * by reference: its queries, `raiseCapsUpdate` and result go on from where this one stopped.
 *
 * Returns when it is not due, when a cap stops the next call, or when the conversation is not
 * stored yet (a run recorded before conversations were); otherwise does not return. Deterministic.
 */
export async function continueAsNewIfDue(
  run: AgentRun,
  models: RunModels,
  conversation: AgentConversation,
): Promise<void> {
  if (!run.longRuns) return;
  const { input } = run;
  const callsHere = run.iteration - run.firstIteration;
  const due =
    callsHere > 0 &&
    (workflowInfo().continueAsNewSuggested ||
      (input.continueAsNewAfter !== undefined && callsHere >= input.continueAsNewAfter));
  const carried = conversation.carried;
  // A run a cap stops (or holds) does so here: a new execution would only stop at once.
  if (!due || !carried || run.exhaustedCap()) return;
  await run.trace.storeExecution();
  // A caps raise taken in this execution must be answered before it ends.
  await condition(allHandlersFinished);
  const continued: AgentContinuation = {
    execution: (input.continued?.execution ?? 1) + 1,
    startedAt: run.meter.startedAt,
    iteration: run.iteration,
    totals: run.meter.totals,
    fallbacks: models.fallbacks,
    ...(models.route ? { route: models.route } : {}),
    ...(models.routePlan ? { routes: models.routePlan } : {}),
    ...carried,
    pureTools: [...run.pureTools],
    approvalTools: [...run.approvals.tools],
    ...(run.offeredTools !== input.tools ? { offeredTools: [...run.offeredTools] } : {}),
    ...(Object.keys(run.toolCalls).length > 0 ? { toolCalls: run.toolCalls } : {}),
    traceSegments: run.trace.segments,
    ...(run.guards ? { guards: run.guards.steps, canaries: run.guards.canaries } : {}),
    ...(run.escalation ? { escalation: run.escalation } : {}),
    ...(run.unapproved.length > 0 ? { unapproved: run.unapproved } : {}),
  };
  await continueAsNew<typeof reactAgentWorkflow>({
    ...input,
    caps: run.meter.caps,
    models: models.remaining,
    providerQueues: [...models.providerQueues],
    ...(models.policy ? { policy: models.policy } : {}),
    continued,
  });
}
