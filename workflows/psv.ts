import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ErrorType } from '../common/errors.js';
import { planOutput, type Plan } from '../common/plan.js';
import {
  PsvInputSchema,
  type PsvAttempt,
  type PsvInput,
  type PsvRequest,
  type PsvResult,
} from '../common/psv.js';
import { localActivityOptions } from './lib/activity-options.js';
import { capStopOf } from './lib/caps-meter.js';
import { describeFailure } from './lib/failures.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { describedTools } from './lib/described-tools.js';
import { describeToolsForPlanner, replanFeedback, unavailableTools } from './psv/plan-steps.js';
import { PromptSet } from './lib/prompts.js';
import { RunModels } from './lib/run-models.js';
import { judge } from './lib/run-guards.js';
import { PsvRun } from './psv/psv-run.js';
import { answerOf, solveWithAgent, solveWithTool, verifyStep, type StepResults } from './psv/psv-steps.js';
import { plural } from '../common/plural.js';

const { describeTools, loadPrompts } = proxyActivities<Activities>(localActivityOptions);

/** What every attempt works with: the run's models, its prompts, and a way to ask for a plan. */
interface Planner {
  models: RunModels;
  prompts: PromptSet;
  makePlan: (feedback: string) => Promise<Plan>;
}

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
  const run = new PsvRun(input);
  run.handleMessages();
  try {
    const task = await judge(run.guards, 'input', 'task', input.task);
    if ('blocked' in task) return await run.finish('blocked', task.blocked);
    run.task = task.text;
    const planner = await startPlanner(run);
    let feedback = '';
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      const { attempt, results } = await runAttempt(run, planner, attemptNumber, feedback);
      // Outside text a step read was blocked: no plan should read it again.
      const blocked = run.guards?.blocked;
      if (blocked) return await run.finish('blocked', blocked);
      if (attempt.passed) {
        const answered = results.get(attempt.plan.answerStep);
        const answer = answered ? await answerOf(run, answered) : null;
        const judged = answer !== null ? await judge(run.guards, 'output', 'answer', answer) : { text: null };
        if ('blocked' in judged) return await run.finish('blocked', judged.blocked);
        return run.finish('answer', `verified after ${plural(attemptNumber, 'plan')}`, {
          answer: judged.text,
          ...(attempt.plan.confidence !== undefined ? { confidence: attempt.plan.confidence } : {}),
        });
      }
      if (attemptNumber > input.maxReplans) {
        const failed = attempt.verification.at(-1);
        return run.finish(
          'verification_failed',
          `${plural(attemptNumber, 'plan')} failed verification; last: step ${failed?.stepId}: ${failed?.reason}`,
        );
      }
      feedback = replanFeedback(attempt);
    }
  } catch (error) {
    const stop = capStopOf(error, run.meter);
    if (stop) return run.finish(stop.stopReason, stop.detail);
    const failure = describeFailure(error);
    // The shared budget refused a call: a stop on spend, typed like the agent's.
    const stopReason = failure.type === ErrorType.BudgetExceeded ? 'budget_exhausted' : 'error';
    return run.finish(stopReason, failure.message, { answer: null, error: failure });
  }
}

/**
 * Setup: the tools and the three prompts (activities, so in history), then the run's models;
 * `auto` routes on the first planning conversation, with the tools sub-agents will use.
 */
async function startPlanner(run: PsvRun): Promise<Planner> {
  const { input } = run;
  run.enterPhase('loading tools and prompts');
  const [described, templates] = await Promise.all([
    describeTools({ names: input.tools }),
    loadPrompts({ refs: [input.prompts.plan, input.prompts.verify, input.prompts.solve] }),
  ]);
  const { specs: tools, pure, approval, calls } = describedTools(described);
  run.pureTools = pure;
  run.toolCalls = calls ?? {};
  run.approvals.offer(tools.map((tool) => tool.name));
  run.approvals.mark(approval ?? []);
  const prompts = new PromptSet(templates);
  const planVariables = (feedback: string) => ({
    task: run.task,
    tools: describeToolsForPlanner(tools),
    feedback,
  });
  const models = await RunModels.start({
    tenant: input.tenant,
    model: input.model,
    retry: input.retry,
    budget: input.budget,
    routeOn: () => ({
      messages: prompts.render(input.prompts.plan, planVariables('')),
      toolCount: tools.length,
    }),
  });
  run.models = models;
  const makePlan = (feedback: string): Promise<Plan> =>
    run.structured<Plan>(models, {
      output: planOutput,
      prompt: input.prompts.plan,
      request: run.request(prompts, input.prompts.plan, planVariables(feedback)),
      check: (plan) => unavailableTools(plan.steps, tools),
    });
  return { models, prompts, makePlan };
}

/** One attempt: a plan, then each step solved and verified in order, until one fails. */
async function runAttempt(
  run: PsvRun,
  { models, prompts, makePlan }: Planner,
  attemptNumber: number,
  feedback: string,
): Promise<{ attempt: PsvAttempt; results: StepResults }> {
  run.enterPhase(`planning (attempt ${attemptNumber})`);
  const plan = await makePlan(feedback);
  const attempt: PsvAttempt = { plan, steps: [], verification: [], passed: false };
  run.attempts.push(attempt);
  const results: StepResults = new Map();
  for (const step of plan.steps) {
    run.enterPhase(`attempt ${attemptNumber}: solving ${step.id}`);
    // The plan schema gives every step exactly one of the two.
    const solved = step.tool
      ? await solveWithTool(run, step, step.tool, results)
      : await solveWithAgent(
          run,
          models,
          step,
          step.agent ?? { question: step.goal },
          results,
          attemptNumber,
        );
    attempt.steps.push(solved);
    if (run.guards?.blocked) break;
    run.enterPhase(`attempt ${attemptNumber}: verifying ${step.id}`);
    const verification = await verifyStep(run, models, prompts, step, solved);
    attempt.verification.push(verification);
    if (!verification.pass) break;
    results.set(step.id, { text: solved.result, stored: solved.stored });
  }
  attempt.passed =
    attempt.verification.length === plan.steps.length && attempt.verification.every((v) => v.pass);
  return { attempt, results };
}
