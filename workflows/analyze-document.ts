import { proxyActivities, setCurrentDetails } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  AnalyzeDocumentInputSchema,
  type AnalyzeDocumentInput,
  type AnalyzeDocumentRequest,
  type AnalyzeDocumentResult,
  type FieldCandidate,
} from '../common/document-analysis.js';
import { mergeFields } from '../common/merge-fields.js';
import { localActivityOptions, modelActivityOptions } from './lib/activity-options.js';
import { describeFailure } from './lib/failures.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { RunBudget } from './lib/run-budget.js';

const { prepareDocument } = proxyActivities<Activities>(localActivityOptions);

type PreparedChunk = Awaited<ReturnType<typeof prepareDocument>>['chunks'][number];

/**
 * One document of an analysis: chunk it (texts go to the blob store, history keeps references),
 * extract the spec's fields from every chunk under a concurrency limit, each chunk with a bounded
 * repair loop, drop quotes not found verbatim, and merge the values per field. A chunk that
 * cannot be analyzed (repairs exhausted, provider error, a cap reached) is listed with the reason;
 * the document is then `partial`. Runs as a child workflow per document, so a corpus scales past
 * one workflow's history.
 */
export async function analyzeDocumentWorkflow(
  request: AnalyzeDocumentRequest,
): Promise<AnalyzeDocumentResult> {
  const input: AnalyzeDocumentInput = parseWorkflowInput(AnalyzeDocumentInputSchema, request);
  const { extractChunk } = proxyActivities<Activities>(modelActivityOptions(input.retry));
  const budget = new RunBudget(input.caps, Date.now());
  const name = input.file.split(/[\\/]/).at(-1) ?? input.id;
  const failed = (reason: string): AnalyzeDocumentResult => ({
    id: input.id,
    name,
    status: 'failed',
    reason,
    chunks: 0,
    chunksAnalyzed: 0,
    fields: {},
    candidates: [],
    hallucinatedQuotes: 0,
    notAnalyzed: [{ document: input.id, chunk: -1, reason }],
    totals: budget.totals,
  });

  let prepared;
  try {
    prepared = await prepareDocument({ file: input.file, id: input.id, ...input.chunking });
  } catch (error) {
    return failed(describeFailure(error).message);
  }

  const candidates: FieldCandidate[] = [];
  const notAnalyzed: AnalyzeDocumentResult['notAnalyzed'] = [];
  let hallucinatedQuotes = 0;
  let analyzed = 0;

  const analyzeChunk = async (chunk: PreparedChunk): Promise<void> => {
    const repairs: Array<{ output: string; problems: string[] }> = [];
    for (;;) {
      const stop = budget.exhausted();
      if (stop) {
        notAnalyzed.push({
          document: input.id,
          chunk: chunk.index,
          reason: `${stop.stopReason}: ${stop.detail}`,
        });
        return;
      }
      let output;
      try {
        output = await extractChunk.executeWithOptions(
          { summary: `${input.id} chunk ${chunk.index + 1}/${prepared.chunks.length}` },
          [
            {
              spec: input.spec,
              model: input.model,
              prompt: input.prompt,
              documentId: input.id,
              chunk: { index: chunk.index, start: chunk.start, blob: chunk.blob },
              repairs,
              temperature: input.temperature,
              maxOutputTokens: budget.outputAllowance(),
            },
          ],
        );
      } catch (error) {
        notAnalyzed.push({ document: input.id, chunk: chunk.index, reason: describeFailure(error).message });
        return;
      }
      budget.addRun({
        usage: output.usage,
        totalTokens: output.usage.inputTokens + output.usage.outputTokens,
        costUsd: output.costUsd ?? 0,
        costComplete: output.costUsd !== null,
        modelCalls: 1,
        toolCalls: 0,
      });
      if (output.result.ok) {
        candidates.push(...output.result.fields);
        hallucinatedQuotes += output.result.hallucinatedQuotes.length;
        analyzed += 1;
        return;
      }
      if (repairs.length >= input.maxRepairs) {
        notAnalyzed.push({
          document: input.id,
          chunk: chunk.index,
          reason: `output still invalid after ${repairs.length} repairs: ${output.result.problems.join('; ')}`,
        });
        return;
      }
      repairs.push({ output: output.output, problems: output.result.problems });
    }
  };

  // A fixed number of lanes, each taking the next chunk: at most `concurrency` calls in flight.
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < prepared.chunks.length) {
      const chunk = prepared.chunks[next];
      next += 1;
      if (chunk) await analyzeChunk(chunk);
      setCurrentDetails(`${analyzed}/${prepared.chunks.length} chunks analyzed`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(input.concurrency, prepared.chunks.length) }, lane));

  candidates.sort((a, b) => a.citation.offset - b.citation.offset);
  notAnalyzed.sort((a, b) => a.chunk - b.chunk);
  const status = analyzed === prepared.chunks.length ? 'analyzed' : analyzed === 0 ? 'failed' : 'partial';
  return {
    id: input.id,
    name: prepared.name,
    status,
    ...(status !== 'analyzed'
      ? { reason: `${notAnalyzed.length} of ${prepared.chunks.length} chunks not analyzed` }
      : {}),
    chunks: prepared.chunks.length,
    chunksAnalyzed: analyzed,
    fields: mergeFields(input.spec, candidates),
    candidates,
    hallucinatedQuotes,
    notAnalyzed,
    totals: budget.totals,
  };
}
