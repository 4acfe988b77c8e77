import type { ToolCallOptions } from '../../common/chat.js';
import {
  isCancellation,
  patched,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { psvProgressQuery } from '../../common/messages.js';
import type { PsvAttempt, PsvInput, PsvResult, PsvStopReason, PsvTraceStep } from '../../common/psv.js';
import { localActivityOptions } from '../lib/activity-options.js';
import { CapsMeter } from '../lib/caps-meter.js';
import { RunTrace } from '../lib/run-trace.js';
import { modelsOutcome, recordRunEnd } from '../lib/run-ending.js';
import type { PromptSet } from '../lib/prompts.js';
import type { StepText } from './psv-steps.js';
import type { RunModels } from '../lib/run-models.js';
import { RunGuards } from '../lib/run-guards.js';
import { RunApprovals } from '../lib/run-approvals.js';
import {
  generateStructured,
  type StructuredCallOptions,
  type RenderedRequest,
  type VariablesRequest,
} from '../lib/structured-call.js';

// Storing is idempotent (the blob store is content-addressed): a local activity, one marker.
const { storeText } = proxyLocalActivities<Activities>(localActivityOptions);

/**
 * A Plan -> Solve -> Verify run's state: its caps and use (sub-agents' included), every attempt,
 * the trace and the phase it is in, which `psvProgressQuery` reports. Deterministic.
 */
export class PsvRun {
  readonly meter: CapsMeter;
  readonly attempts: PsvAttempt[] = [];
  readonly trace: RunTrace<PsvTraceStep>;
  models: RunModels | undefined;
  /** The tools that run as local activities (pure ones), in a run with flat steps. */
  pureTools: readonly string[] = [];
  /** Tools whose calls run with their own timeout or retries, by name. */
  toolCalls: Readonly<Record<string, ToolCallOptions>> = {};
  /**
   * Steps that write less history: the activity renders each structured call's prompt from its
   * variables, the budget reserves a token bound rather than the request, no timer per call
   * (the deadline is the call's schedule-to-close timeout), pure tools as local activities.
   * Runs recorded before keep their steps as they were.
   */
  readonly flatSteps = patched('psv-flat-steps');
  /** The run's guard pipeline; none in runs recorded before it. */
  readonly guards: RunGuards | undefined;
  /** Tool calls of the plan's steps that wait for a person. */
  readonly approvals: RunApprovals;
  /** The task as the models see it: masked by the input guard, where it masks. */
  task: string;
  private phase = 'starting';
  private finished = false;

  constructor(readonly input: PsvInput) {
    this.meter = new CapsMeter(input.caps, Date.now());
    this.trace = new RunTrace<PsvTraceStep>([], this.flatSteps);
    this.guards = RunGuards.start(input, {}, this.meter);
    this.approvals = new RunApprovals(input.approval, input.tools, input.recordSearchAttributes);
    this.task = input.task;
  }

  handleMessages(): void {
    this.approvals.handleMessages();
    setHandler(psvProgressQuery, () => ({
      status: this.finished ? 'finished' : 'running',
      phase: this.phase,
      attempt: this.attempts.length,
      totals: this.meter.totals,
      elapsedMs: this.meter.elapsedMs(),
    }));
  }

  enterPhase(name: string): void {
    this.phase = name;
    const { totals } = this.meter;
    setCurrentDetails(`${name}; ${totals.modelCalls} model calls, $${totals.costUsd.toFixed(6)}`);
  }

  /**
   * What a structured call on `prompt` sends: its variables, for the activity to render, or in a
   * run recorded before flat steps the messages rendered here (a stored value by its beginning).
   */
  request(
    prompts: PromptSet,
    prompt: PromptRef,
    variables: Record<string, string | StepText>,
  ): RenderedRequest | VariablesRequest {
    const values = Object.entries(variables);
    if (this.flatSteps)
      return {
        prompts,
        // The run's guards look for the prompt's canary in the answer.
        ...(this.guards ? { canary: this.guards.canaryFor(prompts.systemLayout(prompt)) } : {}),
        variables: Object.fromEntries(
          values.map(([name, value]) => [
            name,
            typeof value === 'string' ? value : (value.stored ?? value.text),
          ]),
        ),
      };
    const inline = values.map(([name, value]): [string, string] => [
      name,
      typeof value === 'string' ? value : value.text,
    ]);
    return { messages: prompts.render(prompt, Object.fromEntries(inline)) };
  }

  /** A structured call (plan, verdict) at the run's temperature, within its caps and repairs. */
  structured<T>(
    models: RunModels,
    options: Pick<StructuredCallOptions<T>, 'output' | 'prompt' | 'request' | 'check'>,
  ): Promise<T> {
    const { input, meter, trace } = this;
    return generateStructured(models, {
      ...options,
      temperature: input.temperature,
      maxRepairs: input.maxRepairs,
      meter,
      trace,
    });
  }

  /** Never throws: a trace or attempts the blob store would not take stay in the result. */
  async finish(
    stopReason: PsvStopReason,
    stopDetail: string,
    extra: Pick<PsvResult, 'answer' | 'confidence' | 'error'> = { answer: null },
  ): Promise<PsvResult> {
    this.finished = true;
    this.phase = 'finished';
    recordRunEnd(this.input.recordSearchAttributes, this.meter.totals, { stopReason, detail: stopDetail });
    const result: PsvResult = {
      ...extra,
      stopReason,
      stopDetail,
      attempts: this.attempts,
      caps: this.input.caps,
      totals: this.meter.totals,
      trace: this.trace.recent,
      ...modelsOutcome(this.models),
      ...this.guards?.outcome,
    };
    // With flat steps the trace and the attempts go to the blob store (read back with
    // `withWholePsvResult`), so the result does not grow with the run's steps. Runs recorded
    // before keep their attempts in the result.
    const stored = await this.trace.storedResult(result);
    if (stored.traceSegments === undefined || !patched('psv-attempts-stored')) return stored;
    try {
      return { ...stored, attempts: [], attemptsStored: await storeText(JSON.stringify(this.attempts)) };
    } catch (error) {
      if (isCancellation(error)) throw error;
      return stored;
    }
  }
}
