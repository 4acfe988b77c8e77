import type { PsvResult } from '../common/psv.js';
import { formatGuards, formatModelMoves, formatTotals } from './format-agent.js';

/** A Plan -> Solve -> Verify result: each plan with its steps and verdicts, then the outcome. */
export function formatPsvResult(result: PsvResult): string {
  const lines: string[] = [];
  result.attempts.forEach((attempt, index) => {
    lines.push('', `Plan ${index + 1}${attempt.passed ? ' (verified)' : ''}:`);
    for (const step of attempt.plan.steps) {
      const solver = step.tool
        ? `${step.tool.name} ${JSON.stringify(step.tool.arguments)}`
        : `sub-agent: ${step.agent?.question}`;
      lines.push(`  ${step.id}. ${step.goal}  [${solver}]`);
      const solved = attempt.steps.find((candidate) => candidate.stepId === step.id);
      const verification = attempt.verification.find((candidate) => candidate.stepId === step.id);
      if (!solved) {
        lines.push('      not run');
        continue;
      }
      lines.push(`      -> ${solved.result.replace(/\s+/g, ' ').slice(0, 200)}`);
      if (verification)
        lines.push(
          `      ${verification.pass ? 'passed' : 'FAILED'} (${verification.method}): ${verification.reason}`,
        );
    }
  });
  lines.push(
    '',
    result.answer !== null ? `Answer: ${result.answer}` : 'Answer: (none)',
    `Stop reason: ${result.stopReason} (${result.stopDetail})`,
    `Usage: ${formatTotals(result.totals)}; ${result.totals.modelCalls} model calls, ${result.totals.toolCalls} tool calls`,
  );
  if (result.confidence !== undefined) lines.push(`Planner confidence: ${result.confidence}`);
  lines.push(...formatModelMoves(result, 'model call'), ...formatGuards(result));
  if (result.error) lines.push(`Error: ${result.error.type}: ${result.error.message}`);
  return lines.join('\n');
}
