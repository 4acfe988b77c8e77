import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { ChatMessage, ChatRequest } from '../../common/chat.js';
import type { QueryRows, SqlDialect } from '../../common/database.js';
import { ErrorType } from '../../common/errors.js';
import { rowsToCsv } from '../../common/format-rows.js';
import type { SqlResult, SqlStatementRecord } from '../../common/sql.js';
import { localActivityOptions } from '../lib/activity-options.js';
import type { PromptSet } from '../lib/prompts.js';
import type { RunModels } from '../lib/run-models.js';
import { recordModelCall } from '../lib/trace-steps.js';
import type { SqlRun } from './sql-run.js';
import { judge, type Guarded } from '../lib/run-guards.js';
import { plural } from '../../common/plural.js';

const { checkSql } = proxyActivities<Activities>(localActivityOptions);

/** Rows shown to the model for the one-paragraph answer; the rest are summarized by count. */
const answerRowLimit = 50;

/** The turn that shows the model why its query failed. */
function correctionMessage(error: string, timedOut: boolean): ChatMessage {
  return {
    role: 'user',
    content: timedOut
      ? `The query was stopped: ${error}. Write a cheaper query that answers the same question.`
      : `The database refused the query: ${error}\nWrite a corrected query.`,
  };
}

/**
 * Write, check and run statements until one returns rows: an SQL error or a timeout goes back to
 * the model for a corrected query, at most `maxCorrections` times. Returns the statement and its
 * rows, or the run's result when an unsafe statement or the correction limit ended it.
 */
export async function queryUntilRows(
  run: SqlRun,
  models: RunModels,
  dialect: SqlDialect,
  firstMessages: ChatMessage[],
): Promise<{ ended: false; sql: string; rows: QueryRows } | { ended: true; result: SqlResult }> {
  const { input } = run;
  const { executeSql } = proxyActivities<Activities>({
    ...localActivityOptions,
    // The database enforces `timeoutMs`; the activity timeout only catches a worker that died.
    startToCloseTimeout: input.timeoutMs + 30_000,
  });
  let messages = firstMessages;
  const guard = run.guards ? { guard: run.guards.run } : {};
  for (let attempt = 1; ; attempt += 1) {
    run.enterPhase(`attempt ${attempt}: writing SQL`);
    const query = await run.writeQuery(models, messages);
    const { sql } = query;
    const verdict = await checkSql({ sql, dialect, allowedTables: input.allowedTables, ...guard });
    const record: SqlStatementRecord = { attempt, sql, rationale: query.rationale, verdict };
    run.statements.push(record);
    if (!verdict.safe) {
      const reason = verdict.reason ?? 'refused by the guard';
      const error = { type: ErrorType.UnsafeSql, message: reason };
      return {
        ended: true,
        result: run.finish('unsafe_sql', `statement ${attempt} refused: ${reason}`, { error }),
      };
    }
    run.enterPhase(`attempt ${attempt}: running SQL`);
    const execution = await executeSql({
      database: input.database,
      sql,
      timeoutMs: input.timeoutMs,
      maxRows: input.maxRows,
      allowedTables: input.allowedTables,
      // The model saw placeholders for the question's personal data: its literals get the values back there.
      ...guard,
    });
    if (execution.ok) {
      const { columns, rows, truncated, elapsedMs } = execution;
      record.execution = { ok: true, elapsedMs, truncated, rowCount: rows.length };
      return { ended: false, sql, rows: { columns, rows, truncated } };
    }
    record.execution = execution;
    if (attempt > input.maxCorrections) {
      const detail = `${plural(attempt, 'statement')} failed; last: ${execution.error}`;
      return { ended: true, result: run.finish('correction_limit', detail) };
    }
    messages = [
      ...messages,
      { role: 'assistant', content: JSON.stringify(query), toolCalls: [] },
      correctionMessage(execution.error, execution.timedOut),
    ];
  }
}

/**
 * One more model call: a paragraph that answers the question from the rows (the first 50 shown).
 * The rows are outside text on their way to a prompt, and the paragraph is the run's output:
 * both go through the run's guards, which may mask them or stop the run.
 */
export async function writeAnswer(
  run: SqlRun,
  models: RunModels,
  prompts: PromptSet,
  { sql, rows }: { sql: string; rows: QueryRows },
): Promise<Guarded> {
  const { input } = run;
  run.enterPhase('writing the answer');
  const shown = { columns: rows.columns, rows: rows.rows.slice(0, answerRowLimit) };
  const csv = rowsToCsv(shown);
  const shownRows = await judge(run.guards, 'untrusted', 'rows', csv);
  if ('blocked' in shownRows) return shownRows;
  const rendered = prompts.render(input.prompts.answer, {
    question: run.question,
    sql,
    rows: shownRows.text,
    rowSummary:
      plural(rows.rows.length, 'row') +
      (rows.rows.length > answerRowLimit ? `, the first ${answerRowLimit} shown` : '') +
      (rows.truncated ? ', cut off at the row limit' : ''),
  });
  const messages = run.guards ? run.guards.framed(rendered) : rendered;
  const call = await models.call({
    iteration: run.meter.nextIteration(),
    prepare: (): ChatRequest => ({
      messages,
      tools: [],
      temperature: input.temperature,
      maxOutputTokens: run.meter.nextCallAllowance(),
    }),
    reservation: (request) => ({ request }),
    invoke: ({ name, activities, fallbackFrom }, request) =>
      activities.callChatModel({
        model: name,
        ...(fallbackFrom ? { fallbackFrom } : {}),
        prompt: input.prompts.answer,
        request,
      }),
    costOf: (answered) => answered.costUsd,
    timeLeftMs: () => run.meter.timeLeftMs(),
  });
  recordModelCall(run.meter, run.trace, call, input.prompts.answer);
  const answer = call.response.message.content;
  return await judge(run.guards, 'output', 'answer', answer);
}
