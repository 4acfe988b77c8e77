import {
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  patched,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  AgentInputSchema,
  CapsRaiseSchema,
  type AgentInput,
  type AgentProgress,
  type AgentRequest,
  type AgentResult,
  type AgentStatus,
  type AgentStep,
  type StopReason,
} from '../common/agent.js';
import type { ChatMessage, ToolCall, ToolSpec } from '../common/chat.js';
import { ErrorType } from '../common/errors.js';
import type { RouteDecision } from '../common/route-request.js';
import { localActivityOptions, modelActivityOptions } from './lib/activity-options.js';
import { applyRaise, checkRaise, findExhaustedCap } from './lib/caps.js';
import {
  agentPromptVariables,
  modelStep,
  nextModelRequest,
  toolResultMessage,
  toolStep,
} from './lib/agent-steps.js';
import { compactConversation } from './lib/conversation.js';
import { describeFailure } from './lib/failures.js';
import { ModelChain } from './lib/model-chain.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { PromptSet } from './lib/prompts.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';
import { addModelCall, emptyTotals } from './lib/totals.js';
import { agentProgressQuery, raiseCapsUpdate } from './messages.js';

const {
  describeTools,
  loadPrompts,
  resolveModelChain,
  routeModel,
  runTool,
  reserveModelCall,
  settleModelCall,
} = proxyActivities<Activities>(localActivityOptions);

/** The model name that asks the router to choose (the catalog's `routing` section). */
const autoModel = 'auto';

/** How long a run waits before asking a busy shared budget again. */
const budgetRetryMs = 500;

/**
 * A bounded ReAct loop: the model thinks, calls tools, reads their results and answers. Every
 * model and tool call is an activity; caps (iterations, tokens, dollars, wall time) are checked
 * before each model call. The run always ends with a typed stop reason and the trace so far; one
 * stopped by a cap can wait `holdOnCapMs` for `raiseCapsUpdate` and then continue.
 */
export async function reactAgentWorkflow(request: AgentRequest): Promise<AgentResult> {
  const input: AgentInput = parseWorkflowInput(AgentInputSchema, request);
  // Per model, since a fallback moves the run to another provider's queue.
  const modelCalls = (model: string) =>
    proxyActivities<Activities>(modelActivityOptions(input.retry, model)).callChatModel;
  const startedAt = Date.now();
  let caps = input.caps;
  let totals = emptyTotals;
  let iterations = 0;
  let status: AgentStatus = 'running';
  let stop: { stopReason: StopReason; detail: string } | undefined;
  let answer: string | null = null;
  const trace: AgentStep[] = [];
  let chain = new ModelChain([input.model]);
  let route: RouteDecision | undefined;
  let reservations = 0;

  setHandler(agentProgressQuery, (sinceStep: number): AgentProgress => ({
    status,
    model: input.model,
    iteration: iterations,
    caps,
    totals,
    elapsedMs: Date.now() - startedAt,
    ...(stop ? { stopReason: stop.stopReason, stopDetail: stop.detail } : {}),
    answer,
    stepCount: trace.length,
    steps: trace.slice(Math.max(0, sinceStep)),
  }));
  setHandler(
    raiseCapsUpdate,
    (raise) => {
      caps = applyRaise(caps, raise);
      trace.push({ kind: 'caps_raised', iteration: iterations, caps });
      return caps;
    },
    {
      validator: (raise) => {
        if (status === 'finished') throw new Error('the run has finished');
        const problem = checkRaise(caps, CapsRaiseSchema.parse(raise));
        if (problem) throw new Error(problem);
      },
    },
  );

  const finish = (
    stopReason: StopReason,
    detail: string,
    error?: { type: string; message: string },
  ): AgentResult => {
    status = 'finished';
    stop = { stopReason, detail };
    recordRunOutcome(input.recordSearchAttributes, totals, stopReason);
    setCurrentDetails(`${stopReason}: ${detail}`);
    return {
      answer,
      stopReason,
      stopDetail: detail,
      iterations,
      caps,
      totals,
      trace,
      fallbacks: chain.fallbacks,
      ...(route ? { route } : {}),
      ...(error ? { error } : {}),
    };
  };

  let tools: ToolSpec[];
  let messages: ChatMessage[];
  try {
    const [toolSpecs, templates] = await Promise.all([
      describeTools({ names: input.tools }),
      loadPrompts({ refs: [input.prompt] }),
    ]);
    tools = toolSpecs;
    messages = new PromptSet(templates).render(input.prompt, agentPromptVariables(input));
    // `auto`: the router picks the simple or the complex route from the rendered conversation.
    if (input.model === autoModel) route = await routeModel({ messages, toolCount: tools.length });
    // Runs recorded before fallback chains existed resolved nothing: they keep their one model.
    chain = new ModelChain(
      patched('model-chain')
        ? await resolveModelChain({ model: route?.model ?? input.model })
        : [input.model],
    );
  } catch (error) {
    const failure = describeFailure(error);
    return finish('error', failure.message, failure);
  }
  const toolNames = new Set(tools.map((tool) => tool.name));

  const runToolCall = async (call: ToolCall): Promise<ChatMessage> => {
    const started = Date.now();
    let result: { ok: boolean; observation: string };
    if (!toolNames.has(call.name)) {
      result = {
        ok: false,
        observation: `${ErrorType.UnknownTool}: no tool "${call.name}"; tools: ${[...toolNames].join(', ')}`,
      };
    } else {
      try {
        result = await runTool.executeWithOptions({ summary: `${call.name} (iteration ${iterations})` }, [
          { name: call.name, arguments: call.arguments },
        ]);
      } catch (error) {
        // The model decides what to do about a tool that keeps failing; the run goes on.
        result = { ok: false, observation: `${ErrorType.ToolFailed}: ${describeFailure(error).message}` };
      }
    }
    trace.push(toolStep(iterations, call, result, Date.now() - started));
    totals = { ...totals, toolCalls: totals.toolCalls + 1 };
    return toolResultMessage(call, result);
  };

  for (;;) {
    const stoppedAtMs = Date.now() - startedAt;
    const exhausted = findExhaustedCap(caps, { iterations, totals, elapsedMs: stoppedAtMs });
    if (exhausted) {
      stop = { stopReason: exhausted.stopReason, detail: exhausted.detail };
      if (input.holdOnCapMs > 0) {
        status = 'waiting_for_caps';
        setCurrentDetails(`waiting for raised caps: ${exhausted.detail}`);
        const freed = await condition(
          () => !findExhaustedCap(caps, { iterations, totals, elapsedMs: Date.now() - startedAt }),
          input.holdOnCapMs,
        );
        if (freed) {
          status = 'running';
          stop = undefined;
          continue;
        }
        // A raise may have freed the cap that stopped the run while another one still holds it:
        // report that one, as it stood when the run stopped (the hold itself is not a deadline).
        const blocking = findExhaustedCap(caps, { iterations, totals, elapsedMs: stoppedAtMs }) ?? exhausted;
        return finish(blocking.stopReason, blocking.detail);
      }
      return finish(exhausted.stopReason, exhausted.detail);
    }

    iterations += 1;
    setCurrentDetails(
      `iteration ${iterations}/${caps.maxIterations}, ${totals.totalTokens} tokens, $${totals.costUsd.toFixed(6)}`,
    );
    const request = nextModelRequest(input, messages, tools, caps, totals);

    // A shared budget: reserve the call's worst case first; a refusal ends the run, typed.
    let reservation: { id: string; amountUsd: number } | undefined;
    if (input.budget) {
      reservations += 1;
      const id = `${workflowInfo().workflowId}/${workflowInfo().runId}/${reservations}`;
      const grant = await reserveModelCall({
        budget: input.budget,
        reservationId: id,
        model: chain.current,
        request,
      });
      if (!grant.granted) {
        iterations -= 1; // no call was made
        if (!grant.busy)
          return finish('budget_exhausted', grant.reason, {
            type: ErrorType.BudgetExceeded,
            message: grant.reason,
          });
        // Calls in flight hold the rest of the budget: wait for them (a durable timer; the caps still apply).
        setCurrentDetails(`waiting for budget: ${grant.reason}`);
        await sleep(budgetRetryMs);
        continue;
      }
      reservation = { id, amountUsd: grant.amountUsd };
      const cheaper = input.budget.downgradeTo;
      if (grant.downgrade && cheaper !== undefined && chain.current !== cheaper) {
        await settleModelCall({ budget: input.budget, reservationId: id, actualUsd: 0 });
        chain.switchTo(
          cheaper,
          `past ${input.budget.softLimitShare * 100}% of budget ${input.budget.scope}`,
          iterations,
        );
        iterations -= 1; // reserved again, for the cheaper model
        continue;
      }
    }
    const settle = async (actualUsd: number): Promise<void> => {
      if (input.budget && reservation)
        // Even when the run is being cancelled: an open reservation would hold the budget.
        await CancellationScope.nonCancellable(() =>
          settleModelCall({ budget: input.budget!, reservationId: reservation.id, actualUsd }),
        );
    };

    const remainingMs = caps.maxWallTimeMs - (Date.now() - startedAt);
    let call;
    try {
      call = await CancellationScope.withTimeout(remainingMs, () =>
        modelCalls(chain.current).executeWithOptions(
          { summary: `${chain.current} (iteration ${iterations})` },
          [{ model: chain.current, prompt: input.prompt, request }],
        ),
      );
    } catch (error) {
      await settle(0);
      if (isCancellation(error)) {
        if (Date.now() - startedAt >= caps.maxWallTimeMs) continue; // the deadline check stops the run
        if (!CancellationScope.current().consideredCancelled) {
          // Cut off at a deadline that was raised while the call ran: it did no work, so make it again.
          iterations -= 1;
          continue;
        }
      }
      const failure = describeFailure(error);
      if (chain.fallBack(failure, iterations)) {
        iterations -= 1; // the failed call did no work: the next model makes it
        continue;
      }
      if (failure.type === ErrorType.ContextTooLong) {
        const compacted = compactConversation(messages);
        if (compacted) {
          messages = compacted;
          iterations -= 1; // the refused call did no work
          continue;
        }
      }
      return finish('error', `model call failed: ${failure.message}`, failure);
    }

    const { response } = call;
    await settle(call.costUsd ?? reservation?.amountUsd ?? 0);
    totals = addModelCall(totals, response.usage, call.costUsd, call.cacheHit);
    trace.push(modelStep(iterations, call, input.prompt));
    recordRunOutcome(input.recordSearchAttributes, totals);
    messages = [...messages, response.message];
    if (response.message.toolCalls.length === 0) {
      answer = response.message.content;
      return finish('answer', `answered after ${iterations} model call${iterations === 1 ? '' : 's'}`);
    }
    // Tool calls of one turn are independent: run them in parallel, keep their results in order.
    const results = await Promise.all(response.message.toolCalls.map(runToolCall));
    messages = [...messages, ...results];
  }
}
