import type { Command } from 'commander';
import type { AgentResult, AgentStep } from '../../common/agent.js';
import type { RunTotals } from '../../common/run-contract.js';
import { LlmosModel } from '../../common/search-attributes.js';
import { connectionFlags, duration, type ConnectionOptionValues } from '../cli-options.js';
import type { RecordedRun } from '../cost-summary.js';

/** Workflow types whose results carry run totals; ledgers and the like are left out. */
const costedTypes = new Set([
  'reactAgentWorkflow',
  'planSolveVerifyWorkflow',
  'selfConsistencyWorkflow',
  'nl2sqlWorkflow',
  'analyzeCorpusWorkflow',
  'analyzeDocumentWorkflow',
]);

export function registerCostCommand(program: Command): void {
  program
    .command('cost')
    .description(
      'Spend by day, workflow type and model, with what the response cache saved, from finished runs',
    )
    .option('--since <duration>', 'how far back to look, e.g. 24h, 7d', duration, 7 * 24 * 3_600_000)
    .option('--json', 'print the summary as JSON')
    .action(async (flags: { since: number; json?: boolean } & ConnectionOptionValues) => {
      const [{ connectClient, withWholeTrace }, { summarizeCosts, formatCostSummary }, { withTraceReader }] =
        await Promise.all([
          import('../llmos-client.js'),
          import('../cost-summary.js'),
          import('../follow-agent.js'),
        ]);
      const client = await connectClient(connectionFlags(flags));
      const since = new Date(Date.now() - flags.since).toISOString();
      const runs: RecordedRun[] = [];
      let unreadable = 0;
      await withTraceReader(async (read) => {
        for await (const info of client.workflow.list({
          query: `StartTime >= '${since}' AND ExecutionStatus = 'Completed'`,
        })) {
          // A child's spend is in its parent's totals already.
          if (!costedTypes.has(info.type) || info.parentExecution) continue;
          let result: { totals?: RunTotals; trace?: AgentStep[]; traceSegments?: unknown[] };
          try {
            result = (await client.workflow.getHandle(info.workflowId, info.runId).result()) as typeof result;
            // A long agent run's earlier steps, a PSV run's whole trace, are in the blob store.
            if (result?.traceSegments) result = await withWholeTrace(result as AgentResult, read);
          } catch {
            unreadable += 1;
            continue;
          }
          if (!result?.totals) continue;
          const calls = result.trace?.flatMap((step) =>
            step.kind === 'model'
              ? [
                  {
                    model: step.model,
                    costUsd: step.costUsd ?? 0,
                    tokens: step.usage.inputTokens + step.usage.outputTokens,
                    cached: step.cacheHit !== undefined,
                    cacheSavedUsd: step.cacheHit?.savedUsd ?? 0,
                  },
                ]
              : [],
          );
          runs.push({
            day: info.startTime.toISOString().slice(0, 10),
            workflowType: info.type,
            model: info.typedSearchAttributes.get(LlmosModel) ?? '(not recorded)',
            totals: result.totals,
            ...(calls ? { calls } : {}),
          });
        }
      });
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
