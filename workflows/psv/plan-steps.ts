import type { PlanStep } from '../../common/plan.js';
import type { PsvAttempt } from '../../common/psv.js';
import type { ToolSpec } from '../../common/chat.js';

/** The tools as the planner reads them: name, what it does, and its arguments' JSON Schema. */
export function describeToolsForPlanner(tools: readonly ToolSpec[]): string {
  if (tools.length === 0) return '(no tools: solve every step with a sub-agent)';
  return tools
    .map(
      (tool) =>
        `- ${tool.name}: ${tool.description}\n  arguments (JSON Schema): ${JSON.stringify(tool.parameters)}`,
    )
    .join('\n');
}

/** Plan problems only the run can see: tools that are not available to it. */
export function unavailableTools(steps: readonly PlanStep[], tools: readonly ToolSpec[]): string[] {
  const names = new Set(tools.map((tool) => tool.name));
  return steps.flatMap((step, index) =>
    step.tool && !names.has(step.tool.name)
      ? [
          `steps.${index}.tool.name: no tool "${step.tool.name}"; available: ${[...names].join(', ') || 'none'}`,
        ]
      : [],
  );
}

/** Earlier step results, for a sub-agent's context. */
export function describeStepResults(results: ReadonlyMap<string, { text: string }>): string {
  if (results.size === 0) return '(none yet)';
  return [...results].map(([id, result]) => `${id}: ${result.text}`).join('\n');
}

/** What went wrong with a plan, for the planner's next try. */
export function replanFeedback(attempt: PsvAttempt): string {
  const failed = attempt.verification.find((verification) => !verification.pass);
  const step = attempt.plan.steps.find((candidate) => candidate.id === failed?.stepId);
  const result = attempt.steps.find((candidate) => candidate.stepId === failed?.stepId);
  return [
    'A previous plan failed verification:',
    JSON.stringify(attempt.plan),
    failed && step
      ? `Step "${step.id}" (${step.goal}) gave ${JSON.stringify(result?.result ?? '')} and failed: ${failed.reason}`
      : 'It did not produce a verified answer.',
    'Make a new plan that avoids this mistake.',
  ].join('\n');
}
