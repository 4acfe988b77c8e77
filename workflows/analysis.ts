import type { GuardedResult } from '../common/guards.js';
import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Finding } from '../common/analysis-report.js';
import {
  AnalysisInputSchema,
  analysisRouteMessages,
  documentNotAnalyzed,
  type AnalysisInput,
  type AnalysisRequest,
  type AnalysisResult,
  type NotAnalyzed,
} from '../common/analysis.js';
import { AnalysisRun, type DocumentOutcome } from './analysis/analysis-run.js';
import { judgeSpec } from './analysis/judge-spec.js';
import { mapDocuments } from './analysis/map-documents.js';
import { identifyFindings, writeSections } from './analysis/reduce-steps.js';
import { localActivityOptions } from './lib/activity-options.js';
import { parseWorkflowInput } from './lib/parse-input.js';
import { RunModels } from './lib/run-models.js';
import { modelsOutcome } from './lib/run-ending.js';
import { recordRunOutcome } from './lib/run-search-attributes.js';

const { listAnalysisDocuments, writeAnalysisReport } = proxyActivities<Activities>(localActivityOptions);

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
  const parsed: AnalysisInput = parseWorkflowInput(AnalysisInputSchema, request);
  const run = new AnalysisRun(parsed);
  run.handleMessages();
  const sources = await listAnalysisDocuments(parsed.paths);
  run.outcomes = sources.map(() => undefined);
  // The spec as the models may read it: judged, and masked, before any prompt holds it.
  const judged = await judgeSpec(run.guards, parsed.spec);
  if ('spec' in judged) run.input = { ...parsed, spec: judged.spec };
  const { input } = run;
  // One chain for the whole run: documents start on it where the run is, and the run follows
  // the moves they make, so a model one document found failing is skipped by the next ones.
  const models = await RunModels.start({
    tenant: input.tenant,
    model: input.model,
    retry: input.retry,
    budget: input.budget,
    routeOn: () => ({ messages: analysisRouteMessages(input.spec), toolCount: 0 }),
  });
  if ('blocked' in judged) {
    // Nothing is sent to a model: every document is listed as not analyzed, and why.
    run.outcomes = sources.map((source) =>
      documentNotAnalyzed(
        { id: source.id, name: source.id.split('/').at(-1) ?? source.id },
        'skipped',
        `blocked: ${judged.blocked}`,
      ),
    );
    const documents = run.finished();
    return writeReport(run, models, {
      documents,
      findings: [],
      sections: {},
      notAnalyzed: documents.flatMap((document) => document.notAnalyzed),
      hallucinatedQuotes: 0,
      stop: { stopReason: 'blocked', detail: judged.blocked },
    });
  }
  const mapStop = await mapDocuments(run, models, sources);
  const documents = run.finished();
  run.reduceMeter.addRun(run.shares.totals);
  const notAnalyzed: NotAnalyzed[] = documents.flatMap((document) => document.notAnalyzed);
  const { findings, quotesDropped } = await identifyFindings(run, models, documents, notAnalyzed);
  const written = await writeSections(run, models, documents, findings, notAnalyzed);
  const { sections, blocked } = await judgeSections(run, written);
  const hallucinatedQuotes =
    documents.reduce((sum, document) => sum + document.hallucinatedQuotes, 0) + quotesDropped;
  return writeReport(run, models, {
    documents,
    findings,
    sections,
    notAnalyzed,
    hallucinatedQuotes,
    stop: mapStop ?? run.reduceStop ?? (blocked ? { stopReason: 'blocked', detail: blocked } : undefined),
  });
}

/**
 * The report's prose, which the models wrote, through the run's output stage (canary leaks,
 * personal data the documents did not hold, off-list links, policy phrases). A block withholds
 * every section and says why; the findings, checked quote by quote, stay. Runs recorded before
 * this step judged nothing.
 */
async function judgeSections(
  run: AnalysisRun,
  sections: Record<string, string>,
): Promise<{ sections: Record<string, string>; blocked?: string }> {
  const text = Object.entries(sections)
    .map(([name, body]) => `${name}\n${body}`)
    .join('\n\n');
  if (!run.guards || text === '' || !patched('analysis-output-guard')) return { sections };
  const judged = await run.guards.check('output', 'report', text);
  if (!('blocked' in judged)) return { sections };
  const withheld = `withheld: ${judged.blocked}`;
  return {
    sections: Object.fromEntries(Object.keys(sections).map((name) => [name, withheld])),
    blocked: judged.blocked,
  };
}

/** Finish: the report in every format, the run's stop (if a cap cut the map short) and its totals. */
async function writeReport(
  run: AnalysisRun,
  models: RunModels,
  outcome: {
    documents: DocumentOutcome[];
    findings: Finding[];
    sections: Record<string, string>;
    notAnalyzed: NotAnalyzed[];
    hallucinatedQuotes: number;
    /** Why the run stopped early: a cap in the map, or a guard that blocked the report's prose. */
    stop: AnalysisResult['stop'];
  },
): Promise<AnalysisResult> {
  const { input } = run;
  const { documents, findings, notAnalyzed, hallucinatedQuotes, stop } = outcome;
  run.phase = 'reporting';
  const totals = run.reduceMeter.totals;
  const guarded = guardsOf(run, documents);
  const report = await writeAnalysisReport({
    spec: input.spec,
    model: input.model,
    generatedAt: new Date(run.startedAt).toISOString(),
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
    sections: outcome.sections,
    notAnalyzed,
    stats: { hallucinatedQuotes, totalTokens: totals.totalTokens, costUsd: totals.costUsd },
    outputFolder: input.outputFolder,
    ...(guarded.piiVault ? { piiVault: guarded.piiVault } : {}),
  });
  run.phase = 'done';
  recordRunOutcome(input.recordSearchAttributes, totals, stop?.stopReason ?? 'completed');
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
    ...(stop ? { stop } : {}),
    ...modelsOutcome(models),
    ...guarded,
    totals,
  };
}

/** The documents' guard verdicts, and the run's vault when a document masked into it. */
function guardsOf(run: AnalysisRun, documents: readonly DocumentOutcome[]): GuardedResult {
  const guards = [...documents.flatMap((document) => document.guards ?? []), ...(run.guards?.steps ?? [])];
  return {
    ...(guards.length > 0 ? { guards } : {}),
    ...(run.guards && documents.some((document) => document.piiVault)
      ? { piiVault: run.guards.run.vaultId }
      : {}),
  };
}
