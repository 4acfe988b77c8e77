import { z } from 'zod';
import { localEmbeddingModel } from './embedding.js';
import {
  ModelFieldSchema,
  RecordSearchAttributesSchema,
  runCapsSchema,
  type RunTotals,
  type StopReason,
} from './run-contract.js';

/** The embedding model a new base gets when none is named: it runs in the worker, offline. */
export const defaultKnowledgeModel = localEmbeddingModel;

/** A knowledge base's name: it names files and tables, so letters, digits, `-` and `_` only. */
export const KnowledgeBaseNameSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]{0,62}$/,
    'a knowledge base name is 1-63 of a-z, 0-9, - and _, starting alphanumeric',
  );

/**
 * What a document says of itself, for filters: the product it documents, its language, where it
 * came from, its version, and when it was last updated (ISO 8601 date or date-time).
 */
export const KnowledgeMetadataSchema = z
  .object({
    product: z.string().min(1).optional(),
    language: z.string().min(1).optional(),
    source: z.string().min(1).optional(),
    version: z.string().min(1).optional(),
    updatedAt: z.iso
      .date()
      .or(z.iso.datetime({ offset: true }))
      .optional(),
  })
  .strict();
export type KnowledgeMetadata = z.infer<typeof KnowledgeMetadataSchema>;

/** The metadata fields a filter can name, in the stores' column order. */
export const knowledgeFilterFields = ['product', 'language', 'source', 'version'] as const;

/**
 * Which chunks a search may return: each named field must equal one of its values, and
 * `updatedAfter` keeps documents updated on or after that date. An empty filter keeps all.
 */
export const KnowledgeFilterSchema = z
  .object({
    product: z.array(z.string().min(1)).min(1).optional(),
    language: z.array(z.string().min(1)).min(1).optional(),
    source: z.array(z.string().min(1)).min(1).optional(),
    version: z.array(z.string().min(1)).min(1).optional(),
    updatedAfter: z.iso
      .date()
      .or(z.iso.datetime({ offset: true }))
      .optional(),
  })
  .strict();
export type KnowledgeFilter = z.infer<typeof KnowledgeFilterSchema>;

/** A knowledge base: its embedding model fixes the vectors' length for every chunk in it. */
export interface KnowledgeBaseInfo {
  name: string;
  /** `provider:model` that embeds its chunks and its queries. */
  embeddingModel: string;
  dimensions: number;
  documents: number;
  chunks: number;
}

/** A document as the base holds it; `sha256` is its normalised text's, for idempotent re-adding. */
export interface KnowledgeDocument {
  id: string;
  name: string;
  sha256: string;
  metadata: KnowledgeMetadata;
  chunks: number;
}

/**
 * A chunk as retrieval returns it. `id` (`<document id>#<index>`) is what answers cite; `start`
 * and `end` are offsets in the document's normalised text.
 */
export interface KnowledgeChunk {
  id: string;
  documentId: string;
  index: number;
  start: number;
  end: number;
  text: string;
  metadata: KnowledgeMetadata;
}

/** The id answers cite a chunk by. */
export const chunkId = (documentId: string, index: number): string => `${documentId}#${index}`;

const ingestCapsSchema = runCapsSchema({
  /** Embedding calls (a call embeds up to 64 chunks). */
  maxIterations: 100_000,
  maxTotalTokens: 50_000_000,
  maxCostUsd: 5,
  maxWallTimeMs: 6 * 3_600_000,
});

/** Chunks for retrieval are small: all-MiniLM-L6-v2 reads 256 of its tokens, about 200 of o200k's. */
export const KnowledgeChunkingSchema = z.object({
  maxTokens: z.number().int().min(50).max(8_000).default(200),
  overlapTokens: z.number().int().min(0).max(1_000).default(20),
});

/** A `knowledge` run: documents added to a base, which is created on first use. */
export const KnowledgeIngestInputSchema = z.object({
  base: KnowledgeBaseNameSchema,
  /** The embedding model of a new base (default `local:all-minilm-l6-v2`); an existing base keeps its own. */
  model: ModelFieldSchema.optional(),
  /** Files and folders (searched recursively for .txt, .md, .pdf and .html), as the worker sees them. */
  paths: z.array(z.string().min(1)).min(1),
  /** Given to every document of the run, for filters. */
  metadata: KnowledgeMetadataSchema.default({}),
  chunking: KnowledgeChunkingSchema.default(KnowledgeChunkingSchema.parse({})),
  /** Documents embedded at once. */
  concurrency: z.number().int().min(1).max(16).default(2),
  caps: ingestCapsSchema.default(ingestCapsSchema.parse({})),
  recordSearchAttributes: RecordSearchAttributesSchema,
});
export type KnowledgeIngestInput = z.output<typeof KnowledgeIngestInputSchema>;
export type KnowledgeIngestRequest = z.input<typeof KnowledgeIngestInputSchema>;

/** One document's outcome; `not_started` when a cap ended the run before its turn. */
export interface KnowledgeDocumentOutcome {
  id: string;
  status: 'added' | 'replaced' | 'unchanged' | 'failed' | 'not_started';
  chunks: number;
  /** Why it failed, `Type: message`. */
  error?: string;
}

export interface KnowledgeIngestResult {
  base: string;
  model: string;
  documents: KnowledgeDocumentOutcome[];
  /** `answer` when every document was tried; a cap's reason when one stopped the run. */
  stopReason: StopReason;
  /** What stopped the run early, when a cap did. */
  stopDetail?: string;
  totals: RunTotals;
}
