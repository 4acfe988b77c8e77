/**
 * The ReAct loop of workflows/agent.ts run as a plain async function, without Temporal, for
 * the agent-step benchmark. It is not a second implementation of the agent: it mirrors the
 * workflow's happy path step by step and calls the same activity functions a worker runs
 * (`createActivitiesFromConfig`), so the difference in time is what Temporal adds. Mirrored, in
 * order: parse the input (`AgentInputSchema`), `describeTools` and `loadPrompts`, render the
 * template, then per iteration
 * `findExhaustedCap`, `callChatModel`, `addModelCall` and the model trace step, append the
 * assistant message, stop with the answer when there are no tool calls, otherwise run the tool
 * calls in parallel with `runTool` (tool trace steps, `toolCalls` total) and append their results.
 * Not mirrored, because a benchmark run never reaches them: waiting for raised caps, the deadline
 * cancellation, context compaction, activity retries, search attributes and the progress query.
 * Any failure throws instead of ending the run with `stopReason: 'error'`.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { AgentInputSchema, type AgentRequest, type AgentStep } from '../../common/agent.js';
import { type StopReason } from '../../common/run-contract.js';
import type { ToolCall } from '../../common/chat.js';
import type { AppendedMessage } from '../../common/conversation.js';
import type { Activities } from '../../activities/index.js';
import { findExhaustedCap } from '../../workflows/lib/caps.js';
import { agentPromptVariables } from '../../workflows/agent/agent-request.js';
import { AgentConversation } from '../../workflows/agent/agent-conversation.js';
import { outputAllowance } from '../../workflows/lib/caps.js';
import { modelStep, toolResultMessage, toolStep } from '../../workflows/lib/trace-steps.js';
import { PromptSet } from '../../workflows/lib/prompts.js';
import { addModelCall, emptyTotals } from '../../common/run-totals.js';

export interface InProcessResult {
  answer: string | null;
  stopReason: StopReason;
  iterations: number;
  toolCalls: number;
  trace: AgentStep[];
  /** Each step's time, model call to the next model call (or the answer), in ms. */
  stepLatenciesMs: number[];
}

/**
 * Runs one agent request against `activities` in this process. Activities read
 * `Context.current()` (heartbeats, cancellation signal, idempotency keys), so each call runs
 * inside a mock activity context: no server, no task queue, no serialization.
 */
export async function runAgentInProcess(
  activities: Activities,
  request: AgentRequest,
  runId: string,
): Promise<InProcessResult> {
  const input = AgentInputSchema.parse(request);
  const environment = new MockActivityEnvironment({ workflowExecution: { workflowId: runId, runId } });
  // MockActivityEnvironment.run cannot infer an activity's result type; this typed wrapper can.
  const run = <P extends unknown[], R>(activity: (...args: P) => Promise<R>, ...args: P): Promise<R> =>
    environment.run<P, R, typeof activity>(activity, ...args);
  const startedAt = Date.now();
  const caps = input.caps;
  let totals = emptyTotals;
  let iterations = 0;
  const trace: AgentStep[] = [];
  const stepStarts: number[] = [];
  const finish = (stopReason: StopReason, answer: string | null): InProcessResult => {
    const finishedAt = performance.now();
    return {
      answer,
      stopReason,
      iterations,
      toolCalls: totals.toolCalls,
      trace,
      stepLatenciesMs: stepStarts.map((start, index) => (stepStarts[index + 1] ?? finishedAt) - start),
    };
  };

  const [{ specs: tools }, templates] = await Promise.all([
    run(activities.describeTools, { names: input.tools }),
    run(activities.loadPrompts, { refs: [input.prompt] }),
  ]);
  const toolNames = new Set(tools.map((tool) => tool.name));
  const conversation = new AgentConversation(
    tools,
    new PromptSet(templates).render(input.prompt, agentPromptVariables(input)),
  );

  const runToolCall = async (call: ToolCall): Promise<AppendedMessage> => {
    const started = Date.now();
    if (!toolNames.has(call.name)) throw new Error(`the model called an unknown tool "${call.name}"`);
    const result = await run(activities.runTool, { name: call.name, arguments: call.arguments });
    trace.push(toolStep(iterations, call, result, Date.now() - started));
    totals = { ...totals, toolCalls: totals.toolCalls + 1 };
    return toolResultMessage(call, result);
  };

  for (;;) {
    const exhausted = findExhaustedCap(caps, { iterations, totals, elapsedMs: Date.now() - startedAt });
    if (exhausted) return finish(exhausted.stopReason, null);

    iterations += 1;
    stepStarts.push(performance.now());
    const call = await run(activities.callChatModel, {
      model: input.model,
      prompt: input.prompt,
      conversation: conversation.request({
        temperature: input.temperature,
        maxOutputTokens: outputAllowance(caps, totals),
      }),
    });
    const { response } = call;
    totals = addModelCall(totals, response.usage, call.costUsd);
    trace.push(modelStep(iterations, call, input.prompt));
    conversation.answered(response.message, call.conversation);
    if (response.message.toolCalls.length === 0) return finish('answer', response.message.content);
    const results = await Promise.all(response.message.toolCalls.map(runToolCall));
    conversation.add(results);
  }
}
