import { InvalidArgumentError, type Command } from 'commander';
import { parseDurationMs } from '../common/durations.js';

export function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new InvalidArgumentError(`"${value}" is not a positive whole number.`);
  return number;
}

export function positiveNumber(value: string): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new InvalidArgumentError(`"${value}" is not a positive number.`);
  return number;
}

export function duration(value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined) throw new InvalidArgumentError(`"${value}" is not a duration such as 90s, 5m or 1h.`);
  return ms;
}

export function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/** Cap flags shared by `agent` and `raise`, as a partial caps object. */
export interface CapFlags {
  maxIterations?: number;
  maxTokens?: number;
  maxCost?: number;
  deadline?: number;
}

export function capsFromFlags(flags: CapFlags) {
  return {
    ...(flags.maxIterations !== undefined ? { maxIterations: flags.maxIterations } : {}),
    ...(flags.maxTokens !== undefined ? { maxTotalTokens: flags.maxTokens } : {}),
    ...(flags.maxCost !== undefined ? { maxCostUsd: flags.maxCost } : {}),
    ...(flags.deadline !== undefined ? { maxWallTimeMs: flags.deadline } : {}),
  };
}

/**
 * Adds --max-iterations, --max-tokens, --max-cost and --deadline (read back with
 * `capsFromFlags`). `scope` ends each description, e.g. " per run".
 */
export function addCapOptions(command: Command, scope = '', iterationsNote = ''): Command {
  return command
    .option('--max-iterations <n>', `cap on model calls${iterationsNote}${scope}`, positiveInteger)
    .option('--max-tokens <n>', `cap on input + output tokens${scope}`, positiveInteger)
    .option('--max-cost <usd>', `cap on spend in US dollars${scope}`, positiveNumber)
    .option('--deadline <duration>', `cap on wall time${scope}, e.g. 90s or 5m`, duration);
}
