import { InvalidArgumentError, Option, type Command } from 'commander';
import type { AgentRequest } from '../../common/agent.js';
import { chooseDefaultModel } from '../../common/default-model.js';
import { builtInToolNames } from '../../common/tool-names.js';
import {
  capsFromFlags,
  duration,
  list,
  positiveNumber,
  type CapFlags,
  addCapOptions,
} from '../cli-options.js';

interface AgentFlags extends CapFlags {
  model?: string;
  tools: string[];
  holdOnCap: number;
  detach?: boolean;
  id?: string;
  json?: boolean;
  budget?: string;
  budgetLimit?: number;
  budgetDowngrade?: string;
}

function toolList(value: string): string[] {
  const names = list(value);
  const unknown = names.filter((name) => !(builtInToolNames as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(
      `unknown tool ${unknown.join(', ')}; the tools are ${builtInToolNames.join(', ')}.`,
    );
  }
  return names;
}

/**
 * An alias must be one of the model catalog's (LLMOS_MODELS_FILE, else the built-in one): the
 * worker resolves it with its own catalog, normally the same file, and a typo should not start a run.
 */
async function checkAlias(model: string): Promise<void> {
  const { ModelRefSchema } = await import('../../common/model-ref.js');
  if (ModelRefSchema.safeParse(model).success) return;
  const [{ loadModelCatalog, modelCatalogFile }, { resolveChain }] = await Promise.all([
    import('../../activities/llm/load-model-catalog.js'),
    import('../../common/model-catalog.js'),
  ]);
  const catalog = loadModelCatalog(modelCatalogFile(process.env));
  if (model === 'auto') {
    if (!catalog.routing) throw new Error('--model auto needs a routing section in the model catalog');
    return;
  }
  resolveChain(catalog, model);
}

export function registerAgentCommand(program: Command): void {
  addCapOptions(program.command('agent'))
    .description('Ask a question of a bounded ReAct agent and follow it to the answer')
    .argument('<question>', 'the question')
    .option(
      '--model <provider:model>',
      'e.g. openai:gpt-4o-mini, anthropic:claude-haiku-4-5, compatible:llama3.1, scripted:demo-agent, or an alias (fast, smart) of the model catalog',
    )
    .option('--budget <scope>', 'a spend limit shared with every run of this scope, e.g. tenant:acme')
    .option('--budget-limit <usd>', 'the shared budget in US dollars a day (with --budget)', positiveNumber)
    .option('--budget-downgrade <provider:model>', 'the cheaper model past 80% of the shared budget')
    .option('--tools <names>', `comma-separated tools: ${builtInToolNames.join(', ')}`, toolList, [
      'calculator',
    ])
    .addOption(
      new Option('--hold-on-cap <duration>', 'how long a run stopped by a cap waits for `llmos raise`')
        .argParser(duration)
        .default(10 * 60_000, '10m'),
    )
    .option('--id <workflow-id>', 'workflow id (default: agent-<uuid>)')
    .option('--detach', 'print the workflow id and return without following')
    .option('--json', 'print the result as JSON')
    .action(async (question: string, flags: AgentFlags) => {
      const model = flags.model ?? chooseDefaultModel(process.env).model;
      if ((flags.budget === undefined) !== (flags.budgetLimit === undefined))
        throw new InvalidArgumentError('--budget <scope> and --budget-limit <usd> go together');
      const request: AgentRequest = {
        question,
        model,
        tools: flags.tools,
        caps: capsFromFlags(flags),
        holdOnCapMs: flags.holdOnCap,
        ...(flags.budget !== undefined
          ? {
              budget: {
                scope: flags.budget,
                limitUsd: flags.budgetLimit!,
                ...(flags.budgetDowngrade !== undefined ? { downgradeTo: flags.budgetDowngrade } : {}),
              },
            }
          : {}),
      };

      const [
        { connectClient, hasLlmosSearchAttributes, startAgentRun, validateAgentRequest },
        { followAndPrint },
      ] = await Promise.all([import('../llmos-client.js'), import('./follow.js')]);
      // Before connecting, so bad input is reported even when Temporal is down; startAgentRun
      // checks again for library callers.
      validateAgentRequest(request);
      await checkAlias(model);
      const client = await connectClient();
      const handle = await startAgentRun(client, request, flags.id ? { workflowId: flags.id } : {});
      if (flags.detach) {
        console.log(handle.workflowId);
        return;
      }
      if (!flags.json) console.log(`Run ${handle.workflowId} on ${model}`);
      if (!flags.json && !(await hasLlmosSearchAttributes(client))) {
        console.log(
          '(The namespace lacks the llmos search attributes, so the run is not searchable by cost; see the README.)',
        );
      }
      process.exitCode = await followAndPrint(handle, { json: flags.json ?? false });
    });
}
