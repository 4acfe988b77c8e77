import type { Command } from 'commander';
import type { PsvRequest } from '../../common/psv.js';
import { chooseDefaultModel } from '../default-model.js';
import {
  addCapOptions,
  addTenantOptions,
  capsFromFlags,
  checkModelAlias,
  list,
  modelOptionDescription,
  positiveInteger,
  tenantFromFlags,
  type CapFlags,
  type TenantFlags,
  connectionFlags,
  type ConnectionOptionValues,
} from '../cli-options.js';

interface PsvFlags extends CapFlags, TenantFlags {
  model?: string;
  tools: string[];
  maxReplans?: number;
  planVersion?: string;
  id?: string;
  json?: boolean;
}

export function registerPsvCommand(program: Command): void {
  addTenantOptions(
    addCapOptions(program.command('psv'), '', ', sub-agents included')
      .description(
        'Solve a task with Plan -> Solve -> Verify: a checked plan, solved step by step, re-planned when a check fails',
      )
      .argument('<task>', 'the task')
      .option('--model <provider:model>', `${modelOptionDescription} (default: from the environment)`),
  )
    .option('--tools <names>', 'comma-separated tools the plan may use', list, ['calculator'])
    .option('--max-replans <n>', 'new plans after a failed verification (default 2)', (value) =>
      value === '0' ? 0 : positiveInteger(value),
    )
    .option('--plan-version <version>', 'version of the psv.plan prompt template (default v1)')
    .option('--id <workflow-id>', 'workflow id (default: psv-<uuid>)')
    .option('--json', 'print the result as JSON')
    .action(async (task: string, flags: PsvFlags & ConnectionOptionValues) => {
      const request: PsvRequest = {
        task,
        model: flags.model ?? chooseDefaultModel(process.env).model,
        tools: flags.tools,
        caps: capsFromFlags(flags),
        ...(flags.maxReplans !== undefined ? { maxReplans: flags.maxReplans } : {}),
        ...(flags.planVersion ? { prompts: { plan: { id: 'psv.plan', version: flags.planVersion } } } : {}),
        ...tenantFromFlags(flags),
      };
      await checkModelAlias(request.model);
      const [
        { connectClient, startRun, withWholePsvResult },
        { formatPsvResult },
        { withTraceReader, exitCodeFor },
        { withRestoredAnswer },
      ] = await Promise.all([
        import('../llmos-client.js'),
        import('../format-psv.js'),
        import('../follow-agent.js'),
        import('../restore-answer.js'),
      ]);
      const client = await connectClient(connectionFlags(flags));
      const handle = await startRun(client, 'psv', request, flags.id ? { workflowId: flags.id } : {});
      if (!flags.json) console.log(`Run ${handle.workflowId} on ${request.model}`);
      (await import('../unpolled-queue.js')).warnWhenUnpolled(client, handle);
      // The trace and the attempts are in the blob store: read back to be printed.
      const result = await withTraceReader(async (read, readText) =>
        withWholePsvResult(await withRestoredAnswer(await handle.result()), read, readText),
      );
      const printed = flags.json ? JSON.stringify(result, null, 2) : formatPsvResult(result);
      console.log(printed);
      process.exitCode = exitCodeFor(result);
    });
}
