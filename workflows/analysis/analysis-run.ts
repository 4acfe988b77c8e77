import { setHandler } from '@temporalio/workflow';
import type { AnalysisDocumentResult, AnalysisInput, AnalysisPhase } from '../../common/analysis.js';
import { analysisProgressQuery } from '../../common/messages.js';
import { CapShares } from './cap-shares.js';
import { CapsMeter } from '../lib/caps-meter.js';
import type { CapStop } from '../lib/caps.js';
import { RunGuards } from '../lib/run-guards.js';

/** A document's outcome as the corpus run keeps it: counts and blob references, no text. */
export type DocumentOutcome = Omit<AnalysisDocumentResult, 'totals'>;

/**
 * A corpus run's state: the caps split among its documents (`shares`) and those the reduce steps
 * keep (`reduceMeter`), each document's outcome, the documents in flight and the phase, which
 * `analysisProgressQuery` reports. Deterministic.
 */
export class AnalysisRun {
  readonly startedAt = Date.now();
  readonly shares: CapShares;
  readonly reduceMeter: CapsMeter;
  phase: AnalysisPhase = 'listing';
  /**
   * The documents in flight, by workflow id (for the client to ask each for its own progress),
   * with the chunk lanes each holds: its own, and those handed on to it.
   */
  readonly running = new Map<string, number>();
  /** The cap that kept a reduce step (IDENTIFY, OUTPUT) from being done, when one did. */
  reduceStop: CapStop | undefined;
  /** One entry per document, filled in as each ends. */
  outcomes: Array<DocumentOutcome | undefined> = [];

  /** The run's guards: its documents mask into its vault. None in runs recorded before them. */
  readonly guards: RunGuards | undefined;

  /** `input`: the run's input; its spec is replaced by the one the input stage let go on (`judgeSpec`). */
  constructor(public input: AnalysisInput) {
    this.shares = new CapShares(input.caps, 1 - input.reduceShare, this.startedAt);
    this.reduceMeter = new CapsMeter(input.caps, this.startedAt);
    this.guards = RunGuards.start(input, {}, this.reduceMeter);
  }

  finished(): DocumentOutcome[] {
    return this.outcomes.filter((outcome) => outcome !== undefined);
  }

  handleMessages(): void {
    setHandler(analysisProgressQuery, () => {
      const finished = this.finished();
      return {
        phase: this.phase,
        documents: this.outcomes.length,
        documentsDone: finished.length,
        chunks: finished.reduce((sum, outcome) => sum + outcome.chunks, 0),
        chunksDone: finished.reduce((sum, outcome) => sum + outcome.chunksAnalyzed, 0),
        running: [...this.running.keys()],
        totals: this.phase === 'extracting' ? this.shares.totals : this.reduceMeter.totals,
      };
    });
  }
}
