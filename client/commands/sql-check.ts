import { Option, type Command } from 'commander';
import type { SqlDialect } from '../../common/database.js';
import { list } from '../cli-options.js';

interface SqlCheckFlags {
  dialect: SqlDialect;
  allowedTables?: string[];
  json?: boolean;
}

/** Exit codes: 0 safe, 2 unsafe; commander exits 1 on usage errors. */
export const sqlCheckExitCodes = { safe: 0, unsafe: 2 } as const;

/** `llmos sql check "<SQL>" --dialect sqlite|postgres`: run the SQL guard locally, no server needed. */
export function registerSqlCheckCommand(sql: Command): void {
  sql
    .command('check')
    .description('Check one statement with the SQL safety guard (no database, no Temporal)')
    .argument('<sql>', 'the statement, quoted')
    .addOption(
      new Option('--dialect <dialect>', 'the SQL dialect')
        .choices(['sqlite', 'postgres'])
        .makeOptionMandatory(),
    )
    .option('--allowed-tables <a,b>', 'only these tables may be read (case-insensitive)', list)
    .option('--json', 'print the verdict as JSON')
    .action(async (statement: string, flags: SqlCheckFlags) => {
      const { checkSql } = await import('../../workers/local-tools/sql.js');
      const verdict = checkSql(statement, {
        dialect: flags.dialect,
        ...(flags.allowedTables ? { allowedTables: flags.allowedTables } : {}),
      });
      if (flags.json) console.log(JSON.stringify(verdict, null, 2));
      else if (verdict.safe) {
        console.log('safe');
        console.log(`tables: ${verdict.tables.join(', ') || '(none)'}`);
        console.log(`functions: ${verdict.functions.join(', ') || '(none)'}`);
      } else console.log(`UNSAFE: ${verdict.reason ?? 'refused'}`);
      process.exitCode = verdict.safe ? sqlCheckExitCodes.safe : sqlCheckExitCodes.unsafe;
    });
}
