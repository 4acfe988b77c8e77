import {
  CancellationScope,
  condition,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  AgentInputSchema,
  type AgentInput,
  type AgentProgress,
  type AgentRequest,
  type AgentResult,
  type AgentStatus,
  type AgentStep,
} from '../common/agent.js';
import { CapsRaiseSchema, type StopReason } from '../common/run-contract.js';
import type { ChatMessage, ToolCall, ToolSpec } from '../common/chat.js';
import { ErrorType } from '../common/errors.js';
import { localActivityOptions } from './lib/activity-options.js';
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
import { parseWorkflowInput } from './lib/parse-input.js';
import { PromptSet } from './lib/prompts.js';
import { CapReached } from './lib/caps-meter.js';
import { RunModels } from './lib/run-models.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';
import { addModelCall, emptyTotals } from '../common/run-totals.js';
import { agentProgressQuery, raiseCapsUpdate } from '../common/messages.js';

const { describeTools, loadPrompts, runTool } = proxyActivities<Activities>(localActivityOptions);

/**
 * A bounded ReAct loop: the model thinks, calls tools, reads their results and answers. Every
 * model and tool call is an activity; caps (iterations, tokens, dollars, wall time) are checked
 * before each model call. The run always ends with a typed stop reason and the trace so far; one
 * stopped by a cap can wait `holdOnCapMs` for `raiseCapsUpdate` and then continue.
 */
export async function reactAgentWorkflow(request: AgentRequest): Promise<AgentResult> {
  const input: AgentInput = parseWorkflowInput(AgentInputSchema, request);
  const startedAt = Date.now();
  let caps = input.caps;
  let totals = emptyTotals;
  let iterations = 0;
  let status: AgentStatus = 'running';
  let stop: { stopReason: StopReason; detail: string } | undefined;
  let answer: string | null = null;
  const trace: AgentStep[] = [];
  let models: RunModels | undefined;

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
      fallbacks: models?.fallbacks ?? [],
      ...(models?.route ? { route: models.route } : {}),
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
    const rendered = new PromptSet(templates).render(input.prompt, agentPromptVariables(input));
    messages = rendered;
    // `auto`: the router picks the simple or the complex route from the rendered conversation.
    models = await RunModels.start({
      model: input.model,
      chain: input.models,
      retry: input.retry,
      budget: input.budget,
      routeOn: () => ({ messages: rendered, toolCount: toolSpecs.length }),
    });
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
    let call;
    try {
      call = await models.call({
        iteration: iterations,
        // Again before each attempt (after a wait on a busy budget, on the next model): the caps
        // still apply, and a raise while waiting counts.
        prepare: () => {
          const stop = findExhaustedCap(caps, {
            iterations: iterations - 1,
            totals,
            elapsedMs: Date.now() - startedAt,
          });
          if (stop) throw new CapReached(stop);
          return nextModelRequest(input, messages, tools, caps, totals);
        },
        reservation: (request) => ({ request }),
        invoke: ({ name, activities }, request) =>
          CancellationScope.withTimeout(caps.maxWallTimeMs - (Date.now() - startedAt), () =>
            activities.callChatModel.executeWithOptions({ summary: `${name} (iteration ${iterations})` }, [
              { model: name, prompt: input.prompt, request },
            ]),
          ),
        costOf: (made) => made.costUsd,
      });
    } catch (error) {
      // A cap reached while waiting for the budget: the check at the top stops (or holds) the run.
      if (error instanceof CapReached) {
        iterations -= 1; // no call was made
        continue;
      }
      if (isCancellation(error)) {
        if (Date.now() - startedAt >= caps.maxWallTimeMs) continue; // the deadline check stops the run
        if (!CancellationScope.current().consideredCancelled) {
          // Cut off at a deadline that was raised while the call ran: it did no work, so make it again.
          iterations -= 1;
          continue;
        }
      }
      const failure = describeFailure(error);
      if (failure.type === ErrorType.BudgetExceeded) {
        iterations -= 1; // no call was made
        return finish('budget_exhausted', failure.message, failure);
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
