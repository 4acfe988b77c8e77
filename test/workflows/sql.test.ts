import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../client/project-paths.js';
import type { SqlRequest, SqlResult } from '../../common/sql.js';
import type { FakeLlmScript } from '../../activities/llm/scripted/script-schema.js';
import { openDatabase } from '../../activities/sql/open-database.js';
import type { nl2sqlWorkflow } from '../../workflows/sql.js';
import { useAgentTestbed } from '../helpers/agent-testbed.js';
import { postgresTestUrl } from '../helpers/postgres.js';
import { messagesOf, quickRetry } from './agent-harness.js';
import { withRestoredAnswer } from '../../client/restore-answer.js';

type ScriptRule = NonNullable<FakeLlmScript['rules']>[number];

const chinookSqlite = path.join(projectRoot, 'examples', 'databases', 'chinook.sqlite');
const question = 'Which three genres have the most tracks?';
const goodSql =
  'SELECT "Genre"."Name" AS "Genre", COUNT(*) AS "Tracks" FROM "Track" JOIN "Genre" ON "Genre"."GenreId" = "Track"."GenreId" GROUP BY "Genre"."GenreId", "Genre"."Name" ORDER BY "Tracks" DESC LIMIT 3';
const badSql = 'SELECT "Genre"."Title", COUNT(*) FROM "Track" JOIN "Genre" USING ("GenreId") GROUP BY 1';

const sqlRule = (sql: string, times?: number): ScriptRule => ({
  match: { responseFormat: '^sql_query$' },
  reply: { json: { sql, rationale: 'scripted' }, usage: { inputTokens: 300, outputTokens: 40 } },
  ...(times ? { times } : {}),
});

const databases = [
  { name: 'SQLite', database: chinookSqlite },
  { name: 'PostgreSQL', database: postgresTestUrl() },
];

void describe('nl2sqlWorkflow', () => {
  const testbed = useAgentTestbed();

  for (const { name, database } of databases) {
    const skip = database ? false : 'LLMOS_TEST_POSTGRES_URL is not set';
    const run = (request: Partial<SqlRequest>): Promise<SqlResult> =>
      testbed.temporal.env.client.workflow.execute('nl2sqlWorkflow', {
        args: [{ question, database: database!, model: 'openai:gpt-4o-mini', retry: quickRetry, ...request }],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `sql-${crypto.randomUUID()}`,
      });
    const sqlRequests = () =>
      testbed.fake.requests.filter((request) => request.chatRequest?.responseFormat?.name === 'sql_query');

    void describe(name, { skip }, () => {
      void it('links the schema, picks examples, generates, checks and runs the query', async () => {
        testbed.fake.setScript({ rules: [sqlRule(goodSql)] });
        const result = await run({});

        assert.equal(result.stopReason, 'answer', result.stopDetail);
        assert.equal(result.dialect, name === 'SQLite' ? 'sqlite' : 'postgres');
        assert.deepEqual(result.rows?.columns, ['Genre', 'Tracks']);
        assert.deepEqual(
          result.rows?.rows.map(([genre, tracks]) => [genre, Number(tracks)]),
          [
            ['Rock', 1297],
            ['Latin', 579],
            ['Metal', 374],
          ],
        );
        assert.equal(result.statements.length, 1);
        assert.equal(result.statements[0]?.verdict.safe, true);
        assert.deepEqual(result.statements[0]?.verdict.tables, ['genre', 'track']);
        assert.equal(result.statements[0]?.execution?.ok, true);
        assert.ok(
          result.linkedTables.some((table) => table.table === 'Genre'),
          JSON.stringify(result.linkedTables),
        );
        assert.ok(result.examples.length > 0, 'few-shot examples were picked');
        assert.equal(result.trace[0]?.prompt.id, 'nl2sql.generate');
        // The model saw the linked schema, the examples and the question.
        const prompt = messagesOf(sqlRequests()[0]).at(-1)?.content ?? '';
        assert.match(prompt, /"Genre"/);
        assert.match(prompt, /Question: Which three genres/);
        assert.match(prompt, /SQL: SELECT/);
      });

      void it('shows the model the SQL error and runs its corrected query', async () => {
        testbed.fake.setScript({ rules: [sqlRule(badSql, 1), sqlRule(goodSql)] });
        const result = await run({});

        assert.equal(result.stopReason, 'answer', result.stopDetail);
        assert.equal(result.statements.length, 2);
        const first = result.statements[0]?.execution;
        assert.ok(first && !first.ok && !first.timedOut);
        assert.match(first.error, /Title/);
        assert.equal(result.statements[1]?.execution?.ok, true);
        const correction = messagesOf(sqlRequests()[1]);
        assert.match(correction.at(-1)?.content ?? '', /The database refused the query: .*Title/s);
        assert.equal(correction.at(-2)?.role, 'assistant');
      });

      void it('stops with correction_limit when corrections run out', async () => {
        testbed.fake.setScript({ rules: [sqlRule(badSql)] });
        const result = await run({ maxCorrections: 1 });

        assert.equal(result.stopReason, 'correction_limit');
        assert.equal(result.statements.length, 2);
        assert.equal(result.rows, null);
        assert.equal(sqlRequests().length, 2);
      });

      void it('refuses unsafe SQL with UnsafeSql and never runs it; the database is unchanged', async () => {
        const backend = await openDatabase(database!);
        const before = await backend.checksum();
        testbed.fake.setScript({ rules: [sqlRule('DELETE FROM "Track" WHERE "TrackId" > 0')] });
        const result = await run({});

        assert.equal(result.stopReason, 'unsafe_sql');
        assert.equal(result.error?.type, 'UnsafeSql');
        assert.match(result.error?.message ?? '', /DELETE/i);
        assert.equal(result.statements[0]?.verdict.safe, false);
        assert.equal(result.statements[0]?.execution, undefined, 'never executed');
        assert.equal(await backend.checksum(), before);
        await backend.close();
      });

      void it('cuts off a deliberately slow query at the statement timeout', async () => {
        const slow =
          'WITH RECURSIVE "c"("x") AS (SELECT 1 UNION ALL SELECT "x" + 1 FROM "c") SELECT COUNT(*) FROM "c" WHERE "x" < 100000000';
        testbed.fake.setScript({ rules: [sqlRule(slow)] });
        const started = Date.now();
        const result = await run({ timeoutMs: 1_000, maxCorrections: 0 });

        assert.equal(result.stopReason, 'correction_limit');
        const execution = result.statements[0]?.execution;
        assert.ok(execution && !execution.ok && execution.timedOut, JSON.stringify(execution));
        assert.ok(execution.elapsedMs < 5_000, `took ${execution.elapsedMs} ms`);
        assert.ok(Date.now() - started < 30_000);
      });

      void it('writes a one-paragraph answer from the rows when asked', async () => {
        testbed.fake.setScript({
          rules: [sqlRule(goodSql), { match: {}, reply: { text: 'Rock leads with 1,297 tracks.' } }],
        });
        const result = await run({ answer: true });
        assert.equal(result.answer, 'Rock leads with 1,297 tracks.');
        assert.equal(result.totals.modelCalls, 2);
        assert.deepEqual(
          result.trace.map((step) => step.prompt.id),
          ['nl2sql.generate', 'nl2sql.answer'],
        );
        const answerPrompt = testbed.fake.requests.at(-1)?.chatRequest?.messages.at(-1)?.content ?? '';
        assert.match(answerPrompt, /Rock,1297/);
      });

      void it('masks the personal data of the question and the rows; the query still finds them', async () => {
        const byEmail = 'SELECT "FirstName", "Phone" FROM "Customer" WHERE "Email" = \'<EMAIL_1>\' LIMIT 1';
        testbed.fake.setScript({
          rules: [sqlRule(byEmail), { match: {}, reply: { text: 'Luís can be reached at <PHONE_1>.' } }],
        });
        const result = await run({
          question: 'What is the phone number of the customer luisg@embraer.com.br?',
          answer: true,
        });
        assert.equal(result.stopReason, 'answer', result.stopDetail);
        // The model saw a placeholder and wrote it into its literal; the database saw the address.
        assert.match(messagesOf(sqlRequests()[0]).at(-1)?.content ?? '', /customer <EMAIL_1>\?/);
        assert.equal(result.statements[0]?.sql, byEmail);
        assert.deepEqual(result.rows?.rows, [['Luís', '+55 (12) 3923-5555']]);
        // The rows went to the answer's model masked, and its answer is judged as output.
        const answerPrompt = testbed.fake.requests.at(-1)?.chatRequest?.messages.at(-1)?.content ?? '';
        assert.match(answerPrompt, /Luís,<PHONE_1>/);
        assert.doesNotMatch(answerPrompt, /3923/);
        assert.deepEqual(
          result.guards?.map((guard) => [guard.subject, guard.verdict, guard.maskedCounts]),
          [
            ['question', 'mask', { EMAIL_ADDRESS: 1 }],
            ['rows', 'mask', { PHONE_NUMBER: 1 }],
          ],
        );
        assert.equal((await withRestoredAnswer(result)).answer, 'Luís can be reached at +55 (12) 3923-5555.');
      });
    });
  }

  void it('ends with InvalidInput naming a database that does not exist', async () => {
    testbed.fake.setScript({ rules: [sqlRule(goodSql)] });
    const result = await testbed.temporal.env.client.workflow.execute<typeof nl2sqlWorkflow>(
      'nl2sqlWorkflow',
      {
        args: [
          { question, database: '/nonexistent/db.sqlite', model: 'openai:gpt-4o-mini', retry: quickRetry },
        ],
        taskQueue: testbed.worker.taskQueue,
        workflowId: `sql-${crypto.randomUUID()}`,
      },
    );
    assert.equal(result.stopReason, 'error');
    assert.equal(result.error?.type, 'InvalidInput');
    assert.match(result.error?.message ?? '', /nonexistent/);
    assert.equal(testbed.fake.requests.length, 0);
  });
});
