import type { Command } from 'commander';
import { isoTime } from '../cli-options.js';

export function registerAuditCommand(program: Command): void {
  const audit = program
    .command('audit')
    .description("Show the audit trail (LLMOS_AUDIT_FILE), all of it or one run's, and verify its hash chain")
    .option('--run <runId>', "only this run's records")
    .option('--workflow <workflowId>', "only this workflow's records")
    .option('--verify', 'check the whole chain; exit 1 and name the first bad record if it is broken')
    .option('--json', 'print the records as JSON lines')
    .action(async (flags: { run?: string; workflow?: string; verify?: boolean; json?: boolean }) => {
      const { workerAuditLog } = await import('../../workers/local-tools/audit.js');
      const { log, where } = workerAuditLog();
      try {
        const records = await log.read({
          ...(flags.run ? { runId: flags.run } : {}),
          ...(flags.workflow ? { workflowId: flags.workflow } : {}),
        });
        for (const record of records) {
          if (flags.json) console.log(JSON.stringify(record));
          else
            console.log(
              `${String(record.seq).padStart(6)}  ${record.at}  ${record.workflowId}  ${record.kind.padEnd(14)}  ${record.prunedAt ? `(detail emptied ${record.prunedAt} by retention)` : JSON.stringify(record.detail)}`,
            );
        }
        if (!flags.verify) return;
        const verdict = await log.verify();
        if (verdict.ok) {
          console.error(`audit chain intact: ${verdict.records} records in ${where}`);
        } else {
          console.error(
            `audit chain BROKEN at record ${verdict.seq} of ${verdict.records} in ${where}: ${verdict.problem}`,
          );
          process.exitCode = 1;
        }
      } finally {
        await log.close();
      }
    });
  audit
    .command('prune')
    .description(
      "Apply each tenant's auditRetentionDays (LLMOS_POLICIES_FILE): empty older audit records' details, remove their PII vaults, record the pass",
    )
    .option('--now <time>', 'the time to count back from (ISO 8601); now by default', isoTime)
    .action(async (flags: { now?: Date }) => {
      const { pruneByPolicies } = await import('../../workers/local-tools/audit.js');
      const { outcomes, where } = await pruneByPolicies(process.env, flags.now ?? new Date());
      if (outcomes.length === 0) console.error('no policy sets auditRetentionDays: nothing to prune');
      for (const outcome of outcomes)
        console.log(
          `${outcome.policy}: ${outcome.records} record details emptied, ${outcome.vaults} PII vaults removed (before ${outcome.before}) in ${where}`,
        );
    });
}
