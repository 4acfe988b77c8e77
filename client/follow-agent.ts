import type { AgentResult } from '../common/agent.js';
import { formatResult, formatStep, formatWaiting } from './format-agent.js';
import { followAgentRun, type AgentHandle } from './llmos-client.js';

/** Exit codes of `agent` and `raise`: scripts can tell an answer from a stop without one. */
export const exitCodes = { answer: 0, error: 1, stoppedOnCap: 3 } as const;

/** Follows a run, printing each step as it happens; returns the exit code for the outcome. */
export async function followAndPrint(
  handle: AgentHandle,
  options: { json: boolean; sinceStep?: number },
): Promise<number> {
  // Ctrl-C stops following, not the run: it goes on in Temporal and can be followed again.
  const onInterrupt = () => {
    console.error(`\nStopped following. The run goes on; see it with: npx llmos status ${handle.workflowId}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  let outcome;
  try {
    outcome = await followAgentRun(
      handle,
      (steps) => {
        if (!options.json) for (const step of steps) console.log(formatStep(step));
      },
      options.sinceStep !== undefined ? { sinceStep: options.sinceStep } : {},
    );
  } finally {
    process.off('SIGINT', onInterrupt);
  }
  if (outcome.kind === 'waiting_for_caps') {
    console.log(
      options.json
        ? JSON.stringify(outcome.progress, null, 2)
        : formatWaiting(outcome.progress, handle.workflowId),
    );
    return exitCodes.stoppedOnCap;
  }
  printResult(outcome.result, options.json);
  return exitCodeFor(outcome.result);
}

export function printResult(result: AgentResult, json: boolean): void {
  console.log(json ? JSON.stringify(result, null, 2) : formatResult(result));
}

export function exitCodeFor(result: AgentResult): number {
  if (result.stopReason === 'answer') return exitCodes.answer;
  return result.stopReason === 'error' ? exitCodes.error : exitCodes.stoppedOnCap;
}
