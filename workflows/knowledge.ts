import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  KnowledgeIngestInputSchema,
  type KnowledgeDocumentOutcome,
  type KnowledgeIngestRequest,
  type KnowledgeIngestResult,
} from '../common/knowledge.js';
import { addTotals, embeddingTotals, emptyTotals } from '../common/run-totals.js';
import { localActivityOptions } from './lib/activity-options.js';
import { findExhaustedCap, type CapStop } from './lib/caps.js';
import { describeFailure } from './lib/failures.js';
import { runInLanes } from './lib/lanes.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';

const { openKnowledgeBase, listKnowledgeSources } = proxyActivities<Activities>(localActivityOptions);
// Reading, chunking and embedding one document: minutes for a long one on the local model, so a
// heartbeat tells a dead worker from a slow document.
const { addKnowledgeDocument } = proxyActivities<Activities>({
  ...localActivityOptions,
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
});

/**
 * A `knowledge` run: adds documents to a knowledge base, creating it on first use. Each document
 * is one activity (read, chunk, embed, store, in one transaction), `concurrency` at once; a
 * document whose text and metadata the base already holds is left as it is, so running the same
 * folder again costs nothing and a crashed run resumes where it stopped. One document's failure
 * (an unreadable PDF) is recorded and the others go on. Caps are checked before each document;
 * a cap reached leaves the rest `not_started`, and the stop reason says which cap.
 */
export async function knowledgeIngestWorkflow(
  request: KnowledgeIngestRequest,
): Promise<KnowledgeIngestResult> {
  const input = parseWorkflowInput(KnowledgeIngestInputSchema, request);
  const opened = await openKnowledgeBase({ base: input.base, model: input.model });
  const sources = await listKnowledgeSources(input.paths);
  const startedAt = workflowInfo().runStartTime.getTime();
  let totals = addTotals(emptyTotals, embeddingTotals(opened));
  let stop: CapStop | undefined;
  const documents: KnowledgeDocumentOutcome[] = sources.map((source) => ({
    id: source.id,
    status: 'not_started',
    chunks: 0,
  }));
  await runInLanes(sources, input.concurrency, async (source, index) => {
    stop ??= findExhaustedCap(input.caps, {
      iterations: totals.modelCalls,
      totals,
      elapsedMs: Date.now() - startedAt,
    });
    if (stop) return;
    try {
      const added = await addKnowledgeDocument({
        base: input.base,
        file: source.file,
        id: source.id,
        metadata: input.metadata,
        chunking: input.chunking,
      });
      documents[index] = { id: source.id, status: added.status, chunks: added.chunks };
      totals = addTotals(totals, embeddingTotals(added));
    } catch (error) {
      const failure = describeFailure(error);
      documents[index] = {
        id: source.id,
        status: 'failed',
        chunks: 0,
        error: `${failure.type}: ${failure.message}`,
      };
    }
  });
  const stopReason = stop?.stopReason ?? 'answer';
  recordRunOutcome(input.recordSearchAttributes, totals, stopReason);
  return {
    base: input.base,
    model: opened.base.embeddingModel,
    documents,
    stopReason,
    ...(stop ? { stopDetail: stop.detail } : {}),
    totals,
  };
}
