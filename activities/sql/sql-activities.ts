import { ApplicationFailure } from '@temporalio/common';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ErrorType } from '../../common/errors.js';
import type { SqlDialect, SqlExecution, SqlVerdict } from '../../common/database.js';
import { loadExamples, selectExamples, type SqlExample } from './few-shot.js';
import { describeDatabase, introspectDatabase, openDatabase, type SqlBackend } from './open-database.js';
import { formatSchemaForPrompt, linkSchema } from './schema-linking.js';
import type { checkSql as CheckSql } from './sql-guard.js';
import type { GuardRun } from '../../common/guards.js';
import { currentGuardPlace, type GuardService } from '../guards/guard-service.js';
import { restoreSqlLiterals } from './restore-literals.js';

/**
 * The SQL guard, loaded on the first SQL step: its parser (node-sql-parser's grammars) holds some
 * 75 MB, which a worker that never runs SQL should not carry.
 */
async function sqlGuard(): Promise<typeof CheckSql> {
  return (await import('./sql-guard.js')).checkSql;
}

export interface SqlActivitiesConfig {
  /** Where `<database name>.examples.jsonl` few-shot files are looked up (besides the SQLite file's own folder). */
  examplesDirectory: string;
  /** PostgreSQL: the read-only role statements run under, when one is configured. */
  postgresRole?: string | undefined;
  /** The guard pipeline: a run's vault gives a statement's literals their values back, and statements are audited. */
  guards?: GuardService | undefined;
}

export interface PrepareSqlPromptInput {
  database: string;
  question: string;
  tableLimit: number;
  exampleLimit: number;
  allowedTables?: string[] | undefined;
}

export interface PrepareSqlPromptOutput {
  dialect: SqlDialect;
  fingerprint: string;
  /** The database as shown to people (no password). */
  database: string;
  linkedTables: Array<{ table: string; score: number }>;
  /** The linked tables as the model reads them. */
  schemaText: string;
  examples: SqlExample[];
}

export interface CheckSqlInput {
  sql: string;
  dialect: SqlDialect;
  allowedTables?: string[] | undefined;
  /** The run's guards: the statement and its verdict go into the audit trail. */
  guard?: GuardRun | undefined;
}

export interface ExecuteSqlInput {
  database: string;
  sql: string;
  timeoutMs: number;
  maxRows: number;
  allowedTables?: string[] | undefined;
  /**
   * The run's guards: placeholders in the statement's string literals are restored from its
   * vault, and the execution goes into the audit trail.
   */
  guard?: GuardRun | undefined;
}

/** `<name>.examples.jsonl` next to a SQLite file or in the examples folder, by database name. */
function findExamplesFile(database: string, examplesDirectory: string): string | undefined {
  const isUrl = /^postgres(ql)?:\/\//i.test(database);
  const name = isUrl
    ? decodeURIComponent(new URL(database).pathname.replace(/^\//, ''))
    : path.basename(database).replace(/\.[^.]+$/, '');
  const candidates = [
    ...(isUrl ? [] : [path.join(path.dirname(path.resolve(database)), `${name}.examples.jsonl`)]),
    path.join(examplesDirectory, `${name}.examples.jsonl`),
  ];
  return candidates.find((candidate) => existsSync(candidate));
}

function badDatabase(database: string, error: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.InvalidInput,
    message: `cannot open ${describeDatabase(database)}: ${(error as Error).message}`,
    nonRetryable: true,
  });
}

/**
 * The database side of the NL2SQL job. `openDatabase` keeps the SQLite runner process and the
 * PostgreSQL pool warm between calls, so each call opens and closes its handle. The guard runs in
 * `checkSql` (so its verdict is recorded) and again in `executeSql`: nothing reaches a database
 * without passing it, whatever called the activity.
 */
export function createSqlActivities(config: SqlActivitiesConfig) {
  return {
    async prepareSqlPrompt(input: PrepareSqlPromptInput): Promise<PrepareSqlPromptOutput> {
      let schema;
      try {
        schema = await introspectDatabase(input.database);
      } catch (error) {
        throw badDatabase(input.database, error);
      }
      const allowed = input.allowedTables?.map((table) => table.toLowerCase());
      const visible = allowed
        ? { ...schema, tables: schema.tables.filter((table) => allowed.includes(table.name.toLowerCase())) }
        : schema;
      const ranked = linkSchema(input.question, visible, { limit: input.tableLimit });
      const examplesFile =
        input.exampleLimit > 0 ? findExamplesFile(input.database, config.examplesDirectory) : undefined;
      const examples = examplesFile
        ? selectExamples(input.question, await loadExamples(examplesFile), input.exampleLimit)
        : [];
      return {
        dialect: schema.dialect,
        fingerprint: schema.fingerprint,
        database: describeDatabase(input.database),
        linkedTables: ranked.map(({ table, score }) => ({ table, score })),
        schemaText: formatSchemaForPrompt(visible, ranked, { maxTables: input.tableLimit }),
        examples,
      };
    },

    async checkSql(input: CheckSqlInput): Promise<SqlVerdict> {
      const verdict = (await sqlGuard())(input.sql, {
        dialect: input.dialect,
        allowedTables: input.allowedTables,
      });
      if (input.guard && config.guards)
        await config.guards.record(
          'sql',
          { sql: input.sql, safe: verdict.safe, ...(verdict.reason ? { reason: verdict.reason } : {}) },
          currentGuardPlace(input.guard.tenant),
        );
      return verdict;
    },

    async executeSql(input: ExecuteSqlInput): Promise<SqlExecution> {
      let backend: SqlBackend;
      try {
        backend = await openDatabase(input.database, { postgresRole: config.postgresRole });
      } catch (error) {
        throw badDatabase(input.database, error);
      }
      try {
        const verdict = (await sqlGuard())(input.sql, {
          dialect: backend.dialect,
          allowedTables: input.allowedTables,
        });
        if (!verdict.safe) {
          throw ApplicationFailure.create({
            type: ErrorType.UnsafeSql,
            message: `refused before execution: ${verdict.reason ?? 'unsafe'}`,
            nonRetryable: true,
          });
        }
        const { guard } = input;
        const { guards } = config;
        const limits = { timeoutMs: input.timeoutMs, maxRows: input.maxRows };
        if (!guard || !guards) return await backend.execute(input.sql, limits);
        // Checked as the model wrote it; run with the values its literals stand for.
        const sql = restoreSqlLiterals(input.sql, await guards.vaultEntries(guard.vaultId));
        const execution = await backend.execute(sql, limits);
        await guards.record(
          'sql',
          execution.ok
            ? { sql: input.sql, ok: true, rows: execution.rows.length, elapsedMs: execution.elapsedMs }
            : { sql: input.sql, ok: false, error: execution.error },
          currentGuardPlace(guard.tenant),
        );
        return execution;
      } finally {
        // The runner process or pool stays warm for the next call (see openDatabase).
        await backend.close();
      }
    },
  };
}
