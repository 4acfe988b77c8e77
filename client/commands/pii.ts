import type { Command } from 'commander';
import { mapStandardInput } from '../json-lines.js';

export function registerPiiCommands(program: Command): void {
  const pii = program.command('pii').description('Find personal data in text, as the guards do');
  pii
    .command('find')
    .description(
      'Read JSON lines {"text": ...} on standard input; write {"entities": [{"type", "start", "end"}]} for each (Presidio type names, UTF-16 offsets)',
    )
    .option('--scores', "add each entity's score (0..1)")
    .option('--threshold <score>', 'leave out entities scored below this', '0.5')
    .action(async (flags: { scores?: boolean; threshold: string }) => {
      const threshold = Number(flags.threshold);
      if (!(threshold >= 0 && threshold <= 1))
        throw new Error(`--threshold ${flags.threshold} is not a number from 0 to 1`);
      const { findPii } = await import('../../workers/local-tools/guards.js');
      await mapStandardInput((text) => ({
        entities: findPii(text, { threshold }).map(({ type, start, end, score }) =>
          flags.scores ? { type, start, end, score } : { type, start, end },
        ),
      }));
    });
}
