import {
  ApplicationFailure,
  CancellationScope,
  executeChild,
  isCancellation,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ErrorType } from '../common/errors.js';
import { planOutput, verdictOutput, type Plan, type PlanStep } from '../common/plan.js';
import {
  PsvInputSchema,
  type PsvAttempt,
  type PsvInput,
  type PsvRequest,
  type PsvResult,
  type PsvStopReason,
  type PsvTraceStep,
  type StepResult,
  type StepVerification,
} from '../common/psv.js';
import { runStepCheck } from './lib/step-checks.js';
import { localActivityOptions } from './lib/activity-options.js';
import { modelStep, toolStep } from './lib/trace-steps.js';
import { describeFailure } from './lib/failures.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import {
  describeStepResults,
  describeToolsForPlanner,
  replanFeedback,
  substituteStepResults,
  unavailableTools,
} from './lib/plan-steps.js';
import { PromptSet } from './lib/prompts.js';
import { capStopOf, CapsMeter } from './lib/caps-meter.js';
import { childRunAttributes, recordRunOutcome } from './lib/run-search-attributes.js';
import { RunModels } from './lib/run-models.js';
import { generateStructured, type StructuredCallOptions } from './lib/structured-call.js';
import { psvProgressQuery } from '../common/messages.js';
import { reactAgentWorkflow } from './agent.js';

const { describeTools, loadPrompts, runTool } = proxyActivities<Activities>(localActivityOptions);

const plans = (count: number): string => `${count} plan${count === 1 ? '' : 's'}`;

/**
 * Plan -> Solve -> Verify. A model writes a structured plan (steps with success criteria); each
 * step is solved by one tool call or a child ReAct run; each result is verified by the plan's
 * programmatic check, or by a model judge where the plan names none. A failed step stops the
 * attempt and the planner tries again with the failure in view, at most `maxReplans` times.
 * Caps cover the whole run, sub-agents included; it always ends with a typed stop reason, every
 * attempt's verification report and the totals.
 */
export async function planSolveVerifyWorkflow(request: PsvRequest): Promise<PsvResult> {
  const input: PsvInput = parseWorkflowInput(PsvInputSchema, request);
  let models: RunModels | undefined;
  const meter = new CapsMeter(input.caps, Date.now());
  const attempts: PsvAttempt[] = [];
  const trace: PsvTraceStep[] = [];
  let phase = 'starting';
  let finished = false;
  setHandler(psvProgressQuery, () => ({
    status: finished ? 'finished' : 'running',
    phase,
    attempt: attempts.length,
    totals: meter.totals,
    elapsedMs: meter.elapsedMs(),
  }));
  const enterPhase = (name: string): void => {
    phase = name;
    setCurrentDetails(`${name}; ${meter.totals.modelCalls} model calls, $${meter.totals.costUsd.toFixed(6)}`);
  };

  const finish = (
    stopReason: PsvStopReason,
    stopDetail: string,
    extra: Pick<PsvResult, 'answer' | 'confidence' | 'error'> = { answer: null },
  ): PsvResult => {
    finished = true;
    phase = 'finished';
    recordRunOutcome(input.recordSearchAttributes, meter.totals, stopReason);
    setCurrentDetails(`${stopReason}: ${stopDetail}`);
    return {
      ...extra,
      stopReason,
      stopDetail,
      attempts,
      caps: input.caps,
      totals: meter.totals,
      trace,
      fallbacks: models?.fallbacks ?? [],
      ...(models?.route ? { route: models.route } : {}),
    };
  };

  /** A structured call within the run's caps; the deadline cancels one in flight. */
  const structured = <T>(
    run: RunModels,
    options: Pick<StructuredCallOptions<T>, 'output' | 'prompt' | 'messages' | 'check'>,
  ): Promise<T> =>
    CancellationScope.withTimeout(Math.max(1, input.caps.maxWallTimeMs - meter.elapsedMs()), () =>
      generateStructured(run, {
        ...options,
        temperature: input.temperature,
        maxRepairs: input.maxRepairs,
        beforeCall: () => {
          meter.assertAvailable();
          return meter.outputAllowance();
        },
        iteration: () => meter.totals.modelCalls + 1,
        onCall: (call) => {
          meter.addModelCall(call);
          trace.push(modelStep(meter.totals.modelCalls, call, options.prompt));
        },
      }),
    );

  try {
    enterPhase('loading tools and prompts');
    const [tools, templates] = await Promise.all([
      describeTools({ names: input.tools }),
      loadPrompts({ refs: [input.prompts.plan, input.prompts.verify, input.prompts.solve] }),
    ]);
    const prompts = new PromptSet(templates);
    const planMessages = (feedback: string) =>
      prompts.render(input.prompts.plan, {
        task: input.task,
        tools: describeToolsForPlanner(tools),
        feedback,
      });
    // `auto` routes on the first planning conversation; the tools count, as sub-agents use them.
    const run = await RunModels.start({
      model: input.model,
      retry: input.retry,
      budget: input.budget,
      routeOn: () => ({ messages: planMessages(''), toolCount: tools.length }),
    });
    models = run;

    const makePlan = (feedback: string): Promise<Plan> =>
      structured<Plan>(run, {
        output: planOutput,
        prompt: input.prompts.plan,
        messages: planMessages(feedback),
        check: (plan) => unavailableTools(plan.steps, tools),
      });

    const solveWithTool = async (
      step: PlanStep,
      tool: NonNullable<PlanStep['tool']>,
      results: Map<string, string>,
    ): Promise<StepResult> => {
      const call = {
        id: step.id,
        name: tool.name,
        arguments: JSON.stringify(substituteStepResults(tool.arguments, results)),
      };
      const started = Date.now();
      let outcome: { ok: boolean; observation: string };
      try {
        outcome = await runTool.executeWithOptions({ summary: `${tool.name} (step ${step.id})` }, [
          { name: call.name, arguments: call.arguments },
        ]);
      } catch (error) {
        if (isCancellation(error)) throw error;
        outcome = { ok: false, observation: describeFailure(error).message };
      }
      meter.addToolCall();
      trace.push(toolStep(meter.totals.modelCalls, call, outcome, Date.now() - started));
      return { stepId: step.id, via: 'tool', ok: outcome.ok, result: outcome.observation };
    };

    const solveWithAgent = async (
      step: PlanStep,
      agent: NonNullable<PlanStep['agent']>,
      results: Map<string, string>,
      attemptNumber: number,
    ): Promise<StepResult> => {
      meter.assertAvailable();
      const workflowId = `${workflowInfo().workflowId}/attempt-${attemptNumber}/${step.id}`;
      const child = await executeChild(reactAgentWorkflow, {
        workflowId,
        args: [
          {
            question: substituteStepResults(agent.question, results),
            // The chain from where this run is on it (no alias resolved again), and the same shared budget.
            model: run.current,
            models: run.remaining,
            ...(input.budget ? { budget: input.budget } : {}),
            tools: input.tools,
            prompt: input.prompts.solve,
            promptVariables: { task: input.task, goal: step.goal, context: describeStepResults(results) },
            temperature: input.temperature,
            caps: meter.remainingCaps(),
            retry: input.retry,
            recordSearchAttributes: input.recordSearchAttributes,
          },
        ],
        ...childRunAttributes(input.recordSearchAttributes, 'agent', run.current),
        staticSummary: `PSV step ${step.id}: ${step.goal.slice(0, 120)}`,
      });
      run.follow(child.fallbacks, meter.totals.modelCalls);
      meter.addRun(child.totals);
      trace.push({
        kind: 'agent',
        stepId: step.id,
        workflowId,
        stopReason: child.stopReason,
        answer: child.answer,
        totals: child.totals,
      });
      // The shared budget refused the sub-agent's call: it would refuse a new plan's too, so the run stops.
      if (child.error?.type === ErrorType.BudgetExceeded)
        throw ApplicationFailure.create({
          type: ErrorType.BudgetExceeded,
          message: child.error.message,
          nonRetryable: true,
        });
      return child.stopReason === 'answer' && child.answer !== null
        ? { stepId: step.id, via: 'agent', ok: true, result: child.answer, workflowId }
        : {
            stepId: step.id,
            via: 'agent',
            ok: false,
            result: `sub-agent stopped: ${child.stopReason}: ${child.stopDetail}`,
            workflowId,
          };
    };

    const verify = async (step: PlanStep, solved: StepResult): Promise<StepVerification> => {
      if (!solved.ok) return { stepId: step.id, method: 'failed', pass: false, reason: solved.result };
      if (step.check) return { stepId: step.id, method: 'check', ...runStepCheck(step.check, solved.result) };
      const verdict = await structured<{ pass: boolean; reason: string }>(run, {
        output: verdictOutput,
        prompt: input.prompts.verify,
        messages: prompts.render(input.prompts.verify, {
          task: input.task,
          step: `${step.goal}\nSuccess criterion: ${step.successCriterion}`,
          result: solved.result,
        }),
      });
      return { stepId: step.id, method: 'judge', pass: verdict.pass, reason: verdict.reason };
    };

    let feedback = '';
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      enterPhase(`planning (attempt ${attemptNumber})`);
      const plan = await makePlan(feedback);
      const attempt: PsvAttempt = { plan, steps: [], verification: [], passed: false };
      attempts.push(attempt);
      const results = new Map<string, string>();
      for (const step of plan.steps) {
        enterPhase(`attempt ${attemptNumber}: solving ${step.id}`);
        // The plan schema gives every step exactly one of the two.
        const solved = step.tool
          ? await solveWithTool(step, step.tool, results)
          : await solveWithAgent(step, step.agent ?? { question: step.goal }, results, attemptNumber);
        attempt.steps.push(solved);
        enterPhase(`attempt ${attemptNumber}: verifying ${step.id}`);
        const verification = await verify(step, solved);
        attempt.verification.push(verification);
        if (!verification.pass) break;
        results.set(step.id, solved.result);
      }
      attempt.passed =
        attempt.verification.length === plan.steps.length && attempt.verification.every((v) => v.pass);
      if (attempt.passed) {
        return finish('answer', `verified after ${plans(attemptNumber)}`, {
          answer: results.get(plan.answerStep) ?? null,
          ...(plan.confidence !== undefined ? { confidence: plan.confidence } : {}),
        });
      }
      if (attemptNumber > input.maxReplans) {
        const failed = attempt.verification.at(-1);
        return finish(
          'verification_failed',
          `${plans(attemptNumber)} failed verification; last: step ${failed?.stepId}: ${failed?.reason}`,
        );
      }
      feedback = replanFeedback(attempt);
    }
  } catch (error) {
    const stop = capStopOf(error, meter);
    if (stop) return finish(stop.stopReason, stop.detail);
    const failure = describeFailure(error);
    // The shared budget refused a call: a stop on spend, typed like the agent's.
    const stopReason = failure.type === ErrorType.BudgetExceeded ? 'budget_exhausted' : 'error';
    return finish(stopReason, failure.message, { answer: null, error: failure });
  }
}
