import type { Command } from 'commander';
import { connectionFlags, duration, type ConnectionOptionValues } from '../cli-options.js';

export function registerStatsCommand(program: Command): void {
  program
    .command('stats')
    .description(
      'Requests, error rate, latency percentiles, tokens, cost and cache hit rate of the runs of a time window, by workflow kind, model and prompt version',
    )
    .option('--since <duration>', 'how far back to look, e.g. 1h, 24h, 7d', duration, 24 * 3_600_000)
    .option('--task-queue <name>', "only the runs of one task queue (one deployment's workers)")
    .option('--json', 'print the stats as JSON')
    .action(async (flags: { since: number; taskQueue?: string; json?: boolean } & ConnectionOptionValues) => {
      if (flags.taskQueue !== undefined && !/^[\w.:@/-]+$/.test(flags.taskQueue))
        throw new Error(
          `--task-queue: "${flags.taskQueue}" is not a task queue name (letters, digits, _ . : @ / -)`,
        );
      const [
        { connectClient },
        { withTraceReader },
        { readRecordedRuns },
        { summarizeRuns },
        { formatRunStats },
        { formatMonitorState, monitorState },
      ] = await Promise.all([
        import('../llmos-client.js'),
        import('../follow-agent.js'),
        import('../recorded-runs.js'),
        import('../run-stats.js'),
        import('../format-run-stats.js'),
        import('../monitors.js'),
      ]);
      const client = await connectClient(connectionFlags(flags));
      const since = new Date(Date.now() - flags.since);
      const { runs, unreadable } = await withTraceReader((read) =>
        readRecordedRuns(client, { since, taskQueue: flags.taskQueue, feedback: true, read }),
      );
      const stats = summarizeRuns(runs);
      // What the monitors did (models switched, the scale-up flag): the runs above ran under it.
      const monitors = await monitorState(client).catch((error: unknown) => ({
        unreadable: (error as Error).message,
      }));
      if (flags.json) {
        console.log(
          JSON.stringify(
            { since: since.toISOString(), runs: runs.length, unreadable, ...stats, monitors },
            null,
            2,
          ),
        );
        return;
      }
      console.log(
        `Runs since ${since.toISOString()}: ${runs.length}${unreadable ? ` (${unreadable} completed runs unreadable)` : ''}`,
      );
      console.log(formatRunStats(stats));
      console.log('Monitors');
      for (const line of 'unreadable' in monitors
        ? [`the monitors' state cannot be read: ${monitors.unreadable}`]
        : formatMonitorState(monitors))
        console.log(`  ${line}`);
    });
}
