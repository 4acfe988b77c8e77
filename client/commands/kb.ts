import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import {
  defaultKnowledgeModel,
  KnowledgeBaseNameSchema,
  KnowledgeFilterSchema,
  type KnowledgeIngestRequest,
  type KnowledgeIngestResult,
  type KnowledgeMetadata,
} from '../../common/knowledge.js';
import { plural } from '../../common/plural.js';
import type { openWorkerKnowledge } from '../../workers/local-tools/knowledge.js';

type WorkerKnowledge = ReturnType<typeof openWorkerKnowledge>;
import {
  connectionFlags,
  list,
  positiveInteger,
  positiveNumber,
  type ConnectionOptionValues,
} from '../cli-options.js';

const baseName = (value: string): string => {
  const parsed = KnowledgeBaseNameSchema.safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`"${value}": ${parsed.error.issues[0]!.message}.`);
  return value;
};

const retrievalModes = ['hybrid', 'keyword', 'dense'] as const;
const retrievalMode = (value: string): (typeof retrievalModes)[number] => {
  const mode = retrievalModes.find((known) => known === value);
  if (!mode) throw new InvalidArgumentError(`"${value}" is not one of ${retrievalModes.join(', ')}.`);
  return mode;
};

interface MetadataFlags {
  product?: string;
  language?: string;
  source?: string;
  version?: string;
  updatedAt?: string;
}

const metadataOf = (flags: MetadataFlags): KnowledgeMetadata => ({
  ...(flags.product ? { product: flags.product } : {}),
  ...(flags.language ? { language: flags.language } : {}),
  ...(flags.source ? { source: flags.source } : {}),
  ...(flags.version ? { version: flags.version } : {}),
  ...(flags.updatedAt ? { updatedAt: flags.updatedAt } : {}),
});

/** Exit codes as the other jobs: 0 when every document is in the base, 3 when a cap stopped the run, 1 when some failed. */
const exitCodeOf = (result: KnowledgeIngestResult): number =>
  result.stopReason !== 'answer'
    ? 3
    : result.documents.some((document) => document.status === 'failed')
      ? 1
      : 0;

function formatIngestResult(result: KnowledgeIngestResult): string {
  const lines = result.documents.map(
    (document) =>
      `  ${document.status.padEnd(11)} ${document.id}${document.chunks > 0 ? ` (${plural(document.chunks, 'chunk')})` : ''}${document.error ? `: ${document.error}` : ''}`,
  );
  const count = (status: string) => result.documents.filter((document) => document.status === status).length;
  const cost = result.totals.costComplete ? `$${result.totals.costUsd.toFixed(6)}` : 'cost unknown';
  lines.push(
    `Knowledge base ${result.base} (${result.model}): ${count('added')} added, ${count('replaced')} replaced, ${count('unchanged')} unchanged, ${count('failed')} failed, ${count('not_started')} not started; ${plural(result.totals.modelCalls, 'embedding call')}, ${result.totals.usage.inputTokens} tokens, ${cost}`,
  );
  if (result.stopDetail) lines.push(`Stopped early (${result.stopReason}): ${result.stopDetail}`);
  return lines.join('\n');
}

/** Runs `work` with the knowledge bases of this environment open, and closes them after. */
async function withKnowledge<T>(work: (opened: WorkerKnowledge) => Promise<T>): Promise<T> {
  const { openWorkerKnowledge } = await import('../../workers/local-tools/knowledge.js');
  const opened = openWorkerKnowledge();
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

export function registerKnowledgeCommands(program: Command): void {
  const kb = program
    .command('kb')
    .description(
      'Knowledge bases: documents chunked, embedded and searched by words and meaning (LLMOS_KNOWLEDGE_FILE)',
    );

  kb.command('create')
    .description('Create a knowledge base; its embedding model is fixed for good')
    .argument('<name>', 'a-z, 0-9, - and _', baseName)
    .option('--model <provider:model>', 'the embedding model', defaultKnowledgeModel)
    .action(async (name: string, flags: { model: string }) => {
      const { base } = await withKnowledge(({ knowledge }) =>
        knowledge.openKnowledgeBase({ base: name, model: flags.model }),
      );
      console.log(
        `Knowledge base ${base.name}: ${base.embeddingModel}, ${base.dimensions} dimensions, ${plural(base.documents, 'document')}`,
      );
    });

  kb.command('add')
    .description(
      'Add documents (.txt, .md, .pdf, .html; folders searched recursively) as a run on the workers; unchanged ones are skipped',
    )
    .argument('<name>', 'the knowledge base (created on first use)', baseName)
    .argument('<paths...>', 'files and folders')
    .option(
      '--model <provider:model>',
      `the embedding model of a new base (default ${defaultKnowledgeModel})`,
    )
    .option('--product <name>', 'metadata for filters: the product the documents are about')
    .option('--language <code>', 'metadata: their language, e.g. en')
    .option('--source <name>', 'metadata: where they come from')
    .option('--version <version>', 'metadata: the version they document')
    .option('--updated-at <date>', 'metadata: when they were last updated (ISO 8601)')
    .option('--chunk-tokens <n>', 'tokens per chunk (default 200)', positiveInteger)
    .option('--concurrency <n>', 'documents embedded at once (default 2)', positiveInteger)
    .option('--max-cost <usd>', 'cap on embedding spend in US dollars (default 5)', positiveNumber)
    .option('--worker-paths', 'the paths are as the workers see them: not checked or resolved here')
    .option('--json', 'print the result as JSON')
    .option('--id <workflow-id>', 'workflow id (default: knowledge-<uuid>)')
    .action(
      async (
        name: string,
        paths: string[],
        flags: MetadataFlags & {
          model?: string;
          chunkTokens?: number;
          concurrency?: number;
          maxCost?: number;
          workerPaths?: boolean;
          json?: boolean;
          id?: string;
        } & ConnectionOptionValues,
      ) => {
        let documents: number | undefined;
        if (!flags.workerPaths) {
          const { listDocuments } = await import('../../workers/local-tools/documents.js');
          documents = (await listDocuments(paths)).length;
          if (documents === 0)
            throw new Error(`no .txt, .md, .pdf or .html documents in ${paths.join(', ')}`);
        }
        const request: KnowledgeIngestRequest = {
          base: name,
          paths: paths.map((given) => (flags.workerPaths ? given : path.resolve(given))),
          metadata: metadataOf(flags),
          ...(flags.model ? { model: flags.model } : {}),
          ...(flags.chunkTokens ? { chunking: { maxTokens: flags.chunkTokens } } : {}),
          ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
          ...(flags.maxCost ? { caps: { maxCostUsd: flags.maxCost } } : {}),
        };
        const { connectClient, startRun } = await import('../llmos-client.js');
        const client = await connectClient(connectionFlags(flags));
        const handle = await startRun(client, 'knowledge', request, flags.id ? { workflowId: flags.id } : {});
        console.error(
          `Run ${handle.workflowId}: ${documents === undefined ? '' : `${plural(documents, 'document')} `}into knowledge base ${name}`,
        );
        const result = await handle.result();
        console.log(flags.json ? JSON.stringify(result, null, 2) : formatIngestResult(result));
        process.exitCode = exitCodeOf(result);
      },
    );

  kb.command('list')
    .description('List the knowledge bases, or the documents of one')
    .argument('[name]', 'a knowledge base', baseName)
    .action(async (name: string | undefined) => {
      await withKnowledge(async ({ store, where }) => {
        if (name === undefined) {
          const bases = await store.listBases();
          if (bases.length === 0) console.error(`no knowledge bases in ${where}`);
          for (const base of bases)
            console.log(
              `${base.name}  ${base.embeddingModel} (${base.dimensions})  ${plural(base.documents, 'document')}, ${plural(base.chunks, 'chunk')}`,
            );
          return;
        }
        if (!(await store.base(name))) throw new Error(`there is no knowledge base "${name}" in ${where}`);
        for (const document of await store.listDocuments(name))
          console.log(
            `${document.id}  ${plural(document.chunks, 'chunk')}  ${JSON.stringify(document.metadata)}  sha256:${document.sha256.slice(0, 12)}`,
          );
      });
    });

  kb.command('search')
    .description('Search a knowledge base: BM25 and dense search fused by rank, near-duplicates moved down')
    .argument('<name>', 'the knowledge base', baseName)
    .argument('<query...>', 'what to look for')
    .option('--limit <n>', 'chunks to return', positiveInteger, 5)
    .option('--mode <mode>', `${retrievalModes.join(', ')}`, retrievalMode, 'hybrid')
    .option('--product <names>', 'only these products (comma-separated)', list)
    .option('--language <codes>', 'only these languages (comma-separated)', list)
    .option('--source <names>', 'only these sources (comma-separated)', list)
    .option('--version <versions>', 'only these versions (comma-separated)', list)
    .option('--updated-after <date>', 'only documents updated on or after this date')
    .option('--json', 'print the chunks as JSON')
    .action(
      async (
        name: string,
        words: string[],
        flags: {
          limit: number;
          mode: (typeof retrievalModes)[number];
          product?: string[];
          language?: string[];
          source?: string[];
          version?: string[];
          updatedAfter?: string;
          json?: boolean;
        },
      ) => {
        const filter = KnowledgeFilterSchema.parse({
          ...(flags.product ? { product: flags.product } : {}),
          ...(flags.language ? { language: flags.language } : {}),
          ...(flags.source ? { source: flags.source } : {}),
          ...(flags.version ? { version: flags.version } : {}),
          ...(flags.updatedAfter ? { updatedAfter: flags.updatedAfter } : {}),
        });
        const found = await withKnowledge(({ knowledge }) =>
          knowledge.retrieveKnowledge({
            base: name,
            query: words.join(' '),
            limit: flags.limit,
            filter,
            mode: flags.mode,
          }),
        );
        if (flags.json) {
          console.log(JSON.stringify(found, null, 2));
          return;
        }
        if (found.chunks.length === 0) {
          console.error('nothing found');
          process.exitCode = 1;
          return;
        }
        for (const chunk of found.chunks) {
          const ranks = Object.entries(chunk.ranks)
            .map(([retriever, rank]) => `${retriever} #${rank}`)
            .join(', ');
          console.log(
            `[${chunk.id}] score ${chunk.score} (${ranks})\n  ${chunk.text.replace(/\s+/g, ' ').slice(0, 300)}`,
          );
        }
      },
    );

  kb.command('remove')
    .description('Remove documents from a knowledge base, or the whole base when no document is named')
    .argument('<name>', 'the knowledge base', baseName)
    .argument('[documents...]', 'document ids, as `llmos kb list <name>` shows them')
    .action(async (name: string, documents: string[]) => {
      await withKnowledge(async ({ store, where }) => {
        if (documents.length === 0) {
          if (!(await store.dropBase(name)))
            throw new Error(`there is no knowledge base "${name}" in ${where}`);
          console.log(`Knowledge base ${name} removed`);
          return;
        }
        const missing: string[] = [];
        for (const document of documents)
          if (await store.removeDocument(name, document)) console.log(`removed ${document}`);
          else missing.push(document);
        if (missing.length > 0) throw new Error(`not in knowledge base "${name}": ${missing.join(', ')}`);
      });
    });
}
