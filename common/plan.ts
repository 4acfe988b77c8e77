import { z } from 'zod';
import { defineOutput } from './structured-output.js';

/** A check a program can run on a step's result, so no model has to judge it. */
export const StepCheckSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('number') }).describe('the result is one number'),
  z.object({ kind: z.literal('non_empty') }).describe('the result is not empty'),
  z
    .object({ kind: z.literal('equals'), value: z.string() })
    .describe('the result equals value (case and spacing ignored)'),
  z
    .object({ kind: z.literal('regex'), pattern: z.string().min(1) })
    .describe('the result matches the regular expression'),
  z
    .object({ kind: z.literal('range'), min: z.number().optional(), max: z.number().optional() })
    .describe('the result is a number within [min, max]'),
]);
export type StepCheck = z.infer<typeof StepCheckSchema>;

export const stepIdPattern = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;

/** `{{steps.<id>}}` in a step's tool arguments or question stands for that earlier step's result. */
export const stepReferencePattern = /\{\{\s*steps\.([A-Za-z][A-Za-z0-9_-]*)\s*\}\}/g;

export const PlanStepSchema = z
  .object({
    id: z.string().regex(stepIdPattern, 'step ids are a letter then letters, digits, _ or - (at most 32)'),
    goal: z.string().trim().min(1),
    tool: z
      .object({ name: z.string().min(1), arguments: z.record(z.string(), z.unknown()) })
      .optional()
      .describe('solve the step with one call of this tool'),
    agent: z
      .object({ question: z.string().trim().min(1) })
      .optional()
      .describe('solve the step with a sub-agent that answers this question'),
    successCriterion: z.string().trim().min(1),
    check: StepCheckSchema.optional(),
  })
  .refine((step) => (step.tool === undefined) !== (step.agent === undefined), {
    message: 'a step has exactly one of "tool" or "agent"',
  });
export type PlanStep = z.infer<typeof PlanStepSchema>;

/**
 * Replaces `{{steps.<id>}}` in every string inside `value` with that step's result; a reference
 * to a step not in `results` stays as written. Pure: workflows and activities use it.
 */
export function substituteStepResults<T>(value: T, results: ReadonlyMap<string, string>): T {
  if (typeof value === 'string')
    return value.replace(stepReferencePattern, (whole, id: string) => results.get(id) ?? whole) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => substituteStepResults(item, results)) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, substituteStepResults(item, results)]),
    ) as T;
  return value;
}

/** The step ids `value` refers to with `{{steps.<id>}}`, searched through strings, arrays and objects. */
export function referencedSteps(value: unknown): string[] {
  if (typeof value === 'string')
    return [...value.matchAll(stepReferencePattern)].map((match) => match[1] ?? '');
  if (Array.isArray(value)) return value.flatMap(referencedSteps);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(referencedSteps);
  return [];
}

/** Problems a plan's steps have among themselves: duplicate ids, references forward, bad regexes. */
function planProblems(plan: {
  steps: PlanStep[];
  answerStep: string;
}): Array<{ path: (string | number)[]; message: string }> {
  const problems: Array<{ path: (string | number)[]; message: string }> = [];
  const seen = new Set<string>();
  plan.steps.forEach((step, index) => {
    if (seen.has(step.id))
      problems.push({ path: ['steps', index, 'id'], message: `duplicate step id "${step.id}"` });
    for (const reference of referencedSteps([step.tool?.arguments, step.agent?.question])) {
      if (!seen.has(reference))
        problems.push({
          path: ['steps', index],
          message: `{{steps.${reference}}} does not name an earlier step`,
        });
    }
    if (step.check?.kind === 'regex') {
      try {
        new RegExp(step.check.pattern);
      } catch (error) {
        problems.push({ path: ['steps', index, 'check', 'pattern'], message: (error as Error).message });
      }
    }
    seen.add(step.id);
  });
  if (!seen.has(plan.answerStep))
    problems.push({ path: ['answerStep'], message: `"${plan.answerStep}" is not a step id` });
  return problems;
}

export const PlanSchema = z
  .object({
    steps: z.array(PlanStepSchema).min(1).max(12),
    /** The id of the step whose result is the answer. */
    answerStep: z.string().min(1),
    /** How sure the planner is that the plan answers the task, 0 to 1. */
    confidence: z.number().min(0).max(1).optional(),
  })
  .superRefine((plan, context) => {
    for (const problem of planProblems(plan)) context.addIssue({ code: 'custom', ...problem });
  });
export type Plan = z.infer<typeof PlanSchema>;

export const planOutput = defineOutput(
  'plan',
  'A short plan: steps solved in order by one tool call or a sub-agent, each with a success criterion.',
  PlanSchema,
);

export const VerdictSchema = z.object({
  pass: z.boolean(),
  reason: z.string().trim().min(1),
});
export type Verdict = z.infer<typeof VerdictSchema>;

export const verdictOutput = defineOutput(
  'verdict',
  'Whether a result meets its success criterion, and why.',
  VerdictSchema,
);
