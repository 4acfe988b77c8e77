import { declinedObservation } from '../lib/run-approvals.js';
import {
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
} from '@temporalio/workflow';
import type { Activities, CallChatModelOutput, RunToolOutput } from '../../activities/index.js';
import type { AgentResult } from '../../common/agent.js';
import type { ToolCall } from '../../common/chat.js';
import type { AppendedMessage } from '../../common/conversation.js';
import { ErrorType } from '../../common/errors.js';
import type { RouteDecision } from '../../common/route-request.js';
import { localActivityOptions, toolActivityOptions } from '../lib/activity-options.js';
import { toolResultMessage, toolStep } from '../lib/trace-steps.js';
import { outputAllowance } from '../lib/caps.js';
import type { AgentConversation } from './agent-conversation.js';
import { CapReached } from '../lib/caps-meter.js';
import type { CapStop } from '../lib/caps.js';
import { describeFailure, failedToolObservation, isScheduleToCloseTimeout } from '../lib/failures.js';
import type { RunModels } from '../lib/run-models.js';
import type { AgentRun } from './agent-run.js';

const { runTool, compactConversation } = proxyActivities<Activities>(localActivityOptions);
// Pure tools (a calculation) in a lean run: a result lost in a crash is computed again at no cost.
const { runTool: runPureTool } = proxyLocalActivities<Activities>(localActivityOptions);

/**
 * Checks the caps before a model call. At an exhausted cap the run may hold, `holdOnCapMs` at
 * most, for a raise that frees it. Returns the stop that ends the run, or undefined to go on.
 */
export async function stopAtCap(run: AgentRun): Promise<CapStop | undefined> {
  const stoppedAtMs = run.meter.elapsedMs();
  const exhausted = run.exhaustedCap(stoppedAtMs);
  if (!exhausted || run.input.holdOnCapMs <= 0) return exhausted;
  run.holdAt(exhausted);
  setCurrentDetails(`waiting for raised caps: ${exhausted.detail}`);
  if (await condition(() => !run.exhaustedCap(), run.input.holdOnCapMs)) {
    run.holdAt(undefined);
    return undefined;
  }
  // A raise may have freed the cap that stopped the run while another one still holds it:
  // report that one, as it stood when the run stopped (the hold itself is not a deadline).
  return run.exhaustedCap(stoppedAtMs) ?? exhausted;
}

/**
 * The next model call, through the run's models (fallback chain, shared budget), cancelled at the
 * deadline. Returns the call; `again` when it did no work and the loop should check the caps and
 * try again (a cap reached while waiting, a raised deadline, a conversation compacted after a
 * context-length refusal); or the run's result when the call ended it.
 */
export async function callModel(
  run: AgentRun,
  models: RunModels,
  conversation: AgentConversation,
): Promise<(CallChatModelOutput & { route?: RouteDecision }) | 'again' | AgentResult> {
  const { input, meter } = run;
  const iteration = (run.iteration += 1);
  setCurrentDetails(
    `iteration ${iteration}/${meter.caps.maxIterations}, ${meter.totals.totalTokens} tokens, $${meter.totals.costUsd.toFixed(6)}`,
  );
  try {
    return await models.call({
      iteration,
      // Again before each attempt (after a wait on a busy budget, on the next model): the caps
      // still apply, and a raise while waiting counts.
      prepare: () => {
        const stop = meter.exhausted({ iterations: iteration - 1 });
        if (stop) throw new CapReached(stop);
        const maxOutputTokens = outputAllowance(meter.caps, meter.totals);
        return {
          maxOutputTokens,
          request: conversation.request({ temperature: input.temperature, maxOutputTokens }),
        };
      },
      // The budget reserves from a bound of the tokens, not the request: history stays flat.
      reservation: ({ maxOutputTokens }) => ({
        tokens: { inputTokens: conversation.inputTokensBound(), outputTokens: maxOutputTokens },
      }),
      // Routed call by call (`auto`): tools count while the model has yet to choose one.
      routeSignals: () => ({
        inputTokens: conversation.routingTokens(),
        needsTools: input.tools.length > 0 && meter.totals.toolCalls === 0,
      }),
      invoke: async ({ name, activities, route, fallbackFrom }, { request }) => {
        const summary = `${name} (iteration ${iteration})`;
        // The prompt ref is in the run's input and each model step of its trace: not in every call.
        const call = {
          model: name,
          ...(fallbackFrom ? { fallbackFrom } : {}),
          conversation: request,
          ...(input.stream ? { stream: input.stream } : {}),
        };
        // Cut off at the deadline: in a lean run by the call's own schedule-to-close timeout,
        // which writes no timer to history.
        const made = await (run.leanSteps
          ? activities.callChatModel.executeWithOptions(
              { summary, scheduleToCloseTimeout: meter.timeLeftMs() },
              [call],
            )
          : CancellationScope.withTimeout(meter.timeLeftMs(), () =>
              activities.callChatModel.executeWithOptions({ summary }, [call]),
            ));
        return route ? { ...made, route } : made;
      },
      costOf: (made) => made.costUsd,
      timeLeftMs: () => meter.timeLeftMs(),
    });
  } catch (error) {
    return await afterFailedCall(run, conversation, error);
  }
}

async function afterFailedCall(
  run: AgentRun,
  conversation: AgentConversation,
  error: unknown,
): Promise<'again' | AgentResult> {
  // A cap reached while waiting for the budget: the check before the next call stops (or holds) the run.
  if (error instanceof CapReached) {
    run.callDidNoWork();
    return 'again';
  }
  const deadline = isScheduleToCloseTimeout(error);
  if (isCancellation(error) || deadline) {
    if (run.meter.elapsedMs() >= run.meter.caps.maxWallTimeMs) return 'again'; // the deadline check stops the run
    if (deadline || !CancellationScope.current().consideredCancelled) {
      // Cut off at a deadline that was raised while the call ran: it did no work, so make it again.
      run.callDidNoWork();
      return 'again';
    }
  }
  const failure = describeFailure(error);
  if (failure.type === ErrorType.BudgetExceeded) {
    run.callDidNoWork();
    return run.finish('budget_exhausted', failure.message, { error: failure });
  }
  if (failure.type === ErrorType.ContextTooLong && (await compact(conversation))) {
    run.callDidNoWork();
    return 'again';
  }
  return run.finish('error', `model call failed: ${failure.message}`, { error: failure });
}

/** Shrinks the conversation after a context-length refusal; false when nothing could be cut. */
async function compact(conversation: AgentConversation): Promise<boolean> {
  const stored = conversation.stored;
  if (!stored) return conversation.compactUnstored();
  const compacted = await compactConversation(stored);
  if (compacted) conversation.compacted(compacted);
  return compacted !== null;
}

/**
 * One tool call the model asked for, as the message it reads next. A tool the run does not offer,
 * or one that keeps failing, is an observation for the model to act on: the run goes on.
 */
export async function runToolCall(run: AgentRun, call: ToolCall): Promise<AppendedMessage> {
  const { iteration } = run;
  const tools = run.offeredTools;
  const started = Date.now();
  let result: RunToolOutput;
  // A call that needs a person's approval waits for it first; a declined one never runs.
  const approval =
    tools.includes(call.name) && run.approvals.needs(call.name)
      ? await run.approvals.ask(call, iteration, run.meter.timeLeftMs(), run.guards)
      : undefined;
  if (!tools.includes(call.name)) {
    const names = tools.join(', ');
    result = { ok: false, observation: `${ErrorType.UnknownTool}: no tool "${call.name}"; tools: ${names}` };
  } else if (approval && approval.decision !== 'approved') {
    result = { ok: false, observation: declinedObservation(approval, ErrorType.ToolCallDeclined) };
    run.unapproved.push({
      tool: call.name,
      decision: approval.decision,
      ...(approval.by ? { by: approval.by } : {}),
      ...(approval.reason ? { reason: approval.reason } : {}),
    });
  } else {
    try {
      const pure = run.leanSteps && run.pureTools.includes(call.name);
      // A pure tool computes from the model's own arguments: its result holds no outside text to judge.
      const guard = !pure && run.guards ? { guard: run.guards.run } : {};
      // A tool that asks a model (retrieve's summary) asks the run's current one.
      const model = run.models ? { model: run.models.current } : {};
      const customer = run.input.customer ? { customer: run.input.customer } : {};
      const fixed = run.input.toolArguments?.[call.name];
      const args = {
        name: call.name,
        arguments: call.arguments,
        ...guard,
        ...model,
        ...customer,
        ...(fixed ? { fixed } : {}),
      };
      const options = {
        summary: `${call.name} (iteration ${iteration})`,
        ...toolActivityOptions(run.toolCalls[call.name]),
      };
      result = pure
        ? await runPureTool.executeWithOptions(options, [args])
        : await runTool.executeWithOptions(options, [args]);
      run.guards?.record(result.guard);
      if (result.spent) run.meter.addRun(result.spent);
    } catch (error) {
      result = { ok: false, observation: failedToolObservation(error) };
    }
  }
  run.trace.push(toolStep(iteration, call, result, Date.now() - started, approval));
  run.meter.addToolCall();
  if (call.name === 'escalate_to_human' && result.ok) run.escalation = { reason: escalationReason(call) };
  return toolResultMessage(call, result);
}

/** The reason an `escalate_to_human` call gave (its arguments passed the tool's schema). */
function escalationReason(call: ToolCall): string {
  try {
    const { reason } = JSON.parse(call.arguments) as { reason?: unknown };
    if (typeof reason === 'string') return reason;
  } catch {
    // The tool ran, so the arguments parsed there; nothing else to say.
  }
  return 'the agent asked for a person';
}
