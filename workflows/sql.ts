import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ChatMessage } from '../common/chat.js';
import type { SqlDialect } from '../common/database.js';
import { ErrorType } from '../common/errors.js';
import { SqlInputSchema, type SqlInput, type SqlRequest, type SqlResult } from '../common/sql.js';
import { localActivityOptions } from './lib/activity-options.js';
import { capStopOf } from './lib/caps-meter.js';
import { describeFailure } from './lib/failures.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { PromptSet } from './lib/prompts.js';
import { RunModels } from './lib/run-models.js';
import { judge } from './lib/run-guards.js';
import { SqlRun } from './sql/sql-run.js';
import { queryUntilRows, writeAnswer } from './sql/sql-steps.js';
import { plural } from '../common/plural.js';

const { loadPrompts, prepareSqlPrompt } = proxyActivities<Activities>(localActivityOptions);

/**
 * NL2SQL: introspect and link the schema, pick few-shot examples, generate one SELECT
 * (structured), check it with the parser-based guard, run it read-only with a timeout and a row
 * limit, and on an SQL error or timeout show the model the error and let it correct the query,
 * at most `maxCorrections` times. Unsafe SQL ends the run with `unsafe_sql` and never runs. Every
 * statement is recorded with its verdict and execution.
 */
export async function nl2sqlWorkflow(request: SqlRequest): Promise<SqlResult> {
  const input: SqlInput = parseWorkflowInput(SqlInputSchema, request);
  const run = new SqlRun(input);
  try {
    const question = await judge(run.guards, 'input', 'question', input.question);
    if ('blocked' in question) return run.finish('blocked', question.blocked);
    run.question = question.text;
    const { models, prompts, messages, dialect } = await prepareQuestion(run);
    const queried = await queryUntilRows(run, models, dialect, messages);
    if (queried.ended) return queried.result;
    const { sql, rows } = queried;
    const written = input.answer ? await writeAnswer(run, models, prompts, { sql, rows }) : { text: null };
    if ('blocked' in written) return run.finish('blocked', written.blocked, { sql, rows });
    const answer = written.text;
    const cut = rows.truncated ? ' (cut at the row limit)' : '';
    return run.finish(
      'answer',
      `${plural(rows.rows.length, 'row')}${cut} after ${plural(run.statements.length, 'statement')}`,
      { sql, rows, answer },
    );
  } catch (error) {
    const stop = capStopOf(error, run.meter);
    if (stop) return run.finish(stop.stopReason, stop.detail);
    const failure = describeFailure(error);
    const stopReason =
      failure.type === ErrorType.UnsafeSql
        ? 'unsafe_sql'
        : failure.type === ErrorType.BudgetExceeded
          ? 'budget_exhausted'
          : 'error';
    return run.finish(stopReason, failure.message, { error: failure });
  }
}

/**
 * Setup: the schema linked to the question, the few-shot examples and the prompts (activities,
 * so in history), then the run's models; `auto` routes on the question with its schema and
 * examples, as the model will see it.
 */
async function prepareQuestion(
  run: SqlRun,
): Promise<{ models: RunModels; prompts: PromptSet; messages: ChatMessage[]; dialect: SqlDialect }> {
  const { input } = run;
  run.enterPhase('introspecting and linking the schema');
  const [context, templates] = await Promise.all([
    prepareSqlPrompt({
      database: input.database,
      question: run.question,
      tableLimit: input.tableLimit,
      exampleLimit: input.exampleLimit,
      allowedTables: input.allowedTables,
    }),
    loadPrompts({
      refs: input.answer ? [input.prompts.generate, input.prompts.answer] : [input.prompts.generate],
    }),
  ]);
  run.prepared = context;
  const prompts = new PromptSet(templates);
  const examples = context.examples.map((example) => `Question: ${example.question}\nSQL: ${example.sql}`);
  const rendered = prompts.render(input.prompts.generate, {
    dialect: context.dialect === 'postgres' ? 'PostgreSQL' : 'SQLite',
    schema: context.schemaText,
    examples: examples.join('\n\n') || '(none)',
    question: run.question,
  });
  const messages = run.guards ? run.guards.framed(rendered) : rendered;
  const models = await RunModels.start({
    tenant: input.tenant,
    model: input.model,
    retry: input.retry,
    budget: input.budget,
    routeOn: () => ({ messages, toolCount: 0 }),
  });
  run.models = models;
  return { models, prompts, messages, dialect: context.dialect };
}
