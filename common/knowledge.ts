import { z } from 'zod';

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
