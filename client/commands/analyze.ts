import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { chooseDefaultModel } from '../default-model.js';
import type { AnalysisRequest, AnalysisResult } from '../../common/analysis.js';
import {
  addTenantOptions,
  checkModelAlias,
  duration,
  modelOptionDescription,
  positiveInteger,
  positiveNumber,
  tenantFromFlags,
  type TenantFlags,
  connectionFlags,
  type ConnectionOptionValues,
} from '../cli-options.js';
import { plural } from '../../common/plural.js';

interface AnalyzeFlags extends TenantFlags {
  spec: string;
  model?: string;
  concurrency: number;
  maxCost?: number;
  maxTokens?: number;
  deadline?: number;
  out: string;
  chunkTokens?: number;
  overlapTokens?: number;
  json?: boolean;
  id?: string;
  workerPaths?: boolean;
}

const wholeNumber = (value: string): number => {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0)
    throw new InvalidArgumentError(`"${value}" is not a whole number.`);
  return number;
};

const defaultOut = 'llmos-reports';

/**
 * As the other jobs: 4 when a guard blocked the report's prose, 3 when a cap stopped the run
 * early, 1 when no document was analyzed (a report of nothing is no success), else 0.
 */
const exitCodeOf = (result: AnalysisResult): number =>
  result.stop?.stopReason === 'blocked'
    ? 4
    : result.stop
      ? 3
      : result.documents.some((document) => document.chunksAnalyzed > 0)
        ? 0
        : 1;

/** The spec, parsed here so a mistake is shown at its line and column before anything starts. */
async function readSpec(file: string) {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the spec ${file}: ${(error as Error).message}`, { cause: error });
  }
  const { parseAnalysisSpec, formatSpecErrors } = await import('../analysis-dsl/index.js');
  const parsed = parseAnalysisSpec(text, file);
  if (!parsed.ok) throw new Error(`the spec has errors:\n${formatSpecErrors(parsed.errors, file)}`);
  return parsed.spec;
}

/**
 * `--budget` named this run's own cap on spend before shared budgets came to every command: a
 * number given alone is that old use, told apart from a scope so it is not taken for one.
 */
function checkOldBudgetFlag(flags: AnalyzeFlags): void {
  if (flags.budget !== undefined && flags.budgetLimit === undefined && Number.isFinite(Number(flags.budget)))
    throw new Error(
      `--budget names a shared budget now (--budget <scope> --budget-limit <usd>); this run's own cap on spend is --max-cost ${flags.budget}`,
    );
}

export function registerAnalyzeCommand(program: Command): void {
  addTenantOptions(
    program
      .command('analyze')
      .description(
        'Analyze documents (.txt, .md, .pdf, .html) with an analysis spec; writes a cited report in Markdown, HTML and JSON',
      )
      .argument('<paths...>', 'files and folders (searched recursively)')
      .requiredOption('--spec <file>', 'the analysis spec (ANALYZE name { EXTRACT: ... })')
      .option('--model <provider:model>', `${modelOptionDescription} (default: from the environment)`)
      .option('--concurrency <n>', 'model calls in flight at once', positiveInteger, 4)
      .option(
        '--max-cost <usd>',
        'cap on spend in US dollars for the whole run (default 10)',
        positiveNumber,
      ),
  )
    .option('--max-tokens <n>', 'cap on input + output tokens for the whole run', positiveInteger)
    .option('--deadline <duration>', 'cap on wall time, e.g. 30m or 2h', duration)
    .option('--out <folder>', 'where the report folder is created', defaultOut)
    .option('--chunk-tokens <n>', 'tokens per chunk (default 1500)', positiveInteger)
    .option('--overlap-tokens <n>', 'tokens shared by neighbouring chunks (default 150)', wholeNumber)
    .option(
      '--worker-paths',
      'the paths (and --out) are as the workers see them, e.g. in containers: not checked or resolved here',
    )
    .option('--json', 'print the result as JSON instead of a summary')
    .option('--id <workflow-id>', 'workflow id (default: analysis-<uuid>)')
    .action(async (paths: string[], flags: AnalyzeFlags & ConnectionOptionValues) => {
      checkOldBudgetFlag(flags);
      const spec = await readSpec(flags.spec);
      // Listed here too, so a missing path or an empty folder is reported before a run starts.
      let documents: number | undefined;
      if (!flags.workerPaths) {
        const { listDocuments } = await import('../../workers/local-tools/documents.js');
        documents = (await listDocuments(paths)).length;
        if (documents === 0) throw new Error(`no .txt, .md, .pdf or .html documents in ${paths.join(', ')}`);
      }
      const local = (given: string): string => (flags.workerPaths ? given : path.resolve(given));
      const request: AnalysisRequest = {
        paths: paths.map(local),
        spec,
        model: flags.model ?? chooseDefaultModel(process.env, 'demo-analysis').model,
        concurrency: flags.concurrency,
        ...(flags.workerPaths && flags.out === defaultOut ? {} : { outputFolder: local(flags.out) }),
        ...(flags.chunkTokens !== undefined || flags.overlapTokens !== undefined
          ? {
              chunking: {
                ...(flags.chunkTokens !== undefined ? { maxTokens: flags.chunkTokens } : {}),
                ...(flags.overlapTokens !== undefined ? { overlapTokens: flags.overlapTokens } : {}),
              },
            }
          : {}),
        caps: {
          ...(flags.maxCost !== undefined ? { maxCostUsd: flags.maxCost } : {}),
          ...(flags.maxTokens !== undefined ? { maxTotalTokens: flags.maxTokens } : {}),
          ...(flags.deadline !== undefined ? { maxWallTimeMs: flags.deadline } : {}),
        },
        ...tenantFromFlags(flags),
      };
      await checkModelAlias(request.model);
      const [{ connectClient, startRun }, { followAnalysis }, { formatAnalysisResult }] = await Promise.all([
        import('../llmos-client.js'),
        import('../follow-analysis.js'),
        import('../format-analysis.js'),
      ]);
      const client = await connectClient(connectionFlags(flags));
      const handle = await startRun(client, 'analysis', request, flags.id ? { workflowId: flags.id } : {});
      const counted = documents === undefined ? '' : `${plural(documents, 'document')}, `;
      console.error(`Run ${handle.workflowId}: ${counted}spec ${spec.name}, ${request.model}`);
      (await import('../unpolled-queue.js')).warnWhenUnpolled(client, handle);
      const result = await followAnalysis(client, handle);
      console.log(flags.json ? JSON.stringify(result, null, 2) : formatAnalysisResult(result));
      process.exitCode = exitCodeOf(result);
      if (process.exitCode === 1) console.error('No document was analyzed: see why in the report.');
    });
}
