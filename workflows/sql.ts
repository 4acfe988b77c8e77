import { CancellationScope, proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ModelStep } from '../common/trace-steps.js';
import type { ChatMessage, ChatRequest } from '../common/chat.js';
import { ErrorType } from '../common/errors.js';
import { rowsToCsv } from '../common/format-rows.js';
import {
  SqlInputSchema,
  sqlQueryOutput,
  type SqlInput,
  type SqlRequest,
  type SqlResult,
  type SqlStopReason,
  type SqlStatementRecord,
} from '../common/sql.js';
import type { QueryRows } from '../common/database.js';
import { localActivityOptions } from './lib/activity-options.js';
import { modelStep } from './lib/trace-steps.js';
import { describeFailure } from './lib/failures.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { PromptSet } from './lib/prompts.js';
import { capStopOf, CapsMeter } from './lib/caps-meter.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';
import { RunModels } from './lib/run-models.js';
import { generateStructured } from './lib/structured-call.js';

const { loadPrompts, prepareSqlPrompt, checkSql } = proxyActivities<Activities>(localActivityOptions);

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
 * NL2SQL: introspect and link the schema, pick few-shot examples, generate one SELECT
 * (structured), check it with the parser-based guard, run it read-only with a timeout and a row
 * limit, and on an SQL error or timeout show the model the error and let it correct the query,
 * at most `maxCorrections` times. Unsafe SQL ends the run with `unsafe_sql` and never runs. Every
 * statement is recorded with its verdict and execution.
 */
export async function nl2sqlWorkflow(request: SqlRequest): Promise<SqlResult> {
  const input: SqlInput = parseWorkflowInput(SqlInputSchema, request);
  const { executeSql } = proxyActivities<Activities>({
    ...localActivityOptions,
    // The database enforces `timeoutMs`; the activity timeout only catches a worker that died.
    startToCloseTimeout: input.timeoutMs + 30_000,
  });
  const meter = new CapsMeter(input.caps, Date.now());
  const statements: SqlStatementRecord[] = [];
  const trace: ModelStep[] = [];
  let prepared: Awaited<ReturnType<typeof prepareSqlPrompt>> | undefined;
  let models: RunModels | undefined;

  const finish = (
    stopReason: SqlStopReason,
    stopDetail: string,
    extra: Partial<Pick<SqlResult, 'sql' | 'rows' | 'answer' | 'error'>> = {},
  ): SqlResult => {
    recordRunOutcome(input.recordSearchAttributes, meter.totals, stopReason);
    setCurrentDetails(`${stopReason}: ${stopDetail}`);
    return {
      question: input.question,
      database: prepared?.database ?? '(not opened)',
      dialect: prepared?.dialect ?? null,
      sql: null,
      rows: null,
      answer: null,
      ...extra,
      stopReason,
      stopDetail,
      statements,
      linkedTables: prepared?.linkedTables ?? [],
      examples: prepared?.examples.map((example) => example.question) ?? [],
      caps: input.caps,
      totals: meter.totals,
      trace,
      fallbacks: models?.fallbacks ?? [],
      ...(models?.route ? { route: models.route } : {}),
    };
  };
  const withinCaps = () => {
    meter.assertAvailable();
    return meter.outputAllowance();
  };
  const recordCall = (prompt: SqlInput['prompts']['generate']) => (call: Parameters<typeof modelStep>[1]) => {
    meter.addModelCall(call);
    trace.push(modelStep(meter.totals.modelCalls, call, prompt));
  };

  try {
    setCurrentDetails('introspecting and linking the schema');
    const [context, templates] = await Promise.all([
      prepareSqlPrompt({
        database: input.database,
        question: input.question,
        tableLimit: input.tableLimit,
        exampleLimit: input.exampleLimit,
        allowedTables: input.allowedTables,
      }),
      loadPrompts({
        refs: input.answer ? [input.prompts.generate, input.prompts.answer] : [input.prompts.generate],
      }),
    ]);
    prepared = context;
    const prompts = new PromptSet(templates);
    let messages = prompts.render(input.prompts.generate, {
      dialect: context.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite',
      schema: context.schemaText,
      examples:
        context.examples
          .map((example) => `Question: ${example.question}\nSQL: ${example.sql}`)
          .join('\n\n') || '(none)',
      question: input.question,
    });
    // `auto` routes on the question with its schema and examples, as the model will see it.
    const run = await RunModels.start({
      model: input.model,
      retry: input.retry,
      budget: input.budget,
      routeOn: () => ({ messages, toolCount: 0 }),
    });
    models = run;
    const iteration = () => meter.totals.modelCalls + 1;

    let rows: QueryRows | undefined;
    let sql = '';
    for (let attempt = 1; !rows; attempt += 1) {
      setCurrentDetails(`attempt ${attempt}: writing SQL`);
      const query = await CancellationScope.withTimeout(
        Math.max(1, input.caps.maxWallTimeMs - meter.elapsedMs()),
        () =>
          generateStructured(run, {
            output: sqlQueryOutput,
            prompt: input.prompts.generate,
            messages,
            temperature: input.temperature,
            maxRepairs: input.maxRepairs,
            beforeCall: withinCaps,
            iteration,
            onCall: recordCall(input.prompts.generate),
          }),
      );
      sql = query.sql;
      const verdict = await checkSql({ sql, dialect: context.dialect, allowedTables: input.allowedTables });
      const record: SqlStatementRecord = { attempt, sql, rationale: query.rationale, verdict };
      statements.push(record);
      if (!verdict.safe) {
        const reason = verdict.reason ?? 'refused by the guard';
        return finish('unsafe_sql', `statement ${attempt} refused: ${reason}`, {
          error: { type: ErrorType.UnsafeSql, message: reason },
        });
      }
      setCurrentDetails(`attempt ${attempt}: running SQL`);
      const execution = await executeSql({
        database: input.database,
        sql,
        timeoutMs: input.timeoutMs,
        maxRows: input.maxRows,
        allowedTables: input.allowedTables,
      });
      if (execution.ok) {
        const { columns, rows: values, truncated, elapsedMs } = execution;
        record.execution = { ok: true, elapsedMs, truncated, rowCount: values.length };
        rows = { columns, rows: values, truncated };
        break;
      }
      record.execution = execution;
      if (attempt > input.maxCorrections) {
        return finish(
          'correction_limit',
          `${attempt} statement${attempt === 1 ? '' : 's'} failed; last: ${execution.error}`,
        );
      }
      messages = [
        ...messages,
        { role: 'assistant', content: JSON.stringify(query), toolCalls: [] },
        correctionMessage(execution.error, execution.timedOut),
      ];
    }

    let answer: string | null = null;
    if (input.answer) {
      setCurrentDetails('writing the answer');
      const shown = { columns: rows.columns, rows: rows.rows.slice(0, answerRowLimit) };
      const answerMessages = prompts.render(input.prompts.answer, {
        question: input.question,
        sql,
        rows: rowsToCsv(shown),
        rowSummary:
          `${rows.rows.length} row${rows.rows.length === 1 ? '' : 's'}` +
          (rows.rows.length > answerRowLimit ? `, the first ${answerRowLimit} shown` : '') +
          (rows.truncated ? ', cut off at the row limit' : ''),
      });
      const call = await run.call({
        iteration: iteration(),
        prepare: (): ChatRequest => ({
          messages: answerMessages,
          tools: [],
          temperature: input.temperature,
          maxOutputTokens: withinCaps(),
        }),
        reservation: (answerRequest) => ({ request: answerRequest }),
        invoke: ({ name, activities }, answerRequest) =>
          activities.callChatModel({ model: name, prompt: input.prompts.answer, request: answerRequest }),
        costOf: (answered) => answered.costUsd,
      });
      recordCall(input.prompts.answer)(call);
      answer = call.response.message.content;
    }
    return finish(
      'answer',
      `${rows.rows.length} row${rows.rows.length === 1 ? '' : 's'}${rows.truncated ? ' (cut at the row limit)' : ''} after ${statements.length} statement${statements.length === 1 ? '' : 's'}`,
      { sql, rows, answer },
    );
  } catch (error) {
    const stop = capStopOf(error, meter);
    if (stop) return finish(stop.stopReason, stop.detail);
    const failure = describeFailure(error);
    const stopReason =
      failure.type === ErrorType.UnsafeSql
        ? 'unsafe_sql'
        : failure.type === ErrorType.BudgetExceeded
          ? 'budget_exhausted'
          : 'error';
    return finish(stopReason, failure.message, { error: failure });
  }
}
