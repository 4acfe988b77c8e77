import type { Command } from 'commander';
import { connectionFlags, type ConnectionOptionValues } from '../cli-options.js';
import { oneLine } from '../format-agent.js';

/** `llmos inbox`, `llmos approve` and `llmos decline`: the tool calls that wait for a person. */
export function registerApprovalCommands(program: Command): void {
  program
    .command('inbox')
    .description('List the tool calls that wait for a person to approve or decline them')
    .option('--workflow <id>', 'only the calls of this run (found without search attributes)')
    .option('--json', 'print as JSON')
    .action(async (flags: { workflow?: string; json?: boolean } & ConnectionOptionValues) => {
      const [{ connectClient }, { listPendingApprovals }] = await Promise.all([
        import('../llmos-client.js'),
        import('../approvals.js'),
      ]);
      const client = await connectClient(connectionFlags(flags));
      const entries = await listPendingApprovals(client, flags.workflow ? [flags.workflow] : undefined);
      if (flags.json) return console.log(JSON.stringify(entries, null, 2));
      if (entries.length === 0) return console.log('No tool call waits for approval.');
      for (const entry of entries)
        console.log(
          `${entry.toolCallId}  ${entry.tool}(${oneLine(entry.arguments, 80)})  run ${entry.workflowId}, waiting since ${entry.requestedAt}, declined at ${entry.expiresAt}`,
        );
      console.log(
        'Decide with: llmos approve <tool-call-id>, or llmos decline <tool-call-id> --reason "..."',
      );
    });

  for (const decision of ['approve', 'decline'] as const)
    program
      .command(decision)
      .description(
        decision === 'approve'
          ? 'Let a waiting tool call run'
          : 'Decline a waiting tool call: the model reads the reason instead of a result',
      )
      .argument('<tool-call-id>', 'as `llmos inbox` lists it')
      .option('--workflow <id>', 'the run the call belongs to (found by the call id when left out)')
      .option('--by <name>', 'who decides, for the trace and the audit trail', process.env.USER ?? 'someone')
      .option(`--reason <text>`, decision === 'decline' ? 'why (required)' : 'why (optional)')
      .action(
        async (
          toolCallId: string,
          flags: { workflow?: string; by: string; reason?: string } & ConnectionOptionValues,
        ) => {
          if (decision === 'decline' && !flags.reason?.trim())
            throw new Error('say why with --reason: the model reads it and decides what to do next');
          const [{ connectClient }, { decideToolCall }] = await Promise.all([
            import('../llmos-client.js'),
            import('../approvals.js'),
          ]);
          const client = await connectClient(connectionFlags(flags));
          const { workflowId } = await decideToolCall(
            client,
            decision,
            { toolCallId, by: flags.by, ...(flags.reason ? { reason: flags.reason } : {}) },
            { workflowId: flags.workflow },
          );
          console.log(
            `${decision === 'approve' ? 'Approved' : 'Declined'} ${toolCallId} of run ${workflowId}.`,
          );
        },
      );
}
