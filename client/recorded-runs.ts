import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { AgentResult, AgentStep } from '../common/agent.js';
import type { RunTotals } from '../common/run-contract.js';
import { runDurationMs, runsSinceQuery, topLevelJobKind } from '../common/run-window.js';
import { LlmosCostUsd, LlmosModel, LlmosStopReason, LlmosTotalTokens } from '../common/search-attributes.js';
import { withWholeTrace, type ReadTraceSegment } from './agent-trace.js';
import { feedbackSince } from './feedback.js';

/** One model call a run's trace kept (agent and PSV runs). */
export interface RecordedCall {
  model: string;
  costUsd: number;
  tokens: number;
  cached: boolean;
  cacheSavedUsd: number;
  latencyMs: number;
  /** `id@version` of the template the call's conversation was rendered from. */
  prompt?: string;
}

/** What a run spent: its result's totals when it completed, else what its search attributes kept. */
export type RecordedTotals = Pick<
  RunTotals,
  'totalTokens' | 'costUsd' | 'modelCalls' | 'cacheHits' | 'cacheSavedUsd'
>;

/** One top-level run, as Temporal recorded it. */
export interface RecordedRun {
  workflowId: string;
  /** UTC day the run started, `YYYY-MM-DD`. */
  day: string;
  workflowType: string;
  kind: string;
  /** The model the run was started with (an alias stays an alias); `(not recorded)` when unknown. */
  model: string;
  /** Temporal's execution status: `COMPLETED`, `FAILED`, `TERMINATED`, `TIMED_OUT`, `CANCELLED`, `RUNNING`. */
  status: string;
  stopReason?: string;
  /** From start to close, for a closed run. */
  durationMs?: number;
  totals: RecordedTotals;
  /** Whether `totals` come from the run's result (complete) or its search attributes (spend and tokens only). */
  fromResult: boolean;
  /** Per-call spend where the run kept a trace of its model calls. */
  calls?: RecordedCall[];
  /** The scores people gave the run (`llmos feedback`). */
  feedbackScores?: number[];
}

function callsOf(trace: AgentStep[] | undefined): RecordedCall[] | undefined {
  return trace?.flatMap((step) =>
    step.kind === 'model'
      ? [
          {
            model: step.model,
            costUsd: step.costUsd ?? 0,
            tokens: step.usage.inputTokens + step.usage.outputTokens,
            cached: step.cacheHit !== undefined,
            cacheSavedUsd: step.cacheHit?.savedUsd ?? 0,
            latencyMs: step.latencyMs,
            ...(step.prompt ? { prompt: `${step.prompt.id}@${step.prompt.version}` } : {}),
          },
        ]
      : [],
  );
}

/** A run's spend as its search attributes kept it while it ran (failed and stopped runs keep theirs). */
function totalsFromAttributes(info: WorkflowExecutionInfo): RecordedTotals {
  return {
    costUsd: info.typedSearchAttributes.get(LlmosCostUsd) ?? 0,
    totalTokens: info.typedSearchAttributes.get(LlmosTotalTokens) ?? 0,
    modelCalls: 0,
    cacheHits: 0,
    cacheSavedUsd: 0,
  };
}

/**
 * The top-level job runs started since `since` (a child's spend is in its parent's), newest
 * first: each with its status, duration and spend, and for a completed run its result's totals
 * and traced model calls (a long run's earlier steps read with `read`). An execution that
 * continued as new is left out: the run it became carries its totals. `completedOnly`: only runs
 * that completed; `taskQueue`: only runs on that queue (a name without quotes); `feedback`: with
 * the scores people gave each run (one more listing). A completed run whose result cannot be read
 * counts in `unreadable`.
 */
export async function readRecordedRuns(
  client: Client,
  options: {
    since: Date;
    completedOnly?: boolean;
    taskQueue?: string | undefined;
    feedback?: boolean;
    read: ReadTraceSegment;
  },
): Promise<{ runs: RecordedRun[]; unreadable: number }> {
  const runs: RecordedRun[] = [];
  let unreadable = 0;
  // Feedback comes after its run started: what was given since the window opened covers its runs.
  const feedback = options.feedback ? await feedbackSince(client, options.since) : new Map<string, never>();
  for await (const info of client.workflow.list({ query: runsSinceQuery(options) })) {
    const kind = topLevelJobKind(info);
    if (kind === undefined) continue;
    const durationMs = runDurationMs(info);
    const stopReason = info.typedSearchAttributes.get(LlmosStopReason);
    const run: RecordedRun = {
      workflowId: info.workflowId,
      day: info.startTime.toISOString().slice(0, 10),
      workflowType: info.type,
      kind,
      model: info.typedSearchAttributes.get(LlmosModel) ?? '(not recorded)',
      status: info.status.name,
      ...(stopReason ? { stopReason } : {}),
      ...(durationMs !== undefined ? { durationMs } : {}),
      totals: totalsFromAttributes(info),
      fromResult: false,
    };
    const scores = feedback.get(info.workflowId)?.map((given) => given.score);
    if (scores) run.feedbackScores = scores;
    if (info.status.name === 'COMPLETED') {
      let result: { totals?: RunTotals; trace?: AgentStep[]; traceSegments?: unknown[] } | undefined;
      try {
        result = (await client.workflow.getHandle(info.workflowId, info.runId).result()) as typeof result;
        // A long agent run's earlier steps, a PSV run's whole trace, are in the blob store.
        if (result?.traceSegments) result = await withWholeTrace(result as AgentResult, options.read);
      } catch {
        unreadable += 1;
        continue;
      }
      if (result?.totals) {
        run.totals = result.totals;
        run.fromResult = true;
      }
      const calls = callsOf(result?.trace);
      if (calls) run.calls = calls;
    }
    runs.push(run);
  }
  return { runs, unreadable };
}
