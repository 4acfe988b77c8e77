/**
 * The peer of the agent-step benchmark: a ReAct loop as LangGraph.js builds one, a `StateGraph`
 * with a model node and a tools node, durable through LangGraph's SQLite checkpointer (a file,
 * written after every node). Its nodes call the same activity functions as the in-process loop
 * (scripts/bench/in-process-agent.ts), on the same zero-latency script, so the difference in
 * time is what LangGraph and its checkpoints add. The model node sends the whole conversation
 * each call, as a LangGraph model node does. A benchmark dependency only: llmos does not use it.
 */
import { Annotation, END, START, StateGraph } from '@langchain/langgraph';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Activities } from '../../activities/index.js';
import { AgentInputSchema, type AgentRequest, type AgentStep } from '../../common/agent.js';
import type { ChatMessage, ToolCall } from '../../common/chat.js';
import { addModelCall, emptyTotals } from '../../common/run-totals.js';
import { agentPromptVariables } from '../../workflows/agent/agent-request.js';
import { outputAllowance } from '../../workflows/lib/caps.js';
import { PromptSet } from '../../workflows/lib/prompts.js';
import { modelStep, toolStep } from '../../workflows/lib/trace-steps.js';
import type { InProcessResult } from './in-process-agent.js';

const AgentState = Annotation.Root({
  messages: Annotation<ChatMessage[]>({
    reducer: (before, added) => [...before, ...added],
    default: () => [],
  }),
});

/**
 * A LangGraph ReAct agent over `activities`, checkpointed to the SQLite file `checkpoints`; `run`
 * takes one request to its answer on its own thread. Close it with `close`.
 */
export function createLangGraphAgent(activities: Activities, checkpoints: string) {
  const checkpointer = SqliteSaver.fromConnString(checkpoints);

  async function run(request: AgentRequest, runId: string): Promise<InProcessResult> {
    const input = AgentInputSchema.parse(request);
    const environment = new MockActivityEnvironment({ workflowExecution: { workflowId: runId, runId } });
    const call = <P extends unknown[], R>(activity: (...args: P) => Promise<R>, ...args: P): Promise<R> =>
      environment.run<P, R, typeof activity>(activity, ...args);
    const [{ specs: tools }, templates] = await Promise.all([
      call(activities.describeTools, { names: input.tools }),
      call(activities.loadPrompts, { refs: [input.prompt] }),
    ]);
    let totals = emptyTotals;
    let iterations = 0;
    const trace: AgentStep[] = [];
    const stepStarts: number[] = [];

    const model = async (state: typeof AgentState.State) => {
      iterations += 1;
      stepStarts.push(performance.now());
      const made = await call(activities.callChatModel, {
        model: input.model,
        prompt: input.prompt,
        request: {
          messages: state.messages,
          tools,
          ...(input.temperature !== undefined ? { temperature: input.temperature } : {}),
          maxOutputTokens: outputAllowance(input.caps, totals),
        },
      });
      totals = addModelCall(totals, made.response.usage, made.costUsd);
      trace.push(modelStep(iterations, made, input.prompt));
      return { messages: [made.response.message] };
    };
    const runTools = async (state: typeof AgentState.State) => {
      const last = state.messages.at(-1);
      const calls: ToolCall[] = last?.role === 'assistant' ? last.toolCalls : [];
      const results = await Promise.all(
        calls.map(async (toolCall): Promise<ChatMessage> => {
          const started = Date.now();
          const result = await call(activities.runTool, {
            name: toolCall.name,
            arguments: toolCall.arguments,
          });
          trace.push(toolStep(iterations, toolCall, result, Date.now() - started));
          totals = { ...totals, toolCalls: totals.toolCalls + 1 };
          return {
            role: 'tool',
            toolCallId: toolCall.id,
            toolName: toolCall.name,
            content: result.observation,
            isError: !result.ok,
          };
        }),
      );
      return { messages: results };
    };
    const next = (state: typeof AgentState.State) => {
      const last = state.messages.at(-1);
      return last?.role === 'assistant' && last.toolCalls.length > 0 ? 'tools' : END;
    };
    const graph = new StateGraph(AgentState)
      .addNode('model', model)
      .addNode('tools', runTools)
      .addEdge(START, 'model')
      .addConditionalEdges('model', next, ['tools', END])
      .addEdge('tools', 'model')
      .compile({ checkpointer });

    const messages = new PromptSet(templates).render(input.prompt, agentPromptVariables(input));
    const final = await graph.invoke(
      { messages },
      { configurable: { thread_id: runId }, recursionLimit: 2 * input.caps.maxIterations + 2 },
    );
    const finishedAt = performance.now();
    const last = final.messages.at(-1);
    return {
      answer: last?.role === 'assistant' ? last.content : null,
      stopReason: 'answer',
      iterations,
      toolCalls: totals.toolCalls,
      trace,
      stepLatenciesMs: stepStarts.map((start, index) => (stepStarts[index + 1] ?? finishedAt) - start),
    };
  }

  return { run, close: () => checkpointer.db.close() };
}
