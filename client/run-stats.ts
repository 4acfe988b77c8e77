/** `llmos stats`: the runs of a time window summed by workflow kind, model and prompt version. Pure. */
import { summarizeScores } from '../common/feedback.js';
import { failedRunStatuses } from '../common/run-window.js';
import { summarizeLatencies, type LatencySummary } from './eval/stats.js';
import type { RecordedCall, RecordedRun } from './recorded-runs.js';

export interface StatsRow {
  key: string;
  /** Runs that started in the window (running ones included). */
  runs: number;
  /** Closed runs that did not complete: failed, terminated, timed out or cancelled. */
  failed: number;
  /** `failed` over the closed runs; null with none closed. */
  errorRate: number | null;
  /** Start to close of the closed runs, in milliseconds. */
  runLatency: LatencySummary;
  /** The provider time of each traced model call, in milliseconds. */
  callLatency: LatencySummary;
  modelCalls: number;
  tokens: number;
  costUsd: number;
  costPerRunUsd: number | null;
  costPerCallUsd: number | null;
  cacheHits: number;
  /** Cache hits over model calls; null with no calls counted. */
  cacheHitRate: number | null;
  /** The feedback people gave these runs: how many scores, and their mean (null with none). */
  feedback: { count: number; meanScore: number | null };
}

export interface RunStats {
  total: StatsRow;
  byKind: StatsRow[];
  byModel: StatsRow[];
  byPrompt: StatsRow[];
  /** How many runs ended each way (`COMPLETED`, `FAILED`, ...), and how completed runs stopped. */
  statuses: Record<string, number>;
  stopReasons: Record<string, number>;
}

/** What one row adds up before its rates are worked out. */
interface Tally {
  runs: Set<string>;
  failed: Set<string>;
  closed: Set<string>;
  runLatencies: number[];
  callLatencies: number[];
  modelCalls: number;
  tokens: number;
  costUsd: number;
  cacheHits: number;
  feedbackScores: number[];
}

class Tallies {
  private readonly rows = new Map<string, Tally>();

  private tally(key: string): Tally {
    let row = this.rows.get(key);
    if (!row) {
      row = emptyTally();
      this.rows.set(key, row);
    }
    return row;
  }

  /** The run as one of this row's: counted, and its outcome and duration. */
  addRun(key: string, run: RecordedRun): void {
    const row = this.tally(key);
    if (row.runs.has(run.workflowId)) return;
    row.runs.add(run.workflowId);
    if (run.status !== 'RUNNING') row.closed.add(run.workflowId);
    if (failedRunStatuses.has(run.status)) row.failed.add(run.workflowId);
    if (run.durationMs !== undefined) row.runLatencies.push(run.durationMs);
    row.feedbackScores.push(...(run.feedbackScores ?? []));
  }

  /** The run's spend as a whole (an untraced run). */
  addSpend(key: string, run: RecordedRun): void {
    const row = this.tally(key);
    row.modelCalls += run.totals.modelCalls;
    row.tokens += run.totals.totalTokens;
    row.costUsd += run.totals.costUsd;
    row.cacheHits += run.totals.cacheHits;
  }

  /** One traced call's spend and latency (a cache hit's is the cache's: left out). */
  addCall(key: string, call: RecordedCall): void {
    const row = this.tally(key);
    row.modelCalls += 1;
    row.tokens += call.tokens;
    row.costUsd += call.costUsd;
    if (call.cached) row.cacheHits += 1;
    this.addCallLatency(key, call);
  }

  /** Only a traced call's latency: a row that took the run's spend whole. */
  addCallLatency(key: string, call: RecordedCall): void {
    if (!call.cached) this.tally(key).callLatencies.push(call.latencyMs);
  }

  finish(): StatsRow[] {
    return [...this.rows.entries()]
      .map(([key, row]) => statsRow(key, row))
      .sort((a, b) => b.costUsd - a.costUsd || b.runs - a.runs || a.key.localeCompare(b.key));
  }
}

function statsRow(key: string, row: Tally): StatsRow {
  const runs = row.runs.size;
  return {
    key,
    runs,
    failed: row.failed.size,
    errorRate: row.closed.size === 0 ? null : row.failed.size / row.closed.size,
    runLatency: summarizeLatencies(row.runLatencies),
    callLatency: summarizeLatencies(row.callLatencies),
    modelCalls: row.modelCalls,
    tokens: row.tokens,
    costUsd: row.costUsd,
    costPerRunUsd: runs === 0 ? null : row.costUsd / runs,
    costPerCallUsd: row.modelCalls === 0 ? null : row.costUsd / row.modelCalls,
    cacheHits: row.cacheHits,
    cacheHitRate: row.modelCalls === 0 ? null : row.cacheHits / row.modelCalls,
    feedback: summarizeScores(row.feedbackScores),
  };
}

/**
 * Sums the runs: every run counts in the total and under its kind with its whole spend (a failed
 * or stopped run with what its search attributes kept). By model and by prompt version, a run
 * whose model calls were traced is split over the calls (a fallback moves spend to the next
 * model); an untraced run counts under the model it was started with, and under no prompt.
 */
export function summarizeRuns(runs: readonly RecordedRun[]): RunStats {
  const total = new Tallies();
  const byKind = new Tallies();
  const byModel = new Tallies();
  const byPrompt = new Tallies();
  const statuses: Record<string, number> = {};
  const stopReasons: Record<string, number> = {};
  for (const run of runs) {
    statuses[run.status] = (statuses[run.status] ?? 0) + 1;
    if (run.status === 'COMPLETED' && run.stopReason)
      stopReasons[run.stopReason] = (stopReasons[run.stopReason] ?? 0) + 1;
    for (const [tallies, key] of [
      [total, 'total'],
      [byKind, run.kind],
    ] as const) {
      tallies.addRun(key, run);
      tallies.addSpend(key, run);
      for (const call of run.calls ?? []) tallies.addCallLatency(key, call);
    }
    if (!run.calls || run.calls.length === 0) {
      byModel.addRun(run.model, run);
      byModel.addSpend(run.model, run);
      continue;
    }
    for (const call of run.calls) {
      byModel.addRun(call.model, run);
      byModel.addCall(call.model, call);
      if (call.prompt) {
        byPrompt.addRun(call.prompt, run);
        byPrompt.addCall(call.prompt, call);
      }
    }
  }
  return {
    total: total.finish()[0] ?? statsRow('total', emptyTally()),
    byKind: byKind.finish(),
    byModel: byModel.finish(),
    byPrompt: byPrompt.finish(),
    statuses,
    stopReasons,
  };
}

function emptyTally(): Tally {
  return {
    runs: new Set(),
    failed: new Set(),
    closed: new Set(),
    runLatencies: [],
    callLatencies: [],
    modelCalls: 0,
    tokens: 0,
    costUsd: 0,
    cacheHits: 0,
    feedbackScores: [],
  };
}
