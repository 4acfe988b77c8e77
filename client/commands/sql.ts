import { Option, type Command } from 'commander';
import { chooseDefaultModel } from '../default-model.js';
import type { SqlRequest } from '../../common/sql.js';
import {
  addTenantOptions,
  checkModelAlias,
  list,
  modelOptionDescription,
  positiveInteger,
  tenantFromFlags,
  type TenantFlags,
  connectionFlags,
  type ConnectionOptionValues,
} from '../cli-options.js';
import { databaseArg } from '../database-arg.js';
import { registerSqlCheckCommand } from './sql-check.js';

interface AskFlags extends TenantFlags {
  db: string;
  model?: string;
  format: 'table' | 'json' | 'csv';
  answer?: boolean;
  maxRows?: number;
  timeout?: number;
  maxCorrections?: number;
  allowedTables?: string[];
  id?: string;
}

/** --db for every sql subcommand: resolved when parsed, the shipped Chinook by default. */
const databaseOption = (): Option =>
  new Option('--db <database>', 'a SQLite file, a postgres:// URL, or chinook / northwind')
    .argParser(databaseArg)
    .default(databaseArg('chinook'), 'chinook');

const count = (value: string): number => (value === '0' ? 0 : positiveInteger(value));

function registerAskCommand(sql: Command): void {
  addTenantOptions(
    sql
      .command('ask', { isDefault: true })
      .description(
        'Answer a question with one checked, read-only SQL query (the default: llmos sql "question")',
      )
      .argument('<question>', 'the question')
      .addOption(databaseOption())
      .option('--model <provider:model>', `${modelOptionDescription} (default: from the environment)`),
  )
    .addOption(
      new Option('--format <format>', 'how to print the rows')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .option('--answer', 'also write a one-paragraph answer from the rows')
    .option('--max-rows <n>', 'row limit (default 200)', positiveInteger)
    .option('--timeout <ms>', 'statement timeout in milliseconds (default 10000)', positiveInteger)
    .option('--max-corrections <n>', 'corrected queries after an SQL error (default 2)', count)
    .option('--allowed-tables <names>', 'comma-separated tables the query may read', list)
    .option('--id <workflow-id>', 'workflow id (default: sql-<uuid>)')
    .action(async (question: string, flags: AskFlags & ConnectionOptionValues) => {
      const request: SqlRequest = {
        question,
        database: flags.db,
        model: flags.model ?? chooseDefaultModel(process.env, 'demo-sql').model,
        answer: flags.answer ?? false,
        ...(flags.maxRows !== undefined ? { maxRows: flags.maxRows } : {}),
        ...(flags.timeout !== undefined ? { timeoutMs: flags.timeout } : {}),
        ...(flags.maxCorrections !== undefined ? { maxCorrections: flags.maxCorrections } : {}),
        ...(flags.allowedTables ? { allowedTables: flags.allowedTables } : {}),
        ...tenantFromFlags(flags),
      };
      await checkModelAlias(request.model);
      const [{ connectClient, startRun }, { formatSqlResult }, { withRestoredAnswer }, { exitCodes }] =
        await Promise.all([
          import('../llmos-client.js'),
          import('../format-sql.js'),
          import('../restore-answer.js'),
          import('../follow-agent.js'),
        ]);
      const client = await connectClient(connectionFlags(flags));
      const handle = await startRun(client, 'sql', request, flags.id ? { workflowId: flags.id } : {});
      if (flags.format === 'table') console.error(`Run ${handle.workflowId} on ${request.model}`);
      (await import('../unpolled-queue.js')).warnWhenUnpolled(client, handle);
      const result = await withRestoredAnswer(await handle.result());
      console.log(formatSqlResult(result, flags.format));
      process.exitCode =
        result.stopReason === 'answer'
          ? 0
          : result.stopReason === 'unsafe_sql'
            ? 2
            : result.stopReason === 'blocked'
              ? exitCodes.blocked
              : 1;
    });
}

function registerLinkCommand(sql: Command): void {
  sql
    .command('link')
    .description(
      'Rank the tables (and their columns) relevant to a question; runs here, reads only the schema',
    )
    .argument('<question>', 'the question')
    .addOption(databaseOption())
    .option('--limit <n>', 'how many tables', positiveInteger, 5)
    .option('--json', 'print the ranking as JSON')
    .action(async (question: string, flags: { db: string; limit: number; json?: boolean }) => {
      const { introspectDatabase, linkSchema } = await import('../../workers/local-tools/sql.js');
      const ranked = linkSchema(question, await introspectDatabase(flags.db), { limit: flags.limit });
      if (flags.json) {
        console.log(JSON.stringify(ranked, null, 2));
      } else {
        ranked.forEach((entry, index) => {
          const columns = entry.columns
            .filter((column) => column.score > 0)
            .slice(0, 4)
            .map((column) => `${column.name} ${column.score.toFixed(2)}`);
          console.log(
            `${String(index + 1).padStart(2)}. ${entry.table.padEnd(20)} ${entry.score.toFixed(3)}${columns.length > 0 ? `   (${columns.join(', ')})` : ''}`,
          );
        });
      }
    });
}

export function registerSqlCommands(program: Command): void {
  const sql = program
    .command('sql')
    .description('Ask questions of SQLite and PostgreSQL databases; link schemas; check SQL for safety');
  registerAskCommand(sql);
  registerLinkCommand(sql);
  registerSqlCheckCommand(sql);
}
