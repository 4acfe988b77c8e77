import type { DocumentSource } from '../../activities/analysis/ingest.js';
import {
  executeChild,
  getExternalWorkflowHandle,
  patched,
  setCurrentDetails,
  workflowInfo,
} from '@temporalio/workflow';
import { moreChunkLanesSignal } from '../../common/messages.js';
import { documentNotAnalyzed } from '../../common/analysis.js';
import type { RunCaps } from '../../common/run-contract.js';
import type { CapStop } from '../lib/caps.js';
import { describeFailure } from '../lib/failures.js';
import { runInLanes } from '../lib/lanes.js';
import type { RunModels } from '../lib/run-models.js';
import { analyzeDocumentWorkflow } from '../analysis-document.js';
import type { AnalysisRun, DocumentOutcome } from './analysis-run.js';

/**
 * Map: one child `analyzeDocumentWorkflow` per document, in lanes, so the model calls in flight
 * are lanes x chunk lanes <= `concurrency`. Once no document is left to start, the chunk lanes of
 * each document that ends go to those still running (`moreChunkLanesSignal`), so the last ones do
 * not run on a few lanes while the rest idle. Each document gets its share of the caps when it
 * starts; when the shares or the shared budget leave nothing, the rest are skipped and say why.
 * Fills `run.outcomes` (one entry per source); returns the cap or budget stop that cut the map short, if one did.
 */
export async function mapDocuments(
  run: AnalysisRun,
  models: RunModels,
  sources: readonly DocumentSource[],
): Promise<CapStop | undefined> {
  const { input, shares, running } = run;
  run.phase = 'extracting';
  const lanes = Math.min(input.concurrency, sources.length);
  const chunkLanes = Math.max(1, Math.floor(input.concurrency / lanes));
  let mapStop: CapStop | undefined;
  // The shared budget refused a document's call: the spend leaves no room, so no more documents start.
  let budgetRefusal: string | undefined;
  let started = 0;
  await runInLanes(sources, lanes, async (source, index) => {
    started += 1;
    const name = source.id.split('/').at(-1) ?? source.id;
    const notStarted = (status: 'skipped' | 'failed', reason: string): DocumentOutcome =>
      documentNotAnalyzed({ id: source.id, name }, status, reason);
    if (budgetRefusal !== undefined) {
      run.outcomes[index] = notStarted('skipped', `budget_exhausted: ${budgetRefusal}`);
      return;
    }
    const share = shares.take(lanes - running.size);
    if ('stop' in share) {
      mapStop ??= share.stop;
      run.outcomes[index] = notStarted('skipped', `${share.stop.stopReason}: ${share.stop.detail}`);
      return;
    }
    const childId = `${workflowInfo().workflowId}/document-${index + 1}`;
    running.set(childId, chunkLanes);
    try {
      const { totals, ...outcome } = await analyzeDocument(
        run,
        models,
        source,
        childId,
        share.caps,
        chunkLanes,
      );
      models.follow(outcome.fallbacks, shares.totals.modelCalls);
      shares.settle(share.caps, totals);
      run.outcomes[index] = outcome;
      // A cap of the document's share left chunks out: the run stopped short of its work.
      if (outcome.capStop) mapStop ??= outcome.capStop;
      if (outcome.budgetRefusal !== undefined) {
        budgetRefusal ??= outcome.budgetRefusal;
        mapStop ??= { stopReason: 'budget_exhausted', detail: outcome.budgetRefusal };
      }
    } catch (error) {
      shares.settle(share.caps, undefined);
      run.outcomes[index] = notStarted('failed', describeFailure(error).message);
    } finally {
      const freed = running.get(childId) ?? chunkLanes;
      running.delete(childId);
      if (started === sources.length) await handOnLanes(running, freed);
    }
    setCurrentDetails(`${run.finished().length}/${sources.length} documents analyzed`);
  });
  return mapStop;
}

/**
 * Gives the chunk lanes of a document that ended to the documents still running, the latest
 * started first (they have the most chunks left). Runs recorded before keep their lanes.
 */
async function handOnLanes(running: Map<string, number>, freed: number): Promise<void> {
  const targets = [...running.keys()].reverse();
  if (targets.length === 0 || !patched('hand-on-chunk-lanes')) return;
  const counts = targets.map(
    (_, at) => Math.floor(freed / targets.length) + (at < freed % targets.length ? 1 : 0),
  );
  await Promise.all(
    targets.map(async (workflowId, at) => {
      if (counts[at] === 0) return;
      running.set(workflowId, (running.get(workflowId) ?? 0) + counts[at]!);
      try {
        await getExternalWorkflowHandle(workflowId).signal(moreChunkLanesSignal, counts[at]!);
      } catch {
        // The document ended meanwhile: it needs no lanes.
      }
    }),
  );
}

/** One document's child run, on the run's model chain from where it is and against its shared budget. */
function analyzeDocument(
  run: AnalysisRun,
  models: RunModels,
  source: DocumentSource,
  workflowId: string,
  caps: RunCaps,
  chunkLanes: number,
) {
  const { input } = run;
  return executeChild(analyzeDocumentWorkflow, {
    workflowId,
    args: [
      {
        file: source.file,
        id: source.id,
        spec: input.spec,
        model: models.current,
        models: models.remaining,
        providerQueues: [...models.providerQueues],
        ...(models.policy ? { policy: models.policy } : {}),
        ...(input.budget ? { budget: input.budget } : {}),
        chunking: input.chunking,
        concurrency: chunkLanes,
        maxRepairs: input.maxRepairs,
        maxReconciliations: input.maxReconciliations,
        prompt: input.prompts.extract,
        reconcilePrompt: input.prompts.reconcile,
        temperature: input.temperature,
        caps,
        retry: input.retry,
        // The document judges its chunks by the run's profile, and masks into the run's vault.
        ...(run.guards ? { piiVault: run.guards.run.vaultId, tenant: input.tenant } : {}),
      },
    ],
  });
}
