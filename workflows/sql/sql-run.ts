import { CancellationScope, setCurrentDetails } from '@temporalio/workflow';
import type { Activities, CallChatModelOutput } from '../../activities/index.js';
import type { PromptRef } from '../../common/prompt-template.js';
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
import { modelStep } from '../lib/trace-steps.js';

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

  constructor(readonly input: SqlInput) {
    this.meter = new CapsMeter(input.caps, Date.now());
  }

  /** What the UI's details line shows while the run works. */
  enterPhase(name: string): void {
    setCurrentDetails(name);
  }

  /** The output tokens the next call may ask for; throws `CapReached` when no call may be made. */
  withinCaps(): number {
    this.meter.assertAvailable();
    return this.meter.outputAllowance();
  }

  /** Counts a model call made for `prompt` and adds it to the trace. */
  recordCall(prompt: PromptRef, call: CallChatModelOutput): void {
    this.meter.addModelCall(call);
    this.trace.push(modelStep(this.meter.totals.modelCalls, call, prompt));
  }

  /** One query from the model for `messages`, with repairs; the deadline cancels it in flight. */
  writeQuery(models: RunModels, messages: ChatMessage[]): Promise<SqlQuery> {
    const { input, meter } = this;
    return CancellationScope.withTimeout(meter.timeLeftMs(), () =>
      generateStructured(models, {
        output: sqlQueryOutput,
        prompt: input.prompts.generate,
        messages,
        temperature: input.temperature,
        maxRepairs: input.maxRepairs,
        beforeCall: () => this.withinCaps(),
        iteration: () => meter.totals.modelCalls + 1,
        onCall: (call) => this.recordCall(input.prompts.generate, call),
      }),
    );
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
    };
  }
}
