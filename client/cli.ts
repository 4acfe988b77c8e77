import { Command, CommanderError } from 'commander';
import { flushTracing, installTracing } from '../workers/tracing.js';
import { addConnectionOptions } from './cli-options.js';
import { withCommandSpan } from './command-span.js';
import { registerAgentCommand } from './commands/agent.js';
import { registerApprovalCommands } from './commands/approvals.js';
import { registerAnalyzeCommand } from './commands/analyze.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerBudgetCommand } from './commands/budget.js';
import { registerCodecServerCommand } from './commands/codec-server.js';
import { registerCostCommand } from './commands/cost.js';
import { registerCustomerServiceCommands } from './commands/cs.js';
import { registerServeCommand } from './commands/serve.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEvalCommand } from './commands/eval.js';
import { registerFakeLlmCommand } from './commands/fake-llm.js';
import { registerFeedbackCommand } from './commands/feedback.js';
import { registerMonitorsCommands } from './commands/monitors.js';
import { registerGuardCommands } from './commands/guard.js';
import { registerKnowledgeCommands } from './commands/kb.js';
import { registerPiiCommands } from './commands/pii.js';
import { registerPsvCommand } from './commands/psv.js';
import { registerPromptsCommands } from './commands/prompts.js';
import { registerServerCommands } from './commands/server.js';
import { registerSqlCommands } from './commands/sql.js';
import { registerStatsCommand } from './commands/stats.js';
import { registerStatusCommands } from './commands/status.js';
import { registerTicketCommands } from './commands/tickets.js';
import { registerMcpCommand } from './commands/mcp.js';
import { registerWorkerCommand } from './commands/worker.js';

export function createProgram(): Command {
  const program = new Command('llmos')
    .description('llmos: durable, bounded LLM agents and jobs on Temporal')
    .showHelpAfterError()
    .exitOverride();
  registerDemoCommand(program);
  registerAgentCommand(program);
  registerApprovalCommands(program);
  registerPsvCommand(program);
  registerSqlCommands(program);
  registerAnalyzeCommand(program);
  registerKnowledgeCommands(program);
  registerStatusCommands(program);
  registerTicketCommands(program);
  registerCustomerServiceCommands(program);
  registerServeCommand(program);
  registerEvalCommand(program);
  registerCostCommand(program);
  registerStatsCommand(program);
  registerFeedbackCommand(program);
  registerMonitorsCommands(program);
  registerBudgetCommand(program);
  registerWorkerCommand(program);
  registerMcpCommand(program);
  registerServerCommands(program);
  registerFakeLlmCommand(program);
  registerCodecServerCommand(program);
  registerPromptsCommands(program);
  registerGuardCommands(program);
  registerAuditCommand(program);
  registerPiiCommands(program);
  addConnectionOptionsTo(program);
  return program;
}

/** The commands that talk to Temporal, by their words: each takes the connection flags. */
const connectingCommands = new Set([
  'agent',
  'psv',
  'sql ask',
  'analyze',
  'kb add',
  'status',
  'raise',
  'eval',
  'cost',
  'stats',
  'feedback',
  'monitors install',
  'monitors run',
  'monitors status',
  'monitors revert',
  'monitors remove',
  'budget',
  'worker',
  'chat',
  'cs send',
  'cs show',
  'cs close',
  'cs handoffs',
  'cs reply',
  'cs return',
  'serve',
  'mcp',
]);

function addConnectionOptionsTo(command: Command, words: string[] = []): void {
  for (const subcommand of command.commands) {
    const path = [...words, subcommand.name()];
    if (connectingCommands.has(path.join(' '))) addConnectionOptions(subcommand);
    addConnectionOptionsTo(subcommand, path);
  }
}

/**
 * Runs the CLI; errors are printed as one clear message, not a stack trace. With an OTLP endpoint
 * in the environment (`installTracing`), the command is traced, and its last spans are sent before
 * it returns.
 */
export async function main(argv: string[]): Promise<void> {
  await installTracing('llmos');
  const program = createProgram();
  try {
    await withCommandSpan(program, argv, () => program.parseAsync(argv));
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exitCode = error.exitCode;
      return;
    }
    console.error(`llmos: ${error instanceof Error ? error.message : String(error)}`);
    if (process.env.LLMOS_DEBUG) console.error(error);
    process.exitCode = 1;
  } finally {
    await flushTracing();
  }
}
