import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  AgentInputSchema,
  type AgentContinuation,
  type AgentInput,
  type AgentRequest,
  type AgentResult,
} from '../common/agent.js';
import { agentPromptVariables } from './agent/agent-request.js';
import { checkCitationsOf } from './agent/agent-citations.js';
import { withoutUnsupported } from '../common/citations.js';
import { ErrorType } from '../common/errors.js';
import { callModel, runToolCall, stopAtCap } from './agent/agent-loop.js';
import { continueAsNewIfDue } from './agent/agent-continue.js';
import { AgentConversation } from './agent/agent-conversation.js';
import { AgentRun } from './agent/agent-run.js';
import { describedTools } from './lib/described-tools.js';
import { localActivityOptions } from './lib/activity-options.js';
import { describeFailure } from './lib/failures.js';
import { describeRunSpan } from './lib/run-span.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { PromptSet } from './lib/prompts.js';
import { judge, RunGuards } from './lib/run-guards.js';
import { RunModels, type RunModelsOptions } from './lib/run-models.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';
import { modelStep } from './lib/trace-steps.js';
import { plural } from '../common/plural.js';

const { describeTools, loadPrompts } = proxyActivities<Activities>(localActivityOptions);

/** A lean run updates its listed cost and tokens (search attributes) every this many model calls. */
const searchAttributeEvery = 10;

/**
 * A bounded ReAct loop: the model thinks, calls tools, reads their results and answers. Every
 * model and tool call is an activity; caps (iterations, tokens, dollars, wall time) are checked
 * before each model call. The run always ends with a typed stop reason and the trace so far; one
 * stopped by a cap can wait `holdOnCapMs` for `raiseCapsUpdate` and then continue. A long run
 * continues as new between steps (`continueAsNewIfDue`), so it may take any number of steps.
 */
export async function reactAgentWorkflow(request: AgentRequest): Promise<AgentResult> {
  const input: AgentInput = parseWorkflowInput(AgentInputSchema, request);
  describeRunSpan({
    'llmos.prompt.id': input.prompt.id,
    'llmos.prompt.version': input.prompt.version,
    'llmos.run.model': input.model,
  });
  const run = new AgentRun(input);
  run.handleMessages();
  run.guards = RunGuards.start(
    input,
    {
      steps: input.continued?.guards,
      canaries: input.continued?.canaries,
    },
    run.meter,
  );
  let setup: { models: RunModels; conversation: AgentConversation };
  try {
    if (input.continued) setup = await resumeConversation(run, input.continued);
    else {
      // The question as the model may see it: judged, and masked, before anything reads it.
      const question = await judge(run.guards, 'input', 'question', input.question);
      if ('blocked' in question) return run.finish('blocked', question.blocked);
      setup = await startConversation(run, question.text);
    }
  } catch (error) {
    const failure = describeFailure(error);
    return run.finish('error', failure.message, { error: failure });
  }
  const result = await loop(run, setup.models, setup.conversation);
  return input.resultTrace === 'stored' ? run.trace.storedResult(result) : result;
}

/**
 * Setup: the tool specs the model will see and the rendered prompt (both activities, so in
 * history), then the run's models; `auto` routes on the rendered conversation.
 */
async function startConversation(
  run: AgentRun,
  question: string,
): Promise<{ models: RunModels; conversation: AgentConversation }> {
  const { input } = run;
  const [described, templates] = await Promise.all([
    describeTools({ names: input.tools }),
    loadPrompts({ refs: [input.prompt] }),
  ]);
  const { specs: tools, pure, approval, calls } = describedTools(described);
  run.pureTools = pure;
  run.offeredTools = tools.map((tool) => tool.name);
  run.toolCalls = calls ?? {};
  run.approvals.offer(run.offeredTools);
  run.approvals.mark(approval ?? []);
  const rendered = new PromptSet(templates).render(
    input.prompt,
    agentPromptVariables({ ...input, question }),
  );
  // The run's canary in its system prompt: an answer that repeats it shows the prompt leaked.
  const messages = run.guards ? run.guards.framed(rendered) : rendered;
  const models = await startModels(run, {
    routeOn: () => ({ messages, toolCount: tools.length, tools }),
    routeEachCall: true,
  });
  return { models, conversation: new AgentConversation(tools, messages) };
}

/** The run continued as new: its models and conversation as the execution before left them. */
async function resumeConversation(
  run: AgentRun,
  continued: AgentContinuation,
): Promise<{ models: RunModels; conversation: AgentConversation }> {
  const models = await startModels(run, { earlier: continued });
  return { models, conversation: AgentConversation.resume(continued) };
}

/** The run's models as its input names them: routed on `routeOn`, or going on from `earlier`. */
async function startModels(
  run: AgentRun,
  from: Pick<RunModelsOptions, 'routeOn' | 'routeEachCall' | 'earlier'>,
): Promise<RunModels> {
  const { input } = run;
  run.models = await RunModels.start({
    tenant: input.tenant,
    model: input.model,
    chain: input.models,
    providerQueues: input.providerQueues,
    policy: input.policy,
    retry: input.retry,
    budget: input.budget,
    ...from,
  });
  return run.models;
}

/** Model call, tool calls, again, until the model answers or a cap or a failure ends the run. */
async function loop(run: AgentRun, models: RunModels, conversation: AgentConversation): Promise<AgentResult> {
  for (;;) {
    await run.trace.storeIfFull();
    await continueAsNewIfDue(run, models, conversation);
    const stop = await stopAtCap(run);
    if (stop) return run.finish(stop.stopReason, stop.detail);
    const call = await callModel(run, models, conversation);
    if (call === 'again') continue;
    if (!('response' in call)) return call;
    const { message } = call.response;
    run.meter.addModelCall(call);
    run.trace.push(modelStep(run.iteration, call, run.input.prompt, call.route));
    // Lean runs list their cost every few calls (each update is an event); the end records it all.
    if (!run.leanSteps || run.iteration % searchAttributeEvery === 0)
      recordRunOutcome(run.input.recordSearchAttributes, run.meter.totals);
    conversation.answered(message, call.conversation);
    if (message.toolCalls.length === 0) {
      const answer = await judge(run.guards, 'output', 'answer', message.content);
      if ('blocked' in answer) return run.finish('blocked', answer.blocked);
      const calls = plural(run.iteration, 'model call');
      const citations = await checkCitationsOf(run, conversation, answer.text);
      // A passage the run never retrieved is no source: the answer is not given as one.
      if (citations && citations.invalid.length > 0) {
        const message = `the answer cites ${citations.invalid.map((id) => `[${id}]`).join(', ')}, which the run never retrieved`;
        return run.finish('error', message, {
          error: { type: ErrorType.CitationInvalid, message },
          citations,
        });
      }
      if (citations && citations.unsupported > 0 && run.input.citationCheck.unsupported === 'remove') {
        const kept = withoutUnsupported(answer.text, citations);
        const removed = { ...citations, removed: citations.unsupported };
        if (kept === '') {
          const message = `every claim of the answer is unsupported by the passages it cites (${citations.unsupported})`;
          return run.finish('error', message, {
            error: { type: ErrorType.AnswerUnsupported, message },
            citations: removed,
          });
        }
        return run.finish(
          'answer',
          `answered after ${calls}, ${plural(citations.unsupported, 'unsupported claim')} removed`,
          {
            answer: kept,
            citations: removed,
          },
        );
      }
      return run.finish('answer', `answered after ${calls}`, { answer: answer.text, citations });
    }
    // Tool calls of one turn are independent: run them in parallel, keep their results in order.
    const results = await Promise.all(message.toolCalls.map((toolCall) => runToolCall(run, toolCall)));
    // A result the untrusted stage blocked never reaches the model: the run ends here.
    const blocked = run.guards?.blocked;
    if (blocked) return run.finish('blocked', blocked);
    conversation.add(results);
  }
}
