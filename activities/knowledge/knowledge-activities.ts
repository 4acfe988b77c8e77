import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { ErrorType } from '../../common/errors.js';
import {
  defaultKnowledgeModel,
  type KnowledgeBaseInfo,
  type KnowledgeFilter,
  type KnowledgeMetadata,
} from '../../common/knowledge.js';
import { chunkText } from '../analysis/chunk-text.js';
import { ingestDocument, listDocuments, type DocumentSource } from '../analysis/ingest.js';
import type { Embedder } from '../llm/embeddings/embed-texts.js';
import { countTokens } from '../prompts/count-tokens.js';
import { hybridSearch, type RetrievalMode, type RetrievedChunk } from './hybrid-search.js';
import type { KnowledgeStore } from './knowledge-store.js';

export interface OpenKnowledgeBaseInput {
  base: string;
  /** The model a new base embeds with; for an existing base, it must be the base's own. */
  model?: string | undefined;
}

/** The base, and what learning a new base's vector length cost (nothing for an existing base). */
export interface OpenedKnowledgeBase {
  base: KnowledgeBaseInfo;
  inputTokens: number;
  costUsd: number | null;
  calls: number;
}

export interface AddKnowledgeDocumentInput {
  base: string;
  file: string;
  id: string;
  metadata: KnowledgeMetadata;
  chunking: { maxTokens: number; overlapTokens: number };
}

/** What adding a document did; `unchanged` when its content hash matched what the base holds. */
export interface AddedKnowledgeDocument {
  id: string;
  status: 'added' | 'replaced' | 'unchanged';
  chunks: number;
  /** Tokens the embedding calls read, their cost (null: unknown price) and the calls made. */
  inputTokens: number;
  costUsd: number | null;
  calls: number;
}

export interface RetrieveKnowledgeInput {
  base: string;
  query: string;
  limit: number;
  filter?: KnowledgeFilter | undefined;
  mode?: RetrievalMode | undefined;
}

export interface RetrievedKnowledge {
  chunks: RetrievedChunk[];
  /** The query's embedding: its tokens, cost and provider calls (none when cached or keyword-only). */
  inputTokens: number;
  costUsd: number | null;
  calls: number;
}

/**
 * The running activity's context; none when the CLI calls these functions in its own process
 * (`llmos kb search`), where there is nothing to heartbeat to and no cancellation.
 */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

const invalidInput = (message: string, cause?: unknown): ApplicationFailure =>
  ApplicationFailure.create({
    type: ErrorType.InvalidInput,
    message,
    nonRetryable: true,
    cause: cause as Error,
  });

/**
 * Knowledge bases as activities: opening a base, listing and adding documents, retrieving. Each
 * is idempotent: a document is replaced whole in one transaction, and its chunks' vectors come
 * from the embedding cache on a retry, so an attempt cut short costs nothing twice. Retries are
 * Temporal's; a bad file or an unknown base is the non-retryable `InvalidInput`.
 */
export function createKnowledgeActivities(dependencies: { store: KnowledgeStore; embed: Embedder }) {
  const { store, embed } = dependencies;
  const requireBase = async (name: string): Promise<KnowledgeBaseInfo> => {
    const base = await store.base(name);
    if (!base) throw invalidInput(`there is no knowledge base "${name}" (llmos kb create ${name})`);
    return base;
  };

  return {
    /** The base, created with `model` (or the default local model) when it does not exist. */
    async openKnowledgeBase(input: OpenKnowledgeBaseInput): Promise<OpenedKnowledgeBase> {
      const existing = await store.base(input.base);
      if (existing) {
        if (input.model !== undefined && input.model !== existing.embeddingModel)
          throw invalidInput(
            `knowledge base "${input.base}" embeds with ${existing.embeddingModel}, not ${input.model}: a base keeps one model`,
          );
        return { base: existing, inputTokens: 0, costUsd: 0, calls: 0 };
      }
      const model = input.model ?? defaultKnowledgeModel;
      // The model's vector length, learned from the model itself (a cached call after the first).
      const probe = await embed(model, ['knowledge base'], activityContext()?.cancellationSignal);
      let base: KnowledgeBaseInfo;
      try {
        base = await store.createBase(input.base, { model, dimensions: probe.vectors[0]!.length });
      } catch (error) {
        throw invalidInput((error as Error).message, error);
      }
      return { base, inputTokens: probe.usage.inputTokens, costUsd: probe.costUsd, calls: probe.calls };
    },

    /** The documents under `paths`: files as given, folders searched for .txt, .md, .pdf and .html. */
    async listKnowledgeSources(paths: string[]): Promise<DocumentSource[]> {
      let sources;
      try {
        sources = await listDocuments(paths);
      } catch (error) {
        throw invalidInput((error as Error).message, error);
      }
      if (sources.length === 0)
        throw invalidInput(`no .txt, .md, .pdf or .html documents in ${paths.join(', ')}`);
      return sources;
    },

    /** Reads, chunks, embeds and stores one document, unless the base already holds this text. */
    async addKnowledgeDocument(input: AddKnowledgeDocumentInput): Promise<AddedKnowledgeDocument> {
      const base = await requireBase(input.base);
      let document;
      try {
        document = await ingestDocument(input.file, input.id);
      } catch (error) {
        throw invalidInput((error as Error).message, error);
      }
      const sha256 = createHash('sha256')
        .update(document.text)
        .update(JSON.stringify(input.metadata))
        .digest('hex');
      const held = await store.heldDocument(input.base, input.id);
      if (held?.sha256 === sha256) {
        return {
          id: input.id,
          status: 'unchanged',
          chunks: held.chunks,
          inputTokens: 0,
          costUsd: 0,
          calls: 0,
        };
      }
      const chunks = chunkText(document.text, { ...input.chunking, countTokens });
      const context = activityContext();
      const heartbeat = setInterval(() => context?.heartbeat(), 1_000);
      let embedded;
      try {
        embedded = await embed(
          base.embeddingModel,
          chunks.map((chunk) => chunk.text),
          context?.cancellationSignal,
        );
      } finally {
        clearInterval(heartbeat);
      }
      await store.replaceDocument(
        input.base,
        { id: input.id, name: document.name, sha256, metadata: input.metadata },
        chunks.map((chunk, index) => ({ ...chunk, vector: embedded.vectors[index]! })),
      );
      return {
        id: input.id,
        status: held ? 'replaced' : 'added',
        chunks: chunks.length,
        inputTokens: embedded.usage.inputTokens,
        costUsd: embedded.costUsd,
        calls: embedded.calls,
      };
    },

    /** Hybrid search of a base: the query embedded with the base's model, BM25 and dense fused. */
    async retrieveKnowledge(input: RetrieveKnowledgeInput): Promise<RetrievedKnowledge> {
      const base = await requireBase(input.base);
      const embedded =
        input.mode === 'keyword'
          ? undefined
          : await embed(base.embeddingModel, [input.query], activityContext()?.cancellationSignal);
      const chunks = await hybridSearch(
        store,
        input.base,
        { text: input.query, vector: embedded?.vectors[0] },
        { limit: input.limit, filter: input.filter, mode: input.mode },
      );
      return {
        chunks,
        inputTokens: embedded?.usage.inputTokens ?? 0,
        costUsd: embedded?.costUsd ?? 0,
        calls: embedded?.calls ?? 0,
      };
    },
  };
}
