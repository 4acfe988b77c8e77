import type { Command } from 'commander';
import {
  capsFromFlags,
  connectionFlags,
  duration,
  positiveInteger,
  positiveNumber,
  type CapFlags,
  type ConnectionOptionValues,
} from '../cli-options.js';
import { formatStep, formatTotals } from '../format-agent.js';

export function registerStatusCommands(program: Command): void {
  program
    .command('status')
    .description('Show the state of a run: progress while it runs, the result once it has finished')
    .argument('<workflow-id>')
    .option('--json', 'print as JSON')
    .action(async (workflowId: string, flags: { json?: boolean } & ConnectionOptionValues) => {
      const [
        { connectClient, getAgentHandle, queryAgentProgress, stepsSince },
        { exitCodeFor, printResult, withTraceReader },
      ] = await Promise.all([import('../llmos-client.js'), import('../follow-agent.js')]);
      const handle = getAgentHandle(await connectClient(connectionFlags(flags)), workflowId);
      const description = await handle.describe();
      if (description.status.name === 'RUNNING') {
        const { storedSteps, ...progress } = await queryAgentProgress(handle, 0);
        // A long run's earlier steps are in the blob store.
        progress.steps = await withTraceReader((read) =>
          stepsSince({ steps: progress.steps, storedSteps }, 0, read),
        );
        if (flags.json) return console.log(JSON.stringify(progress, null, 2));
        console.log(
          `${workflowId}: ${progress.status}, iteration ${progress.iteration}/${progress.caps.maxIterations}, ${progress.elapsedMs} ms`,
        );
        for (const step of progress.steps) console.log(formatStep(step));
        console.log(`Usage so far: ${formatTotals(progress.totals)}`);
        if (progress.stopReason)
          console.log(
            `Stopped on a cap: ${progress.stopReason} (${progress.stopDetail}); raise it with \`llmos raise\`.`,
          );
        return;
      }
      if (description.status.name !== 'COMPLETED') {
        console.log(`${workflowId}: ${description.status.name}`);
        process.exitCode = 1;
        return;
      }
      const result = await handle.result();
      await withTraceReader((read) => printResult(result, flags.json ?? false, read));
      process.exitCode = exitCodeFor(result);
    });

  program
    .command('raise')
    .description('Raise the caps of a run and follow it again (a run stopped on a cap continues)')
    .argument('<workflow-id>')
    .option('--max-iterations <n>', 'new cap on model calls', positiveInteger)
    .option('--max-tokens <n>', 'new cap on tokens', positiveInteger)
    .option('--max-cost <usd>', 'new cap on spend', positiveNumber)
    .option('--deadline <duration>', 'new cap on wall time from the start of the run', duration)
    .option('--json', 'print the result as JSON')
    .action(async (workflowId: string, flags: CapFlags & { json?: boolean } & ConnectionOptionValues) => {
      const raise = capsFromFlags(flags);
      if (Object.keys(raise).length === 0)
        throw new Error('name at least one cap to raise, e.g. --max-iterations 20');
      const [{ connectClient, getAgentHandle, queryAgentProgress, raiseAgentCaps }, { followAndPrint }] =
        await Promise.all([import('../llmos-client.js'), import('../follow-agent.js')]);
      const handle = getAgentHandle(await connectClient(connectionFlags(flags)), workflowId);
      const sinceStep = (await queryAgentProgress(handle, Number.MAX_SAFE_INTEGER)).stepCount;
      const caps = await raiseAgentCaps(handle, raise);
      if (!flags.json) console.log(`Caps now ${JSON.stringify(caps)}`);
      process.exitCode = await followAndPrint(handle, { json: flags.json ?? false, sinceStep });
    });
}
