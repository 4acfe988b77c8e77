import type { Client } from '@temporalio/client';
import { feedbackOfMemo, feedbackSinceQuery, summarizeScores } from '../../common/feedback.js';
import type { MonitorMetric, MonitorReading } from '../../common/monitors.js';
import { percentile } from '../../common/percentile.js';
import {
  failedRunStatuses,
  runDurationMs,
  runsSinceQuery,
  topLevelJobKind,
} from '../../common/run-window.js';
import { LlmosCostUsd } from '../../common/search-attributes.js';

/** What the monitors read of one top-level run. */
interface WindowRun {
  startedAt: number;
  status: string;
  durationMs?: number;
  costUsd: number;
}

/** The value of `metric` over `runs` (and `scores`) of a window `windowMs` long; null with nothing to judge. */
function readingOf(
  metric: MonitorMetric,
  runs: readonly WindowRun[],
  scores: readonly number[],
  windowMs: number,
): { value: number | null; samples: number } {
  const closed = runs.filter((run) => run.status !== 'RUNNING');
  switch (metric) {
    case 'response_quality': {
      const { count, meanScore } = summarizeScores(scores);
      return { value: meanScore, samples: count };
    }
    case 'token_cost_per_hour':
      return {
        value: runs.reduce((sum, run) => sum + run.costUsd, 0) / (windowMs / 3_600_000),
        samples: runs.length,
      };
    case 'p95_latency_ms': {
      const durations = closed.flatMap((run) => (run.durationMs === undefined ? [] : [run.durationMs]));
      return { value: durations.length === 0 ? null : percentile(durations, 95), samples: durations.length };
    }
    case 'error_rate':
      return {
        value:
          closed.length === 0
            ? null
            : closed.filter((run) => failedRunStatuses.has(run.status)).length / closed.length,
        samples: closed.length,
      };
  }
}

/**
 * Reads each monitor's value from Temporal's visibility: the top-level job runs that started in
 * its window (on `taskQueue` when given), with their status, duration and the spend their search
 * attributes kept (failed runs too), and the feedback given on them. One listing for the widest
 * window. Reads only: retried freely. Its values depend on when it runs, which is why it is an
 * activity: the workflow judges what it returned.
 */
export function createMonitorReadings(client: () => Promise<Client>) {
  return async function readMonitorReadings(input: {
    monitors: { name: string; metric: MonitorMetric; windowMs: number }[];
    taskQueue?: string | undefined;
  }): Promise<MonitorReading[]> {
    const temporal = await client();
    const now = Date.now();
    const since = new Date(now - Math.max(...input.monitors.map((monitor) => monitor.windowMs)));
    const runs = new Map<string, WindowRun>();
    for await (const info of temporal.workflow.list({
      query: runsSinceQuery({ since, taskQueue: input.taskQueue }),
    })) {
      if (topLevelJobKind(info) === undefined) continue;
      const durationMs = runDurationMs(info);
      runs.set(info.workflowId, {
        startedAt: info.startTime.getTime(),
        status: info.status.name,
        ...(durationMs !== undefined ? { durationMs } : {}),
        costUsd: info.typedSearchAttributes.get(LlmosCostUsd) ?? 0,
      });
    }
    const scores: { workflowId: string; score: number }[] = [];
    for await (const info of temporal.workflow.list({ query: feedbackSinceQuery(since) })) {
      const feedback = feedbackOfMemo(info.memo);
      if (feedback) scores.push(feedback);
    }
    return input.monitors.map(({ name, metric, windowMs }) => {
      const from = now - windowMs;
      const inWindow = [...runs.entries()].filter(([, run]) => run.startedAt >= from);
      const ids = new Set(inWindow.map(([id]) => id));
      const windowScores = scores.filter((given) => ids.has(given.workflowId)).map((given) => given.score);
      return {
        name,
        metric,
        ...readingOf(
          metric,
          inWindow.map(([, run]) => run),
          windowScores,
          windowMs,
        ),
      };
    });
  };
}
