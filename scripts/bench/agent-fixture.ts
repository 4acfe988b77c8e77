import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AgentRequest, AgentStep } from '../../common/agent.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';

/**
 * A rule-based script for a run of exactly `steps` model calls: the calls at steps 0..steps-2
 * each ask for one calculator call, the call at step steps-1 answers. Any further call finds the
 * script exhausted and fails the run, so a miscounted run cannot pass unnoticed.
 */
export function agentStepScript(steps: number): FakeLlmScript {
  const toolRules = Array.from({ length: steps - 1 }, (_, step) => ({
    match: { step },
    reply: { toolCalls: [{ name: 'calculator', arguments: { expression: `${step} + 1` } }] },
  }));
  return {
    rules: [...toolRules, { match: { step: steps - 1 }, reply: { text: 'Counted to {{lastToolResult}}.' } }],
  };
}

/**
 * Writes the script into `directory` and returns the model reference that reads it,
 * `scripted:steps-<n>`, for a worker whose `LLMOS_SCRIPTS_DIRECTORY` is `directory`: a name as
 * short as a real model's, so history sizes are not inflated by a long file path.
 */
export async function writeAgentStepScript(directory: string, steps: number): Promise<string> {
  await writeFile(
    path.join(directory, `steps-${steps}.json`),
    JSON.stringify(agentStepScript(steps), null, 2),
  );
  return `scripted:steps-${steps}`;
}

export function agentStepRequest(model: string, steps: number): AgentRequest {
  return {
    question: `Count to ${steps - 1} with the calculator, one step at a time.`,
    model,
    tools: ['calculator'],
    // Caps that a benchmark run never reaches: the script, not a cap, ends the run.
    caps: {
      maxIterations: steps + 1,
      maxTotalTokens: 1_000_000_000,
      maxCostUsd: 1_000,
      maxWallTimeMs: 10 * 60_000,
    },
  };
}

/** What every run must look like, through Temporal or not: `steps` model calls, one good tool call each but the last. */
export function checkRun(
  where: string,
  steps: number,
  result: { stopReason: string; iterations: number; trace: AgentStep[] },
): void {
  const tools = result.trace.filter((step) => step.kind === 'tool');
  const failed = tools.filter((step) => !step.ok).length;
  if (
    result.stopReason !== 'answer' ||
    result.iterations !== steps ||
    tools.length !== steps - 1 ||
    failed > 0
  ) {
    throw new Error(
      `${where}: expected an answer after ${steps} model calls and ${steps - 1} good tool calls, got ` +
        `${result.stopReason} after ${result.iterations} model calls and ${tools.length} tool calls (${failed} failed)`,
    );
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const low = sorted[Math.ceil(middle) - 1];
  const high = sorted[Math.floor(middle)];
  if (low === undefined || high === undefined) throw new Error('median of no values');
  return (low + high) / 2;
}

/** Nearest-rank percentile of `values` (0 < p <= 100). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const value = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  if (value === undefined) throw new Error('percentile of no values');
  return value;
}

/** A command-line number that must be a whole number of 1 or more, or an error that names the flag. */
export function positiveInt(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer (got "${text}")`);
  return value;
}
