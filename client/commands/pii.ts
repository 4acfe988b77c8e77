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
    .option('--names', 'also find people and places (PERSON, LOCATION; slower, and less sure)')
    .action(async (flags: { scores?: boolean; threshold: string; names?: boolean }) => {
      const threshold = Number(flags.threshold);
      if (!(threshold >= 0 && threshold <= 1))
        throw new Error(`--threshold ${flags.threshold} is not a number from 0 to 1`);
      const [{ findPii }, { PiiTypeSchema }] = await Promise.all([
        import('../../workers/local-tools/guards.js'),
        import('../../common/pii.js'),
      ]);
      const types = flags.names ? { types: PiiTypeSchema.options } : {};
      await mapStandardInput((text) => ({
        entities: findPii(text, { threshold, ...types }).map(({ type, start, end, score }) =>
          flags.scores ? { type, start, end, score } : { type, start, end },
        ),
      }));
    });
}
