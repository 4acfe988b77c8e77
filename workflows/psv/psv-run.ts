import { setCurrentDetails, setHandler } from '@temporalio/workflow';
import { psvProgressQuery } from '../../common/messages.js';
import type { PsvAttempt, PsvInput, PsvResult, PsvStopReason, PsvTraceStep } from '../../common/psv.js';
import { CapsMeter } from '../lib/caps-meter.js';
import { modelsOutcome, recordRunEnd } from '../lib/run-ending.js';
import type { RunModels } from '../lib/run-models.js';
import { generateStructured, type StructuredCallOptions } from '../lib/structured-call.js';

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

  /** A structured call (plan, verdict) at the run's temperature, within its caps and repairs. */
  structured<T>(
    models: RunModels,
    options: Pick<StructuredCallOptions<T>, 'output' | 'prompt' | 'messages' | 'check'>,
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
