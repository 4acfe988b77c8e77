import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { DocumentResult } from '../../common/analysis-report.js';
import type { AnalysisDocumentInput, FieldCandidate, NotAnalyzed } from '../../common/analysis.js';
import type { CapsMeter } from '../lib/caps-meter.js';
import type { CapStop } from '../lib/caps.js';
import { localActivityOptions } from '../lib/activity-options.js';
import type { Lanes } from '../lib/lanes.js';
import { chooseValue, mergeFields } from './merge-fields.js';
import { callWithRepairs } from '../lib/repair-loop.js';
import type { RunModels } from '../lib/run-models.js';

const { estimateExtractChunk, estimateReduceStep } = proxyActivities<Activities>(localActivityOptions);

type Chunk = Awaited<ReturnType<Activities['prepareDocument']>>['chunks'][number];

/** What a document's model calls work with: its input, its caps and use, and the run's models. */
export interface DocumentWork {
  input: AnalysisDocumentInput;
  meter: CapsMeter;
  models: RunModels;
  /** The run's PII vault, when it has guards: a masked chunk's quotes are checked through it. */
  piiVault?: string;
}

/** What extracting the chunks gave: every cited value found, and what could not be done. */
export interface Extraction {
  candidates: FieldCandidate[];
  notAnalyzed: NotAnalyzed[];
  hallucinatedQuotes: number;
  analyzed: number;
  /** The cap that stopped chunks from being analyzed, when one did. */
  capStop?: CapStop;
}

/**
 * Map within a document: the spec's fields from every chunk, as many chunks at once as `lanes`
 * has (`concurrency`, and those the corpus run adds), each with a bounded repair loop. A chunk that cannot be analyzed is listed with the reason.
 * `onChunkDone` reports progress. Candidates come back in document order.
 */
export async function extractChunks(
  { input, meter, models, piiVault }: DocumentWork,
  chunks: readonly Chunk[],
  lanes: Lanes,
  onChunkDone: (analyzed: number) => void,
): Promise<Extraction> {
  const extraction: Extraction = { candidates: [], notAnalyzed: [], hallucinatedQuotes: 0, analyzed: 0 };
  await lanes.run(chunks, async (chunk) => {
    const outcome = await callWithRepairs(meter, models, input.maxRepairs, {
      request: (call) => ({
        ...call,
        spec: input.spec,
        prompt: input.prompt,
        documentId: input.id,
        chunk: {
          index: chunk.index,
          start: chunk.start,
          blob: chunk.blob,
          ...(chunk.masked ? { masked: chunk.masked } : {}),
        },
        ...(chunk.masked && piiVault ? { piiVault } : {}),
        temperature: input.temperature,
      }),
      estimate: (request) => estimateExtractChunk(request),
      attempt: (activities, request) =>
        activities.extractChunk.executeWithOptions(
          { summary: `${input.id} chunk ${chunk.index + 1}/${chunks.length}` },
          [request],
        ),
      concurrency: () => lanes.width,
    });
    if (outcome.ok) {
      extraction.candidates.push(...outcome.value.fields);
      extraction.hallucinatedQuotes += outcome.value.hallucinatedQuotes.length;
      extraction.analyzed += 1;
    } else {
      extraction.notAnalyzed.push({ document: input.id, chunk: chunk.index, reason: outcome.reason });
      extraction.capStop ??= outcome.stop;
    }
    onChunkDone(extraction.analyzed);
    setCurrentDetails(`${extraction.analyzed}/${chunks.length} chunks analyzed`);
  });
  extraction.candidates.sort((a, b) => a.citation.offset - b.citation.offset);
  extraction.notAnalyzed.sort((a, b) => (a.chunk ?? -1) - (b.chunk ?? -1));
  return extraction;
}

/**
 * Reduce within a document: the values merged per field, and fields whose chunks disagree with
 * no majority settled by the model, at most `maxReconciliations` of them. A field the model does
 * not settle keeps the rule's choice (first in the document), which says so.
 */
export async function reconcileFields(
  { input, meter, models }: DocumentWork,
  candidates: FieldCandidate[],
): Promise<{ fields: DocumentResult['fields']; reconciled: number }> {
  const { fields, undecided } = mergeFields(input.spec, candidates);
  let reconciled = 0;
  for (const field of undecided.slice(0, input.maxReconciliations)) {
    const value = fields[field]!;
    const outcome = await callWithRepairs(meter, models, input.maxRepairs, {
      request: (call) => ({
        ...call,
        spec: input.spec,
        prompt: input.reconcilePrompt,
        documentId: input.id,
        field,
        value,
        temperature: input.temperature,
      }),
      estimate: (request) => estimateReduceStep({ kind: 'reconcile', input: request }),
      attempt: (activities, request) => activities.reconcileField(request),
    });
    if (!outcome.ok) continue;
    fields[field] = chooseValue(value, outcome.value.choice, outcome.value.reason);
    reconciled += 1;
  }
  return { fields, reconciled };
}
