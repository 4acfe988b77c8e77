import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DocumentResult } from '../common/analysis-report.js';
import {
  AnalysisDocumentInputSchema,
  analysisRouteMessages,
  documentNotAnalyzed,
  type AnalysisDocumentInput,
  type AnalysisDocumentRequest,
  type AnalysisDocumentResult,
} from '../common/analysis.js';
import { documentProgressQuery, moreChunkLanesSignal } from '../common/messages.js';
import { extractChunks, reconcileFields } from './analysis/document-steps.js';
import { localActivityOptions } from './lib/activity-options.js';
import { CapsMeter } from './lib/caps-meter.js';
import { Lanes } from './lib/lanes.js';
import { describeFailure } from './lib/failures.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { RunModels } from './lib/run-models.js';
import { RunGuards, summarizeSteps } from './lib/run-guards.js';

const { prepareDocument, storeDocumentResult } = proxyActivities<Activities>(localActivityOptions);

/**
 * One document of an analysis: chunk it (texts go to the blob store, history keeps references),
 * extract the spec's fields from every chunk under a concurrency limit, each chunk with a bounded
 * repair loop, drop quotes not found verbatim, merge the values per field, and let the model
 * settle fields whose chunks disagree with no majority (bounded). A chunk that cannot be
 * analyzed (repairs exhausted, provider error, a cap reached) is listed with the reason; the
 * document is then `partial`. The merged result goes to the blob store and the workflow returns
 * its reference: a corpus run holds about 3 KB per document, whatever its size.
 */
export async function analyzeDocumentWorkflow(
  request: AnalysisDocumentRequest,
): Promise<AnalysisDocumentResult> {
  const input: AnalysisDocumentInput = parseWorkflowInput(AnalysisDocumentInputSchema, request);
  const meter = new CapsMeter(input.caps, Date.now());
  const progress = { chunks: 0, chunksDone: 0 };
  setHandler(documentProgressQuery, () => ({ ...progress, totals: meter.totals }));
  const lanes = new Lanes(input.concurrency);
  setHandler(moreChunkLanesSignal, (count) => lanes.add(count));

  // Each chunk goes through the run's untrusted stage where it is made: masked, flagged, or blocked.
  const guards = RunGuards.start(input, {}, meter);
  let prepared;
  let models: RunModels;
  try {
    prepared = await prepareDocument({
      file: input.file,
      id: input.id,
      ...input.chunking,
      ...(guards ? { guard: guards.run } : {}),
    });
    // A corpus run passes the chain it is on; a document run on its own resolves (or routes) its model.
    models = await RunModels.start({
      tenant: input.tenant,
      model: input.model,
      chain: input.models,
      providerQueues: input.providerQueues,
      policy: input.policy,
      retry: input.retry,
      budget: input.budget,
      routeOn: () => ({ messages: analysisRouteMessages(input.spec), toolCount: 0 }),
    });
  } catch (error) {
    const name = input.file.split(/[\\/]/).at(-1) ?? input.id;
    return {
      ...documentNotAnalyzed({ id: input.id, name }, 'failed', describeFailure(error).message),
      totals: meter.totals,
    };
  }
  const chunkCount = (progress.chunks = prepared.chunks.length);
  for (const chunk of prepared.chunks) guards?.record(chunk.guard);
  const work = { input, meter, models, ...(guards ? { piiVault: guards.run.vaultId } : {}) };
  // A chunk a guard blocked is never shown to a model: it is listed, not analyzed.
  const extraction = await extractChunks(
    work,
    prepared.chunks.filter((chunk) => chunk.guard?.verdict !== 'block'),
    lanes,
    (analyzed) => (progress.chunksDone = analyzed),
  );
  for (const chunk of prepared.chunks)
    if (chunk.guard?.verdict === 'block')
      extraction.notAnalyzed.push({
        document: input.id,
        chunk: chunk.index,
        reason: `blocked (untrusted guard): ${chunk.guard.reasons.join('; ')}`,
      });
  extraction.notAnalyzed.sort((a, b) => (a.chunk ?? -1) - (b.chunk ?? -1));
  const { fields, reconciled } = await reconcileFields(work, extraction.candidates);

  const { analyzed, notAnalyzed } = extraction;
  const status = analyzed === chunkCount ? 'analyzed' : analyzed === 0 ? 'failed' : 'partial';
  const summary: Omit<DocumentResult, 'fields'> = {
    id: input.id,
    name: prepared.name,
    status,
    ...(status !== 'analyzed'
      ? { reason: `${notAnalyzed.length} of ${chunkCount} chunks not analyzed` }
      : {}),
    chunks: chunkCount,
    chunksAnalyzed: analyzed,
  };
  const result = await storeDocumentResult({ ...summary, fields });
  return {
    ...summary,
    result,
    text: prepared.text,
    fieldsFound: Object.keys(fields).length,
    hallucinatedQuotes: extraction.hallucinatedQuotes,
    reconciled,
    notAnalyzed,
    fallbacks: models.fallbacks,
    ...(models.budgetRefusal !== undefined ? { budgetRefusal: models.budgetRefusal } : {}),
    ...(extraction.capStop ? { capStop: extraction.capStop } : {}),
    // A few steps however many chunks: the parent holds every document's.
    ...(guards && guards.steps.length > 0
      ? { ...guards.outcome, guards: summarizeSteps(guards.steps, input.id) }
      : {}),
    totals: meter.totals,
  };
}
