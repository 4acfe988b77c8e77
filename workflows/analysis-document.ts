import { proxyActivities, setCurrentDetails, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RepairTurn } from '../activities/analysis/json-model-call.js';
import type { DocumentResult } from '../common/analysis-report.js';
import {
  AnalysisDocumentInputSchema,
  analysisRouteMessages,
  documentNotAnalyzed,
  type AnalysisDocumentInput,
  type AnalysisDocumentRequest,
  type AnalysisDocumentResult,
  type FieldCandidate,
  type NotAnalyzed,
} from '../common/analysis.js';
import { chooseValue, mergeFields } from './lib/merge-fields.js';
import { documentProgressQuery } from '../common/messages.js';
import { localActivityOptions } from './lib/activity-options.js';
import { describeFailure } from './lib/failures.js';
import { runInLanes } from './lib/lanes.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { callWithRepairs } from './lib/repair-loop.js';
import { CapsMeter } from './lib/caps-meter.js';
import { RunModels } from './lib/run-models.js';

const { prepareDocument, storeDocumentResult, estimateExtractChunk, estimateReduceStep } =
  proxyActivities<Activities>(localActivityOptions);

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
  const name = input.file.split(/[\\/]/).at(-1) ?? input.id;
  let chunkCount = 0;
  let analyzed = 0;
  setHandler(documentProgressQuery, () => ({
    chunks: chunkCount,
    chunksDone: analyzed,
    totals: meter.totals,
  }));

  let prepared;
  let models: RunModels;
  try {
    prepared = await prepareDocument({ file: input.file, id: input.id, ...input.chunking });
    // A corpus run passes the chain it is on; a document run on its own resolves (or routes) its model.
    models = await RunModels.start({
      model: input.model,
      chain: input.models,
      retry: input.retry,
      budget: input.budget,
      routeOn: () => ({ messages: analysisRouteMessages(input.spec), toolCount: 0 }),
    });
  } catch (error) {
    return {
      ...documentNotAnalyzed({ id: input.id, name }, 'failed', describeFailure(error).message),
      totals: meter.totals,
    };
  }
  chunkCount = prepared.chunks.length;

  const candidates: FieldCandidate[] = [];
  const notAnalyzed: NotAnalyzed[] = [];
  let hallucinatedQuotes = 0;
  await runInLanes(prepared.chunks, input.concurrency, async (chunk) => {
    const extraction = (model: string, repairs: RepairTurn[], maxOutputTokens: number) => ({
      spec: input.spec,
      model,
      prompt: input.prompt,
      documentId: input.id,
      chunk: { index: chunk.index, start: chunk.start, blob: chunk.blob },
      repairs,
      temperature: input.temperature,
      maxOutputTokens,
    });
    const outcome = await callWithRepairs(meter, models, input.maxRepairs, {
      estimate: (repairs, maxOutputTokens) =>
        estimateExtractChunk(extraction(models.current, repairs, maxOutputTokens)),
      attempt: ({ name, activities }, repairs, maxOutputTokens) =>
        activities.extractChunk.executeWithOptions(
          { summary: `${input.id} chunk ${chunk.index + 1}/${chunkCount}` },
          [extraction(name, repairs, maxOutputTokens)],
        ),
    });
    if (outcome.ok) {
      candidates.push(...outcome.value.fields);
      hallucinatedQuotes += outcome.value.hallucinatedQuotes.length;
      analyzed += 1;
    } else {
      notAnalyzed.push({ document: input.id, chunk: chunk.index, reason: outcome.reason });
    }
    setCurrentDetails(`${analyzed}/${chunkCount} chunks analyzed`);
  });
  candidates.sort((a, b) => a.citation.offset - b.citation.offset);
  notAnalyzed.sort((a, b) => (a.chunk ?? -1) - (b.chunk ?? -1));

  // Fields with no majority among the chunks: the model chooses, for a bounded number of them.
  const { fields, undecided } = mergeFields(input.spec, candidates);
  let reconciled = 0;
  for (const field of undecided.slice(0, input.maxReconciliations)) {
    const value = fields[field]!;
    const reconcile = (model: string, repairs: RepairTurn[], maxOutputTokens: number) => ({
      spec: input.spec,
      model,
      prompt: input.reconcilePrompt,
      documentId: input.id,
      field,
      value,
      repairs,
      temperature: input.temperature,
      maxOutputTokens,
    });
    const outcome = await callWithRepairs(meter, models, input.maxRepairs, {
      estimate: (repairs, maxOutputTokens) =>
        estimateReduceStep({ kind: 'reconcile', input: reconcile(models.current, repairs, maxOutputTokens) }),
      attempt: ({ name, activities }, repairs, maxOutputTokens) =>
        activities.reconcileField(reconcile(name, repairs, maxOutputTokens)),
    });
    // Not settled by the model: the rule's choice (first in the document) stands, and says so.
    if (!outcome.ok) continue;
    fields[field] = chooseValue(value, outcome.value.choice, outcome.value.reason);
    reconciled += 1;
  }

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
    hallucinatedQuotes,
    reconciled,
    notAnalyzed,
    fallbacks: models.fallbacks,
    ...(models.budgetRefusal !== undefined ? { budgetRefusal: models.budgetRefusal } : {}),
    totals: meter.totals,
  };
}
