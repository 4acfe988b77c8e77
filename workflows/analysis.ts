import {
  executeChild,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { RepairTurn } from '../activities/analysis/json-model-call.js';
import type { Finding } from '../common/analysis-report.js';
import {
  AnalysisInputSchema,
  analysisRouteMessages,
  documentNotAnalyzed,
  type AnalysisInput,
  type AnalysisRequest,
  type AnalysisResult,
  type AnalysisDocumentResult,
  type AnalysisPhase,
  type NotAnalyzed,
} from '../common/analysis.js';
import { analyzeDocumentWorkflow } from './analysis-document.js';
import { analysisProgressQuery } from '../common/messages.js';
import { localActivityOptions } from './lib/activity-options.js';
import { CapShares } from './lib/cap-shares.js';
import type { CapStop } from './lib/caps.js';
import { describeFailure } from './lib/failures.js';
import { runInLanes } from './lib/lanes.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { callWithRepairs } from './lib/repair-loop.js';
import { CapsMeter } from './lib/caps-meter.js';
import { RunModels } from './lib/run-models.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';

const { listAnalysisDocuments, writeAnalysisReport, estimateReduceStep } =
  proxyActivities<Activities>(localActivityOptions);

type DocumentOutcome = Omit<AnalysisDocumentResult, 'totals'>;

/**
 * A document-analysis run over a corpus, as map-reduce. Map: one child `analyzeDocumentWorkflow`
 * per document (so the corpus is not bounded by one workflow's history), at most `concurrency`
 * model calls in flight overall, each document with its share of the caps. Reduce: COMPARE
 * tables from the stored per-document results, the IDENTIFY step in bounded batches of
 * documents, the OUTPUT sections, then the report in Markdown, JSON and HTML. A cap reached in
 * the map leaves the remaining documents unanalyzed and still writes the report (the reduce
 * steps keep `reduceShare` of the caps), which says what was not analyzed and why.
 */
export async function analyzeCorpusWorkflow(request: AnalysisRequest): Promise<AnalysisResult> {
  const input: AnalysisInput = parseWorkflowInput(AnalysisInputSchema, request);
  const startedAt = Date.now();
  const { workflowId } = workflowInfo();
  const shares = new CapShares(input.caps, 1 - input.reduceShare, startedAt);
  const reduceMeter = new CapsMeter(input.caps, startedAt);

  let phase: AnalysisPhase = 'listing';
  const running = new Set<string>();
  let outcomes: Array<DocumentOutcome | undefined> = [];
  const finished = (): DocumentOutcome[] => outcomes.filter((outcome) => outcome !== undefined);
  setHandler(analysisProgressQuery, () => ({
    phase,
    documents: outcomes.length,
    documentsDone: finished().length,
    chunks: finished().reduce((sum, outcome) => sum + outcome.chunks, 0),
    chunksDone: finished().reduce((sum, outcome) => sum + outcome.chunksAnalyzed, 0),
    running: [...running],
    totals: phase === 'extracting' ? shares.totals : reduceMeter.totals,
  }));

  const sources = await listAnalysisDocuments(input.paths);
  outcomes = sources.map(() => undefined);
  // One chain for the whole run: documents start on it where the run is, and the run follows
  // the moves they make, so a model one document found failing is skipped by the next ones.
  const models = await RunModels.start({
    model: input.model,
    retry: input.retry,
    budget: input.budget,
    routeOn: () => ({ messages: analysisRouteMessages(input.spec), toolCount: 0 }),
  });

  // Map: documents in lanes; the model calls in flight are lanes x chunk lanes <= concurrency.
  phase = 'extracting';
  const lanes = Math.min(input.concurrency, sources.length);
  const chunkLanes = Math.max(1, Math.floor(input.concurrency / lanes));
  let mapStop: CapStop | undefined;
  // The shared budget refused a document's call: the spend leaves no room, so no more documents start.
  let budgetRefusal: string | undefined;
  await runInLanes(sources, lanes, async (source, index) => {
    const name = source.id.split('/').at(-1) ?? source.id;
    const notStarted = (status: 'skipped' | 'failed', reason: string): DocumentOutcome =>
      documentNotAnalyzed({ id: source.id, name }, status, reason);
    if (budgetRefusal !== undefined) {
      outcomes[index] = notStarted('skipped', `budget_exhausted: ${budgetRefusal}`);
      return;
    }
    const share = shares.take(lanes - running.size);
    if ('stop' in share) {
      mapStop ??= share.stop;
      outcomes[index] = notStarted('skipped', `${share.stop.stopReason}: ${share.stop.detail}`);
      return;
    }
    const childId = `${workflowId}/document-${index + 1}`;
    running.add(childId);
    try {
      const { totals, ...outcome } = await executeChild(analyzeDocumentWorkflow, {
        workflowId: childId,
        args: [
          {
            file: source.file,
            id: source.id,
            spec: input.spec,
            model: models.current,
            models: models.remaining,
            ...(input.budget ? { budget: input.budget } : {}),
            chunking: input.chunking,
            concurrency: chunkLanes,
            maxRepairs: input.maxRepairs,
            maxReconciliations: input.maxReconciliations,
            prompt: input.prompts.extract,
            reconcilePrompt: input.prompts.reconcile,
            temperature: input.temperature,
            caps: share.caps,
            retry: input.retry,
          },
        ],
      });
      models.follow(outcome.fallbacks, shares.totals.modelCalls);
      shares.settle(share.caps, totals);
      outcomes[index] = outcome;
      if (outcome.budgetRefusal !== undefined) {
        budgetRefusal ??= outcome.budgetRefusal;
        mapStop ??= { stopReason: 'budget_exhausted', detail: outcome.budgetRefusal };
      }
    } catch (error) {
      shares.settle(share.caps, undefined);
      outcomes[index] = notStarted('failed', describeFailure(error).message);
    } finally {
      running.delete(childId);
    }
    setCurrentDetails(`${finished().length}/${sources.length} documents analyzed`);
  });
  const documents = finished();
  reduceMeter.addRun(shares.totals);
  const notAnalyzed: NotAnalyzed[] = documents.flatMap((document) => document.notAnalyzed);

  // IDENTIFY, in batches of documents so each prompt stays bounded whatever the corpus size.
  phase = 'identifying';
  const readable = documents.filter(
    (document): document is DocumentOutcome & Required<Pick<DocumentOutcome, 'result' | 'text'>> =>
      document.result !== undefined && document.text !== undefined && document.chunksAnalyzed > 0,
  );
  const batches: Array<typeof readable> = [];
  if (input.spec.identify.length > 0)
    for (let start = 0; start < readable.length; start += input.identifyBatchSize)
      batches.push(readable.slice(start, start + input.identifyBatchSize));
  const batchFindings: Finding[][] = batches.map(() => []);
  let findingQuotesDropped = 0;
  await runInLanes(batches, input.concurrency, async (batch, index) => {
    const identify = (model: string, repairs: RepairTurn[], maxOutputTokens: number) => ({
      spec: input.spec,
      model,
      prompt: input.prompts.identify,
      documents: batch.map((document) => ({ id: document.id, result: document.result, text: document.text })),
      repairs,
      temperature: input.temperature,
      maxOutputTokens,
    });
    const outcome = await callWithRepairs(reduceMeter, models, input.maxRepairs, {
      estimate: (repairs, maxOutputTokens) =>
        estimateReduceStep({ kind: 'identify', input: identify(models.current, repairs, maxOutputTokens) }),
      attempt: ({ name, activities }, repairs, maxOutputTokens) =>
        activities.identifyFindings(identify(name, repairs, maxOutputTokens)),
    });
    if (outcome.ok) {
      batchFindings[index] = outcome.value.findings;
      findingQuotesDropped += outcome.value.hallucinatedQuotes;
    } else {
      const range = `documents ${index * input.identifyBatchSize + 1}-${index * input.identifyBatchSize + batch.length}`;
      notAnalyzed.push({ document: `IDENTIFY (${range})`, reason: outcome.reason });
    }
  });
  const findings = batchFindings.flat();

  // OUTPUT: the sections the spec names, from a bounded summary of everything above.
  phase = 'writing';
  let sections: Record<string, string> = {};
  if (input.spec.output.length > 0) {
    const write = (model: string, repairs: RepairTurn[], maxOutputTokens: number) => ({
      spec: input.spec,
      model,
      prompt: input.prompts.output,
      documents: documents.map((document) => ({
        id: document.id,
        status: document.status,
        result: document.result,
      })),
      findings,
      notAnalyzed: notAnalyzed.length,
      repairs,
      temperature: input.temperature,
      maxOutputTokens,
    });
    const outcome = await callWithRepairs(reduceMeter, models, input.maxRepairs, {
      estimate: (repairs, maxOutputTokens) =>
        estimateReduceStep({ kind: 'output', input: write(models.current, repairs, maxOutputTokens) }),
      attempt: ({ name, activities }, repairs, maxOutputTokens) =>
        activities.writeSections(write(name, repairs, maxOutputTokens)),
    });
    if (outcome.ok) sections = outcome.value.sections;
    else notAnalyzed.push({ document: `OUTPUT (${input.spec.output.join(', ')})`, reason: outcome.reason });
  }

  phase = 'reporting';
  const hallucinatedQuotes =
    documents.reduce((sum, document) => sum + document.hallucinatedQuotes, 0) + findingQuotesDropped;
  const totals = reduceMeter.totals;
  const report = await writeAnalysisReport({
    spec: input.spec,
    model: input.model,
    generatedAt: new Date(startedAt).toISOString(),
    documents: documents.map((document) => ({
      id: document.id,
      name: document.name,
      status: document.status,
      ...(document.reason !== undefined ? { reason: document.reason } : {}),
      chunks: document.chunks,
      chunksAnalyzed: document.chunksAnalyzed,
      result: document.result,
    })),
    findings,
    sections,
    notAnalyzed,
    stats: { hallucinatedQuotes, totalTokens: totals.totalTokens, costUsd: totals.costUsd },
    outputFolder: input.outputFolder,
  });
  phase = 'done';
  recordRunOutcome(input.recordSearchAttributes, totals, mapStop?.stopReason ?? 'completed');
  return {
    report,
    documents: documents.map(({ id, status, chunks, chunksAnalyzed }) => ({
      id,
      status,
      chunks,
      chunksAnalyzed,
    })),
    findings: findings.length,
    notAnalyzed,
    hallucinatedQuotes,
    ...(mapStop ? { stop: mapStop } : {}),
    fallbacks: models.fallbacks,
    ...(models.route ? { route: models.route } : {}),
    totals,
  };
}
