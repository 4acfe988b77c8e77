import type { Command } from 'commander';
import { mapStandardInput } from '../json-lines.js';

export function registerGuardCommands(program: Command): void {
  const guard = program.command('guard').description("Run the guards' scanners on text");
  guard
    .command('scan')
    .description(
      'Read JSON lines {"text": ...} on standard input; write {"injection": true|false, "score": 0..1, "reasons": [...]} for each',
    )
    .option(
      '--threshold <score>',
      'the score from which a text is an injection (default 0.4, chosen on bench:guards)',
    )
    .action(async (flags: { threshold?: string }) => {
      const threshold = flags.threshold === undefined ? undefined : Number(flags.threshold);
      if (threshold !== undefined && !(threshold > 0 && threshold <= 1))
        throw new Error(`--threshold ${flags.threshold} is not a number above 0 and at most 1`);
      const { scanInjection } = await import('../../workers/local-tools/guards.js');
      await mapStandardInput((text) => scanInjection(text, { threshold }));
    });
}
