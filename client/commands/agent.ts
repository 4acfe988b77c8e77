import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AgentRequest } from '../../common/agent.js';
import { chooseDefaultModel } from '../default-model.js';
import { ToolNameSchema } from '../../common/chat.js';
import { builtInToolNames } from '../../common/tool-names.js';
import {
  addCapOptions,
  addTenantOptions,
  capsFromFlags,
  checkModelAlias,
  duration,
  list,
  modelOptionDescription,
  positiveInteger,
  tenantFromFlags,
  type CapFlags,
  type TenantFlags,
  connectionFlags,
  type ConnectionOptionValues,
} from '../cli-options.js';

interface AgentFlags extends CapFlags, TenantFlags {
  model?: string;
  tools: string[];
  holdOnCap: number;
  continueAsNewAfter?: number;
  checkEntailment?: boolean;
  approve?: string[];
  approvalTimeout?: number;
  removeUnsupported?: boolean;
  detach?: boolean;
  id?: string;
  json?: boolean;
}

/** Names only: which tools there are is the worker's to say (its own, the project's, MCP servers'). */
function toolList(value: string): string[] {
  const names = list(value);
  const bad = names.filter((name) => !ToolNameSchema.safeParse(name).success);
  if (bad.length > 0)
    throw new InvalidArgumentError(
      `${bad.map((name) => `"${name}"`).join(', ')} is not a tool name (letters, digits, _ or -).`,
    );
  return names;
}

export function registerAgentCommand(program: Command): void {
  addTenantOptions(
    addCapOptions(program.command('agent'))
      .description('Ask a question of a bounded ReAct agent and follow it to the answer')
      .argument('<question>', 'the question')
      .option('--model <provider:model>', modelOptionDescription),
  )
    .option(
      '--tools <names>',
      `comma-separated tools: ${builtInToolNames.join(', ')}, the project's own, or MCP servers`,
      toolList,
      ['calculator'],
    )
    .addOption(
      new Option('--hold-on-cap <duration>', 'how long a run stopped by a cap waits for `llmos raise`')
        .argParser(duration)
        .default(10 * 60_000, '10m'),
    )
    .option(
      '--continue-as-new-after <calls>',
      'model calls per workflow execution (default: when Temporal suggests it)',
      positiveInteger,
    )
    .option('--approve <tools>', 'comma-separated tools whose every call waits for `llmos approve`', toolList)
    .addOption(
      new Option('--approval-timeout <duration>', 'how long a call waits before it is declined')
        .argParser(duration)
        .default(24 * 3_600_000, '1d'),
    )
    .option(
      '--check-entailment',
      "with retrieve: also ask the run's model whether the cited passages entail each claim",
    )
    .option('--remove-unsupported', 'with retrieve: take unsupported claims out of the answer')
    .option('--id <workflow-id>', 'workflow id (default: agent-<uuid>)')
    .option('--detach', 'print the workflow id and return without following')
    .option('--json', 'print the result as JSON')
    .action(async (question: string, flags: AgentFlags & ConnectionOptionValues) => {
      const model = flags.model ?? chooseDefaultModel(process.env).model;
      const request: AgentRequest = {
        question,
        model,
        tools: flags.tools,
        caps: capsFromFlags(flags),
        holdOnCapMs: flags.holdOnCap,
        approval: { tools: flags.approve ?? [], timeoutMs: flags.approvalTimeout ?? 24 * 3_600_000 },
        citationCheck: {
          entailment: flags.checkEntailment ?? false,
          unsupported: flags.removeUnsupported ? 'remove' : 'flag',
        },
        ...(flags.continueAsNewAfter !== undefined ? { continueAsNewAfter: flags.continueAsNewAfter } : {}),
        ...tenantFromFlags(flags),
      };

      const [
        { connectClient, hasLlmosSearchAttributes, startRun, validateRequest },
        { followAndPrint },
        { warnWhenUnpolled },
      ] = await Promise.all([
        import('../llmos-client.js'),
        import('../follow-agent.js'),
        import('../unpolled-queue.js'),
      ]);
      // Before connecting, so bad input is reported even when Temporal is down; startRun
      // checks again for library callers.
      validateRequest('agent', request);
      await checkModelAlias(model);
      const client = await connectClient(connectionFlags(flags));
      const handle = await startRun(client, 'agent', request, flags.id ? { workflowId: flags.id } : {});
      if (flags.detach) {
        console.log(handle.workflowId);
        return;
      }
      if (!flags.json) console.log(`Run ${handle.workflowId} on ${model}`);
      warnWhenUnpolled(client, handle);
      if (!flags.json && !(await hasLlmosSearchAttributes(client))) {
        console.log(
          '(The namespace lacks the llmos search attributes, so the run is not searchable by cost; see the README.)',
        );
      }
      process.exitCode = await followAndPrint(handle, { json: flags.json ?? false });
    });
}
