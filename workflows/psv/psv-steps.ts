import {
  ApplicationFailure,
  executeChild,
  isCancellation,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities, RunToolOutput } from '../../activities/index.js';
import type { BlobRef } from '../../common/blob-ref.js';
import { ErrorType } from '../../common/errors.js';
import { referencedSteps, substituteStepResults, verdictOutput, type PlanStep } from '../../common/plan.js';
import type { StepResult, StepVerification } from '../../common/psv.js';
import type { PromptSet } from '../lib/prompts.js';
import { localActivityOptions, toolActivityOptions } from '../lib/activity-options.js';
import { describeFailure } from '../lib/failures.js';
import { describeStepResults } from './plan-steps.js';
import type { RunModels } from '../lib/run-models.js';
import { childRunAttributes } from '../lib/run-search-attributes.js';
import { runStepCheck } from './step-checks.js';
import { toolStep } from '../lib/trace-steps.js';
import { reactAgentWorkflow } from '../agent.js';
import type { PsvRun } from './psv-run.js';
import { declinedObservation } from '../lib/run-approvals.js';

const { runTool } = proxyActivities<Activities>(localActivityOptions);
// Pure tools (no side effects, quick): repeating one after a crash costs nothing.
const { runTool: runPureTool, readStoredText } = proxyLocalActivities<Activities>(localActivityOptions);

/** A step's result as the run holds it: its text (a long one's beginning), and the whole in the store. */
export interface StepText {
  text: string;
  stored?: BlobRef | undefined;
}

/** Earlier steps' results by step id, for `{{steps.<id>}}` references in a step's arguments or question. */
export type StepResults = Map<string, StepText>;

/** The results' texts, without those of `except` (their references stay as written). */
function textsOf(results: StepResults, except: Record<string, BlobRef> = {}): Map<string, string> {
  return new Map(
    [...results].flatMap(([id, { text }]) => (Object.hasOwn(except, id) ? [] : [[id, text] as const])),
  );
}

/** The stored results `value` refers to, by step id; undefined when it refers to none. */
function storedReferences(value: unknown, results: StepResults): Record<string, BlobRef> | undefined {
  const stored = referencedSteps(value).flatMap((id) => {
    const ref = results.get(id)?.stored;
    return ref ? [[id, ref] as const] : [];
  });
  return stored.length > 0 ? Object.fromEntries(stored) : undefined;
}

/** A step's result as a run's answer: whole, read back from the store when it is kept there. */
export async function answerOf(run: PsvRun, result: StepText): Promise<string> {
  return run.flatSteps && result.stored ? await readStoredText(result.stored) : result.text;
}

/** Solves a step with the one tool call the plan gave it; a failed call is a failed step, not a failed run. */
export async function solveWithTool(
  run: PsvRun,
  step: PlanStep,
  tool: NonNullable<PlanStep['tool']>,
  results: StepResults,
): Promise<StepResult> {
  // A stored result goes to the tool whole, read where it runs: the run holds its beginning only.
  const stored = run.flatSteps ? storedReferences(tool.arguments, results) : undefined;
  const call = {
    id: step.id,
    name: tool.name,
    arguments: JSON.stringify(substituteStepResults(tool.arguments, textsOf(results, stored))),
  };
  const started = Date.now();
  let outcome: RunToolOutput;
  // A call that needs a person's approval waits for it first, under an id unique to this run's
  // attempt and step (a plan's step ids repeat across runs and replans).
  const approval = run.approvals.needs(tool.name)
    ? await run.approvals.ask(
        { ...call, id: `${workflowInfo().workflowId}:${run.attempts.length}:${step.id}` },
        run.meter.totals.modelCalls,
        run.meter.timeLeftMs(),
        run.guards,
      )
    : undefined;
  if (approval && approval.decision !== 'approved')
    outcome = { ok: false, observation: declinedObservation(approval, ErrorType.ToolCallDeclined) };
  else
    try {
      const pure = run.flatSteps && run.pureTools.includes(tool.name);
      // A pure tool computes from the plan's own arguments: its result holds no outside text to judge.
      const guard = !pure && run.guards ? { guard: run.guards.run } : {};
      const model = run.models ? { model: run.models.current } : {};
      outcome = await (pure ? runPureTool : runTool).executeWithOptions(
        { summary: `${tool.name} (step ${step.id})`, ...toolActivityOptions(run.toolCalls[tool.name]) },
        [
          {
            name: call.name,
            arguments: call.arguments,
            ...(stored ? { stepResults: stored } : {}),
            ...guard,
            ...model,
          },
        ],
      );
      run.guards?.record(outcome.guard);
      if (outcome.spent) run.meter.addRun(outcome.spent);
    } catch (error) {
      if (isCancellation(error)) throw error;
      outcome = { ok: false, observation: describeFailure(error).message };
    }
  run.meter.addToolCall();
  run.trace.push(toolStep(run.meter.totals.modelCalls, call, outcome, Date.now() - started, approval));
  return {
    stepId: step.id,
    via: 'tool',
    ok: outcome.ok,
    result: outcome.observation,
    ...(outcome.stored ? { stored: outcome.stored } : {}),
  };
}

/**
 * Solves a step with a child agent run, on the run's model chain from where it is, within what is
 * left of the run's caps and against the same shared budget. Throws `BudgetExceeded` when that
 * budget refused the child's call: a new plan's would be refused too.
 */
export async function solveWithAgent(
  run: PsvRun,
  models: RunModels,
  step: PlanStep,
  agent: NonNullable<PlanStep['agent']>,
  results: StepResults,
  attemptNumber: number,
): Promise<StepResult> {
  const { input, meter } = run;
  meter.assertAvailable();
  const workflowId = `${workflowInfo().workflowId}/attempt-${attemptNumber}/${step.id}`;
  const child = await executeChild(reactAgentWorkflow, {
    workflowId,
    args: [
      {
        question: substituteStepResults(agent.question, textsOf(results)),
        model: models.current,
        models: models.remaining,
        providerQueues: [...models.providerQueues],
        ...(models.policy ? { policy: models.policy } : {}),
        ...(input.budget ? { budget: input.budget } : {}),
        tools: input.tools,
        // The child's tool calls wait for the same people as the run's own.
        approval: input.approval,
        prompt: input.prompts.solve,
        promptVariables: { task: run.task, goal: step.goal, context: describeStepResults(results) },
        temperature: input.temperature,
        caps: meter.remainingCaps(),
        retry: input.retry,
        recordSearchAttributes: input.recordSearchAttributes,
        // The child judges its texts by the run's profile, and masks into the run's vault.
        ...(run.guards ? { piiVault: run.guards.run.vaultId, tenant: input.tenant } : {}),
        // The step reads the answer and the totals: the child's trace stays in the blob store.
        ...(run.flatSteps ? { resultTrace: 'stored' as const } : {}),
      },
    ],
    ...childRunAttributes(input.recordSearchAttributes, 'agent', models.current),
    staticSummary: `PSV step ${step.id}: ${step.goal.slice(0, 120)}`,
  });
  models.follow(child.fallbacks, meter.totals.modelCalls);
  meter.addRun(child.totals);
  for (const guard of child.guards ?? [])
    run.guards?.record({ ...guard, subject: `${step.id}: ${guard.subject}` });
  const { stopReason, answer, totals } = child;
  run.trace.push({ kind: 'agent', stepId: step.id, workflowId, stopReason, answer, totals });
  if (child.error?.type === ErrorType.BudgetExceeded)
    throw ApplicationFailure.create({
      type: ErrorType.BudgetExceeded,
      message: child.error.message,
      nonRetryable: true,
    });
  return stopReason === 'answer' && answer !== null
    ? { stepId: step.id, via: 'agent', ok: true, result: answer, workflowId }
    : {
        stepId: step.id,
        via: 'agent',
        ok: false,
        result: `sub-agent stopped: ${stopReason}: ${child.stopDetail}`,
        workflowId,
      };
}

/** Verifies a solved step: by the plan's programmatic check where it has one, else by a model judge. */
export async function verifyStep(
  run: PsvRun,
  models: RunModels,
  prompts: PromptSet,
  step: PlanStep,
  solved: StepResult,
): Promise<StepVerification> {
  if (!solved.ok) return { stepId: step.id, method: 'failed', pass: false, reason: solved.result };
  if (step.check) return { stepId: step.id, method: 'check', ...runStepCheck(step.check, solved.result) };
  const { input } = run;
  const verdict = await run.structured<{ pass: boolean; reason: string }>(models, {
    output: verdictOutput,
    prompt: input.prompts.verify,
    request: run.request(prompts, input.prompts.verify, {
      task: run.task,
      step: `${step.goal}\nSuccess criterion: ${step.successCriterion}`,
      result: { text: solved.result, stored: solved.stored },
    }),
  });
  return { stepId: step.id, method: 'judge', pass: verdict.pass, reason: verdict.reason };
}
