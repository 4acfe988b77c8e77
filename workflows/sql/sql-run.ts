import { setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import {
  sqlQueryOutput,
  type SqlInput,
  type SqlQuery,
  type SqlResult,
  type SqlStatementRecord,
  type SqlStopReason,
} from '../../common/sql.js';
import type { ChatMessage } from '../../common/chat.js';
import type { ModelStep } from '../../common/trace-steps.js';
import { CapsMeter } from '../lib/caps-meter.js';
import { modelsOutcome, recordRunEnd } from '../lib/run-ending.js';
import type { RunModels } from '../lib/run-models.js';
import { generateStructured } from '../lib/structured-call.js';
import { RunGuards } from '../lib/run-guards.js';

/** The schema context the worker prepared: linked tables, examples, the prompt's schema text. */
export type PreparedSql = Awaited<ReturnType<Activities['prepareSqlPrompt']>>;

/**
 * An SQL run's state: its caps and use, every statement with its verdict and execution, the
 * trace, and what the result reports of the schema the worker prepared. Deterministic.
 */
export class SqlRun {
  readonly meter: CapsMeter;
  readonly statements: SqlStatementRecord[] = [];
  readonly trace: ModelStep[] = [];
  prepared: PreparedSql | undefined;
  models: RunModels | undefined;
  /** The run's guard pipeline; none in runs recorded before it. */
  readonly guards: RunGuards | undefined;
  /** The question as the models see it: masked by the input guard, where it masks. */
  question: string;

  constructor(readonly input: SqlInput) {
    this.meter = new CapsMeter(input.caps, Date.now());
    this.guards = RunGuards.start(input, {}, this.meter);
    this.question = input.question;
  }

  /** What the UI's details line shows while the run works. */
  enterPhase(name: string): void {
    setCurrentDetails(name);
  }

  /** One query from the model for `messages`, within the run's caps and repairs. */
  writeQuery(models: RunModels, messages: ChatMessage[]): Promise<SqlQuery> {
    const { input, meter, trace } = this;
    return generateStructured(models, {
      output: sqlQueryOutput,
      prompt: input.prompts.generate,
      request: { messages },
      temperature: input.temperature,
      maxRepairs: input.maxRepairs,
      meter,
      trace,
    });
  }

  finish(
    stopReason: SqlStopReason,
    stopDetail: string,
    extra: Partial<Pick<SqlResult, 'sql' | 'rows' | 'answer' | 'error'>> = {},
  ): SqlResult {
    const { input, prepared } = this;
    recordRunEnd(input.recordSearchAttributes, this.meter.totals, { stopReason, detail: stopDetail });
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
      statements: this.statements,
      linkedTables: prepared?.linkedTables ?? [],
      examples: prepared?.examples.map((example) => example.question) ?? [],
      caps: input.caps,
      totals: this.meter.totals,
      trace: this.trace,
      ...modelsOutcome(this.models),
      ...this.guards?.outcome,
    };
  }
}
