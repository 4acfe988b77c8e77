import type { PendingApproval } from '../common/approvals.js';
import type { CitationReport } from '../common/citations.js';
import type { GuardedResult } from '../common/guards.js';
import type { AgentProgress, AgentResult, AgentStep } from '../common/agent.js';
import type { ModelFallback, RunTotals } from '../common/run-contract.js';
import type { RouteDecision } from '../common/route-request.js';
import { plural } from '../common/plural.js';

export function formatCost(totals: RunTotals): string {
  return `$${totals.costUsd.toFixed(6)}${totals.costComplete ? '' : ' (some calls had no known price)'}`;
}

export function formatTotals(totals: RunTotals): string {
  const { inputTokens, outputTokens, cachedInputTokens } = totals.usage;
  const saved =
    totals.cacheHits > 0
      ? `; ${totals.cacheHits} from the response cache, saving $${totals.cacheSavedUsd.toFixed(6)}`
      : '';
  return `${totals.totalTokens} tokens (${inputTokens} in, ${cachedInputTokens} cached, ${outputTokens} out), ${formatCost(totals)}${saved}`;
}

/** `text` on one line, shortened to `limit` characters. */
export function oneLine(text: string, limit = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

/** One line per trace step, as `llmos agent` prints them while it follows a run. */
export function formatStep(step: AgentStep): string {
  switch (step.kind) {
    case 'model': {
      const cost = step.cacheHit
        ? `${step.cacheHit.similarity === undefined ? 'cached' : `cached by meaning (similarity ${step.cacheHit.similarity.toFixed(3)})`}, saved ${step.cacheHit.savedUsd === null ? 'an unknown amount' : `$${step.cacheHit.savedUsd.toFixed(6)}`}`
        : step.costUsd === null
          ? 'price unknown'
          : `$${step.costUsd.toFixed(6)}`;
      const action =
        step.toolCalls.length > 0
          ? `calls ${step.toolCalls.map((call) => `${call.name}(${oneLine(call.arguments, 80)})`).join(', ')}`
          : `says: ${oneLine(step.text)}`;
      const route = step.route ? `, ${step.route.complexity} route` : '';
      const fit = step.contextFit
        ? `, fitted to the context window from ${step.contextFit.fromTokens} tokens`
        : '';
      return `  [${step.iteration}] model ${step.model} ${action}  (${step.usage.inputTokens}+${step.usage.outputTokens} tokens, ${cost}, ${step.latencyMs} ms${route}${fit})`;
    }
    case 'tool':
      return `  [${step.iteration}] tool ${step.toolName} ${step.ok ? '->' : 'rejected:'} ${oneLine(step.observation)}  (${step.latencyMs} ms)`;
    case 'caps_raised':
      return `  [${step.iteration}] caps raised: ${JSON.stringify(step.caps)}`;
  }
}

/**
 * The route `auto` took and each move down the model chain, one line each, as every command
 * prints them. `at` names what a move's number counts: agent iterations, or a run's model calls.
 */
export function formatModelMoves(
  result: { route?: RouteDecision | undefined; fallbacks?: ModelFallback[] | undefined },
  at = 'iteration',
): string[] {
  return [
    ...(result.route
      ? [`Route: ${result.route.complexity} -> ${result.route.model} (${result.route.reasons.join('; ')})`]
      : []),
    // Absent from results of runs recorded before fallback chains.
    ...(result.fallbacks ?? []).map(
      (fallback) =>
        `Fell back at ${at} ${fallback.iteration}: ${fallback.from} -> ${fallback.to} (${oneLine(fallback.reason)})`,
    ),
  ];
}

/** A line per guard verdict that did more than pass a text: `Guard: mask on the question (input): personal data: 1 EMAIL_ADDRESS`. */
export function formatGuards(result: GuardedResult): string[] {
  return (result.guards ?? []).map(
    (step) =>
      `Guard: ${step.verdict} on the ${step.subject} (${step.stage}): ${oneLine(step.reasons.join('; '))}`,
  );
}

export function formatResult(result: AgentResult): string {
  const lines = [
    '',
    result.answer !== null ? `Answer: ${result.answer}` : 'Answer: (none)',
    `Stop reason: ${result.stopReason} (${result.stopDetail})`,
    `Iterations: ${result.iterations} of ${result.caps.maxIterations}`,
    `Usage: ${formatTotals(result.totals)}; ${plural(result.totals.modelCalls, 'model call')}, ${plural(result.totals.toolCalls, 'tool call')}`,
  ];
  lines.push(...formatModelMoves(result));
  lines.push(...formatGuards(result));
  lines.push(...formatCitations(result.citations));
  if (result.error) lines.push(`Error: ${result.error.type}: ${result.error.message}`);
  return lines.join('\n');
}

/** `Citations: 3 claims of 4 supported by the passages they cite, ...` and a line per claim that is not. */
function formatCitations(report: CitationReport | undefined): string[] {
  if (!report) return [];
  const judge = report.judge
    ? report.judge.unusable
      ? `; the entailment judge (${report.judge.model}) gave no verdict: ${report.judge.unusable}`
      : `; entailment judged by ${report.judge.model}`
    : '';
  const removed = report.removed ? `; ${report.removed} removed from the answer` : '';
  return [
    `Citations: ${report.supported} of ${plural(report.claims.length, 'claim')} supported by the passages they cite; ${report.unsupported} unsupported, ${report.uncited} uncited (${plural(report.retrieved, 'passage')} retrieved)${judge}${removed}`,
    ...report.claims
      .filter((claim) => claim.status !== 'supported')
      .map(
        (claim) =>
          `  ${claim.status}: ${oneLine(claim.claim)}${claim.entailment ? ` (judge: ${oneLine(claim.entailment.reason)})` : ''}`,
      ),
  ];
}

/** A tool call that waits for a person, and the commands that decide on it. */
export function formatAwaitingApproval(call: PendingApproval): string {
  return [
    `  waiting for approval: ${call.tool}(${oneLine(call.arguments, 80)}), until ${call.expiresAt}`,
    `    npx llmos approve ${call.toolCallId}   or   npx llmos decline ${call.toolCallId} --reason "..."`,
  ].join('\n');
}

export function formatWaiting(progress: AgentProgress, workflowId: string): string {
  return [
    '',
    `Stopped on a cap: ${progress.stopReason} (${progress.stopDetail})`,
    `Usage so far: ${formatTotals(progress.totals)}`,
    `The run waits for raised caps. Continue it with, for example:`,
    `  npx llmos raise ${workflowId} --max-iterations ${progress.caps.maxIterations * 2}`,
  ].join('\n');
}
