import { CancellationScope, setCurrentDetails, setHandler } from '@temporalio/workflow';
import { psvProgressQuery } from '../../common/messages.js';
import type { PsvAttempt, PsvInput, PsvResult, PsvStopReason, PsvTraceStep } from '../../common/psv.js';
import { CapsMeter } from '../lib/caps-meter.js';
import { modelsOutcome, recordRunEnd } from '../lib/run-ending.js';
import type { RunModels } from '../lib/run-models.js';
import { generateStructured, type StructuredCallOptions } from '../lib/structured-call.js';
import { modelStep } from '../lib/trace-steps.js';

/**
 * A Plan -> Solve -> Verify run's state: its caps and use (sub-agents' included), every attempt,
 * the trace and the phase it is in, which `psvProgressQuery` reports. Deterministic.
 */
export class PsvRun {
  readonly meter: CapsMeter;
  readonly attempts: PsvAttempt[] = [];
  readonly trace: PsvTraceStep[] = [];
  models: RunModels | undefined;
  private phase = 'starting';
  private finished = false;

  constructor(readonly input: PsvInput) {
    this.meter = new CapsMeter(input.caps, Date.now());
  }

  handleMessages(): void {
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

  /** A structured call (plan, verdict) within the run's caps; the deadline cancels one in flight. */
  structured<T>(
    models: RunModels,
    options: Pick<StructuredCallOptions<T>, 'output' | 'prompt' | 'messages' | 'check'>,
  ): Promise<T> {
    const { input, meter } = this;
    return CancellationScope.withTimeout(meter.timeLeftMs(), () =>
      generateStructured(models, {
        ...options,
        temperature: input.temperature,
        maxRepairs: input.maxRepairs,
        beforeCall: () => {
          meter.assertAvailable();
          return meter.outputAllowance();
        },
        iteration: () => meter.totals.modelCalls + 1,
        onCall: (call) => {
          meter.addModelCall(call);
          this.trace.push(modelStep(meter.totals.modelCalls, call, options.prompt));
        },
      }),
    );
  }

  finish(
    stopReason: PsvStopReason,
    stopDetail: string,
    extra: Pick<PsvResult, 'answer' | 'confidence' | 'error'> = { answer: null },
  ): PsvResult {
    this.finished = true;
    this.phase = 'finished';
    recordRunEnd(this.input.recordSearchAttributes, this.meter.totals, { stopReason, detail: stopDetail });
    return {
      ...extra,
      stopReason,
      stopDetail,
      attempts: this.attempts,
      caps: this.input.caps,
      totals: this.meter.totals,
      trace: this.trace,
      ...modelsOutcome(this.models),
    };
  }
}
