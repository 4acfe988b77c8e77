import { patched, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import type { Finding } from '../../common/analysis-report.js';
import type { NotAnalyzed } from '../../common/analysis.js';
import { localActivityOptions } from '../lib/activity-options.js';
import { runInLanes } from '../lib/lanes.js';
import { callWithRepairs } from '../lib/repair-loop.js';
import type { RunModels } from '../lib/run-models.js';
import type { AnalysisRun, DocumentOutcome } from './analysis-run.js';
import { formatPromptRef, type PromptRef } from '../../common/prompt-template.js';

const { estimateReduceStep } = proxyActivities<Activities>(localActivityOptions);

type ReadableDocument = DocumentOutcome & Required<Pick<DocumentOutcome, 'result' | 'text'>>;

/**
 * IDENTIFY, in batches of `identifyBatchSize` documents so each prompt stays bounded whatever the
 * corpus size, at most `concurrency` batches at once. A batch that cannot be done is listed in
 * `notAnalyzed`; returns the findings and how many of their quotes were dropped as not found.
 */
export async function identifyFindings(
  run: AnalysisRun,
  models: RunModels,
  documents: DocumentOutcome[],
  notAnalyzed: NotAnalyzed[],
): Promise<{ findings: Finding[]; quotesDropped: number }> {
  const { input } = run;
  run.phase = 'identifying';
  const readable = documents.filter(
    (document): document is ReadableDocument =>
      document.result !== undefined && document.text !== undefined && document.chunksAnalyzed > 0,
  );
  const batches: ReadableDocument[][] = [];
  if (input.spec.identify.length > 0)
    for (let start = 0; start < readable.length; start += input.identifyBatchSize)
      batches.push(readable.slice(start, start + input.identifyBatchSize));
  const batchFindings: Finding[][] = batches.map(() => []);
  let quotesDropped = 0;
  await runInLanes(batches, input.concurrency, async (batch, index) => {
    const outcome = await callWithRepairs(run.reduceMeter, models, input.maxRepairs, {
      request: (call) => ({
        ...call,
        spec: input.spec,
        prompt: input.prompts.identify,
        ...canaryOf(run, input.prompts.identify),
        documents: batch.map((document) => ({
          id: document.id,
          result: document.result,
          text: document.text,
        })),
        temperature: input.temperature,
      }),
      estimate: (request) => estimateReduceStep({ kind: 'identify', input: request }),
      attempt: (activities, request) => activities.identifyFindings(request),
      concurrency: () => input.concurrency,
    });
    if (outcome.ok) {
      batchFindings[index] = outcome.value.findings;
      quotesDropped += outcome.value.hallucinatedQuotes;
    } else {
      const first = index * input.identifyBatchSize + 1;
      const range = `documents ${first}-${first + batch.length - 1}`;
      notAnalyzed.push({ document: `IDENTIFY (${range})`, reason: outcome.reason });
      run.reduceStop ??= outcome.stop;
    }
  });
  return { findings: batchFindings.flat(), quotesDropped };
}

/**
 * OUTPUT: the sections the spec names, written from a bounded summary of everything above. A
 * step that cannot be done is listed in `notAnalyzed` and leaves the sections empty.
 */
export async function writeSections(
  run: AnalysisRun,
  models: RunModels,
  documents: DocumentOutcome[],
  findings: Finding[],
  notAnalyzed: NotAnalyzed[],
): Promise<Record<string, string>> {
  const { input } = run;
  run.phase = 'writing';
  if (input.spec.output.length === 0) return {};
  // Nothing was read: a summary of nothing would only cost a call. Runs recorded before made it.
  if (!documents.some((document) => document.chunksAnalyzed > 0) && patched('analysis-no-empty-summary')) {
    notAnalyzed.push({
      document: `OUTPUT (${input.spec.output.join(', ')})`,
      reason: 'no document was analyzed',
    });
    return {};
  }
  const outcome = await callWithRepairs(run.reduceMeter, models, input.maxRepairs, {
    request: (call) => ({
      ...call,
      spec: input.spec,
      prompt: input.prompts.output,
      ...canaryOf(run, input.prompts.output),
      documents: documents.map((document) => ({
        id: document.id,
        status: document.status,
        result: document.result,
      })),
      findings,
      notAnalyzed: notAnalyzed.length,
      temperature: input.temperature,
    }),
    estimate: (request) => estimateReduceStep({ kind: 'output', input: request }),
    attempt: (activities, request) => activities.writeSections(request),
  });
  if (outcome.ok) return outcome.value.sections;
  notAnalyzed.push({ document: `OUTPUT (${input.spec.output.join(', ')})`, reason: outcome.reason });
  run.reduceStop ??= outcome.stop;
  return {};
}

/**
 * The canary of a reduce prompt, which the activity adds to its system prompt and the run's
 * output guard looks for in the report: made from the template's ref, so one template sends one
 * request (the response cache still answers). None in a run without guards.
 */
function canaryOf(run: AnalysisRun, prompt: PromptRef): { canary?: string } {
  return run.guards ? { canary: run.guards.canaryFor(formatPromptRef(prompt)) } : {};
}
