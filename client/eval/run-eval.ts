import { mapWithConcurrency } from './concurrency.js';
import type { Client } from '@temporalio/client';
import type { RunCaps, RunTotals } from '../../common/run-contract.js';
import { answersMatch } from '../../common/answer-vote.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { emptyTotals } from '../../common/run-totals.js';
import { startRun } from '../llmos-client.js';
import type { EvalDataset, EvalItem } from './dataset.js';
import { accuracy, mean, summarizeLatencies, wilsonInterval, type LatencySummary } from './stats.js';

export type EvalWorkflow = 'agent' | 'psv';

export interface EvalConfig {
  workflow: EvalWorkflow;
  model: string;
  tools: string[];
  /** 1 runs the workflow itself; more runs self-consistency over that many samples. */
  samples: number;
  /** Sampling temperature when `samples` > 1. */
  temperature: number;
  /** The version of the workflow's main template (`agent.system` or `psv.plan`). */
  promptVersion: string;
  /** Items run at once. */
  concurrency: number;
  /** An answer counts as correct only if the run called this tool (GSM8K: arithmetic goes through the calculator). */
  requireTool?: string | undefined;
  caps?: Partial<RunCaps>;
  taskQueue?: string | undefined;
}

/** How one dataset item went. */
export interface ItemOutcome {
  id: string;
  expected: string;
  answer: string | null;
  correct: boolean;
  /** The self-consistency score; null for a single sample. */
  consistency: number | null;
  stopReason: string;
  /** Tool calls the run (all its samples and sub-agents) made. */
  toolCalls: number;
  totals: RunTotals;
  /** From the start of the run to its result, as the client saw it. */
  latencyMs: number;
  workflowId: string;
}

export interface EvalReport {
  promptVersion: string;
  prompt: PromptRef;
  items: ItemOutcome[];
  correct: number;
  accuracy: number;
  /** 95% Wilson interval of the accuracy. */
  interval: { low: number; high: number };
  /** Mean self-consistency score over the items; null for single samples. */
  consistency: number | null;
  /** Answers given without calling the required tool (counted as wrong). */
  withoutRequiredTool: number;
  totalTokens: number;
  costUsd: number;
  costComplete: boolean;
  latency: LatencySummary;
}

/** The template whose version an eval varies: the one that frames the whole task. */
export function evalPrompt(workflow: EvalWorkflow, version: string): PromptRef {
  return { id: workflow === 'agent' ? 'agent.system' : 'psv.plan', version };
}

interface RunOutcome {
  workflowId: string;
  answer: string | null;
  consistency: number | null;
  stopReason: string;
  totals: RunTotals;
}

/** Runs one item as the configured workflow and waits for its result. */
async function runItem(
  client: Client,
  config: EvalConfig,
  item: EvalItem,
  workflowId: string,
): Promise<RunOutcome> {
  const options = { workflowId, ...(config.taskQueue ? { taskQueue: config.taskQueue } : {}) };
  const prompt = evalPrompt(config.workflow, config.promptVersion);
  const caps = config.caps ?? {};
  const agent = { question: item.question, model: config.model, tools: config.tools, prompt, caps };
  const psv = {
    task: item.question,
    model: config.model,
    tools: config.tools,
    prompts: { plan: prompt },
    caps,
  };
  if (config.samples > 1) {
    const handle = await startRun(
      client,
      'self-consistency',
      {
        run:
          config.workflow === 'agent'
            ? { workflow: 'agent', request: agent }
            : { workflow: 'psv', request: psv },
        samples: config.samples,
        temperature: config.temperature,
        answerKind: item.kind,
      },
      options,
    );
    const result = await handle.result();
    return {
      workflowId,
      answer: result.answer,
      consistency: result.consistency,
      stopReason: result.stopReason,
      totals: result.totals,
    };
  }
  const handle =
    config.workflow === 'agent'
      ? await startRun(client, 'agent', agent, options)
      : await startRun(client, 'psv', psv, options);
  const result = await handle.result();
  return {
    workflowId,
    answer: result.answer,
    consistency: null,
    stopReason: result.stopReason,
    totals: result.totals,
  };
}

/**
 * Runs every item of a dataset through the configured workflow on a worker and scores the
 * answers. A run that fails counts as a wrong answer with its error as the stop reason, so one
 * bad item does not lose the rest of the evaluation.
 */
export async function runEval(
  client: Client,
  dataset: EvalDataset,
  config: EvalConfig,
  onItem: (outcome: ItemOutcome, done: number) => void = () => {},
): Promise<EvalReport> {
  const runId = crypto.randomUUID().slice(0, 8);
  let done = 0;
  const items = await mapWithConcurrency(dataset.items, config.concurrency, async (item) => {
    const workflowId = `eval-${runId}-${config.promptVersion}-${item.id}`;
    const started = performance.now();
    let run: RunOutcome;
    try {
      run = await runItem(client, config, item, workflowId);
    } catch (error) {
      run = {
        workflowId,
        answer: null,
        consistency: null,
        stopReason: `error: ${(error as Error).message}`,
        totals: emptyTotals,
      };
    }
    const usedRequiredTool = config.requireTool === undefined || run.totals.toolCalls > 0;
    const outcome: ItemOutcome = {
      id: item.id,
      expected: item.expected,
      answer: run.answer,
      correct: usedRequiredTool && answersMatch(run.answer, item.expected, item.kind),
      consistency: run.consistency,
      stopReason: run.stopReason,
      toolCalls: run.totals.toolCalls,
      totals: run.totals,
      latencyMs: Math.round(performance.now() - started),
      workflowId: run.workflowId,
    };
    done += 1;
    onItem(outcome, done);
    return outcome;
  });
  return summarize(config, items);
}

function summarize(config: EvalConfig, items: ItemOutcome[]): EvalReport {
  const correct = items.filter((item) => item.correct).length;
  const consistencies = items.flatMap((item) => (item.consistency === null ? [] : [item.consistency]));
  return {
    promptVersion: config.promptVersion,
    prompt: evalPrompt(config.workflow, config.promptVersion),
    items,
    correct,
    accuracy: accuracy(correct, items.length),
    interval: wilsonInterval(correct, items.length),
    consistency: consistencies.length > 0 ? mean(consistencies) : null,
    withoutRequiredTool:
      config.requireTool === undefined
        ? 0
        : items.filter((item) => item.answer !== null && item.toolCalls === 0).length,
    totalTokens: items.reduce((sum, item) => sum + item.totals.totalTokens, 0),
    costUsd: items.reduce((sum, item) => sum + item.totals.costUsd, 0),
    costComplete: items.every((item) => item.totals.costComplete),
    latency: summarizeLatencies(items.map((item) => item.latencyMs)),
  };
}
