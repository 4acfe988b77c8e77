/**
 * The Chinook gold questions through the whole NL2SQL job: the scripted provider emits each gold
 * statement, and the job's rows must equal the gold rows, on SQLite and on PostgreSQL. Also: every
 * gold statement passes the guard on its dialect.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../activities/sql/open-database.js';
import { checkSql } from '../../activities/sql/sql-guard.js';
import { projectRoot } from '../../client/project-paths.js';
import type { QueryRows, SqlDialect } from '../../common/database.js';
import type { nl2sqlWorkflow } from '../../workflows/sql.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { postgresTestUrl } from '../helpers/postgres.js';
import { quickRetry } from '../workflows/agent-harness.js';

interface GoldRow {
  id: string;
  question: string;
  sql: string;
  postgresSql?: string;
  ordered: boolean;
}

const gold: GoldRow[] = (
  await readFile(path.join(projectRoot, 'test', 'fixtures', 'chinook-gold.jsonl'), 'utf8')
)
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as GoldRow);

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rows comparable across runs: numbers as numbers (PostgreSQL sends numerics as text), sorted unless order matters. */
function comparable(rows: QueryRows['rows'], ordered: boolean): string[] {
  const normalized = rows.map((row) =>
    JSON.stringify(
      row.map((value) =>
        typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value,
      ),
    ),
  );
  return ordered ? normalized : normalized.sort();
}

const backends: Array<{ name: string; dialect: SqlDialect; database: string | undefined }> = [
  {
    name: 'SQLite',
    dialect: 'sqlite',
    database: path.join(projectRoot, 'examples', 'databases', 'chinook.sqlite'),
  },
  { name: 'PostgreSQL', dialect: 'postgres', database: postgresTestUrl() },
];

void describe('the Chinook gold questions', { timeout: 600_000 }, () => {
  const testbed = useAgentTestbed();

  for (const { name, dialect, database } of backends) {
    const sqlFor = (row: GoldRow) => (dialect === 'postgres' ? (row.postgresSql ?? row.sql) : row.sql);

    void it(`every gold statement passes the guard (${name})`, () => {
      const refused = gold.flatMap((row) => {
        const verdict = checkSql(sqlFor(row), { dialect });
        return verdict.safe ? [] : [`${row.id}: ${verdict.reason}`];
      });
      assert.deepEqual(refused, []);
    });

    void it(
      `the job returns the gold rows with the scripted model emitting the gold SQL (${name})`,
      {
        skip: database ? false : 'LLMOS_TEST_POSTGRES_URL is not set',
      },
      async () => {
        assert.ok(gold.length >= 40, `${gold.length} gold questions`);
        testbed.fake.setScript({
          rules: gold.map((row) => ({
            match: {
              responseFormat: '^sql_query$',
              lastUserMessage: `Question: ${escapeRegExp(row.question)}$`,
            },
            reply: { json: { sql: sqlFor(row), rationale: row.id } },
          })),
        });
        const backend = await openDatabase(database!);
        const mismatches: string[] = [];
        try {
          // A few at a time: each run is a handful of activities on one worker.
          for (let start = 0; start < gold.length; start += 8) {
            await Promise.all(
              gold.slice(start, start + 8).map(async (row) => {
                const result = await testbed.temporal.env.client.workflow.execute<typeof nl2sqlWorkflow>(
                  'nl2sqlWorkflow',
                  {
                    args: [
                      {
                        question: row.question,
                        database: database!,
                        model: 'openai:gpt-4o-mini',
                        retry: quickRetry,
                        maxRows: 5_000,
                      },
                    ],
                    taskQueue: testbed.worker.taskQueue,
                    workflowId: `gold-${row.id}-${crypto.randomUUID()}`,
                  },
                );
                const expected = await backend.execute(sqlFor(row), { timeoutMs: 30_000, maxRows: 5_000 });
                assert.ok(expected.ok, `${row.id}: gold SQL failed: ${expected.ok ? '' : expected.error}`);
                if (result.stopReason !== 'answer' || !result.rows) {
                  mismatches.push(`${row.id}: ${result.stopReason}: ${result.stopDetail}`);
                } else if (
                  JSON.stringify(comparable(result.rows.rows, row.ordered)) !==
                  JSON.stringify(comparable(expected.rows, row.ordered))
                ) {
                  mismatches.push(`${row.id}: rows differ`);
                }
              }),
            );
          }
        } finally {
          await backend.close();
        }
        assert.deepEqual(mismatches, []);
      },
    );
  }
});
