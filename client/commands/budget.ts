import { connectionFlags, type ConnectionOptionValues } from '../cli-options.js';
import type { Command } from 'commander';
import type { LedgerSnapshot } from '../../common/shared-budget.js';
import { plural } from '../../common/plural.js';

const usd = (amount: number): string => `$${amount.toFixed(6)}`;

/** The ledger as a few aligned lines: limit, spent, promised to calls in flight, left. */
export function formatLedger(ledger: LedgerSnapshot): string {
  const left = Math.max(0, ledger.limitUsd - ledger.spentUsd - ledger.reservedUsd);
  const share = (amount: number) => `${((amount / ledger.limitUsd) * 100).toFixed(1)}%`;
  return [
    `Budget ${ledger.scope}: ${ledger.period === 'day' ? `day ${ledger.periodKey} (UTC; resets at midnight)` : 'total (never resets)'}`,
    `  limit     ${usd(ledger.limitUsd)}`,
    `  spent     ${usd(ledger.spentUsd)}  (${share(ledger.spentUsd)})`,
    `  reserved  ${usd(ledger.reservedUsd)}  by ${plural(ledger.reservations, 'call')} in flight`,
    `  left      ${usd(left)}  (${share(left)})`,
  ].join('\n');
}

export function registerBudgetCommand(program: Command): void {
  program
    .command('budget')
    .description(
      "Show a shared budget's ledger: its limit, what has been spent and what calls in flight hold",
    )
    .argument('<scope>', 'the scope runs name with --budget, e.g. tenant:acme')
    .option('--json', 'print the ledger as JSON')
    .action(async (scope: string, flags: { json?: boolean } & ConnectionOptionValues) => {
      const [
        { WorkflowNotFoundError },
        { connectClient },
        { ledgerWorkflowId, SharedBudgetSchema },
        { budgetLedgerQuery },
      ] = await Promise.all([
        import('@temporalio/client'),
        import('../llmos-client.js'),
        import('../../common/shared-budget.js'),
        import('../../common/messages.js'),
      ]);
      const checked = SharedBudgetSchema.shape.scope.safeParse(scope);
      if (!checked.success)
        throw new Error(`"${scope}" is not a budget scope: ${checked.error.issues[0]?.message}`);
      const client = await connectClient(connectionFlags(flags));
      let ledger: LedgerSnapshot;
      try {
        // The latest run of the ledger: it continues as new every few thousand updates.
        ledger = await client.workflow.getHandle(ledgerWorkflowId(scope)).query(budgetLedgerQuery);
      } catch (error) {
        if (error instanceof WorkflowNotFoundError)
          throw new Error(
            `no run has used budget ${scope} yet (there is no workflow ${ledgerWorkflowId(scope)})`,
          );
        throw error;
      }
      console.log(flags.json ? JSON.stringify(ledger, null, 2) : formatLedger(ledger));
    });
}
