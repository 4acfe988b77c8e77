import type { Command } from 'commander';
import { connectionFlags, duration, type ConnectionOptionValues } from '../cli-options.js';

export function registerCostCommand(program: Command): void {
  program
    .command('cost')
    .description(
      'Spend by day, workflow type and model, with what the response cache saved, from finished runs',
    )
    .option('--since <duration>', 'how far back to look, e.g. 24h, 7d', duration, 7 * 24 * 3_600_000)
    .option('--json', 'print the summary as JSON')
    .action(async (flags: { since: number; json?: boolean } & ConnectionOptionValues) => {
      const [
        { connectClient },
        { summarizeCosts, formatCostSummary },
        { withTraceReader },
        { readRecordedRuns },
      ] = await Promise.all([
        import('../llmos-client.js'),
        import('../cost-summary.js'),
        import('../follow-agent.js'),
        import('../recorded-runs.js'),
      ]);
      const client = await connectClient(connectionFlags(flags));
      const since = new Date(Date.now() - flags.since).toISOString();
      const { runs, unreadable } = await withTraceReader((read) =>
        readRecordedRuns(client, { since: new Date(since), completedOnly: true, read }),
      );
      const summary = summarizeCosts(runs);
      if (flags.json) {
        console.log(JSON.stringify({ since, runs: runs.length, unreadable, ...summary }, null, 2));
        return;
      }
      console.log(
        `Finished runs since ${since}: ${runs.length}${unreadable ? ` (${unreadable} unreadable)` : ''}\n`,
      );
      console.log(formatCostSummary(summary));
    });
}
