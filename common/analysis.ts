import { z } from 'zod';
import type { GuardedResult } from './guards.js';
import { AnalysisSpecSchema, type AnalysisSpec } from './analysis-spec.js';
import type { Citation, DocumentResult } from './analysis-report.js';
import type { BlobRef } from './blob-ref.js';
import type { ChatMessage } from './chat.js';
import { PromptRefSchema } from './prompt-template.js';
import type { RouteDecision } from './route-request.js';
import { TenantPolicySchema } from './policies.js';
import {
  ModelFieldSchema,
  runCapsSchema,
  runInputFields,
  type ModelFallback,
  type RunTotals,
} from './run-contract.js';

const documentCapsSchema = runCapsSchema({
  maxIterations: 1_000,
  maxTotalTokens: 5_000_000,
  maxCostUsd: 5,
  maxWallTimeMs: 3_600_000,
});

/** A corpus run's caps: a spending cap given alone (`--max-cost`) leaves the others generous, not an agent's. */
const corpusCapsSchema = runCapsSchema({
  maxIterations: 10_000,
  maxTotalTokens: 50_000_000,
  maxCostUsd: 10,
  maxWallTimeMs: 24 * 3_600_000,
});

export const ChunkingSchema = z.object({
  maxTokens: z.number().int().min(100).max(32_000).default(1_500),
  overlapTokens: z.number().int().min(0).max(4_000).default(150),
});

/** What a document run and a corpus run are both given. */
const analysisRunFields = {
  spec: AnalysisSpecSchema,
  ...runInputFields,
  chunking: ChunkingSchema.default(ChunkingSchema.parse({})),
  maxRepairs: z.number().int().min(0).max(5).default(1),
  /** Fields whose chunks disagree with no majority go to the model, at most this many per document. */
  maxReconciliations: z.number().int().min(0).max(20).default(3),
};

export const AnalysisDocumentInputSchema = z.object({
  ...analysisRunFields,
  file: z.string().min(1),
  /** The document's id in the run, used in citations. */
  id: z.string().min(1),
  /** The chain a corpus run resolved: used as it is, from its first model, nothing resolved again. */
  models: z.array(ModelFieldSchema).min(1).optional(),
  /** With `models`: the providers whose calls the parent sent through their own (rate-limited) queue. */
  providerQueues: z.array(z.string()).optional(),
  /** With `models`: the policy the parent resolved for its tenant; every call is checked against it. */
  policy: TenantPolicySchema.optional(),
  /** Chunk extractions in flight at once for this document. */
  concurrency: z.number().int().min(1).max(64).default(4),
  prompt: PromptRefSchema.default({ id: 'analysis.extract', version: 'v1' }),
  reconcilePrompt: PromptRefSchema.default({ id: 'analysis.reconcile', version: 'v1' }),
  /** Caps for this document; a cap reached leaves the remaining chunks unanalyzed, and says so. */
  caps: documentCapsSchema.default(documentCapsSchema.parse({})),
});
export type AnalysisDocumentInput = z.output<typeof AnalysisDocumentInputSchema>;
export type AnalysisDocumentRequest = z.input<typeof AnalysisDocumentInputSchema>;

/** Every value found for one field in one document, before the merge picks one. */
export interface FieldCandidate {
  field: string;
  value: string | number | string[] | null;
  citation: Citation;
}

export type NotAnalyzed = { document: string; chunk?: number; reason: string };

/**
 * One document's outcome as its parent holds it: counts and references. The merged fields with
 * their citations are in the blob store (`result`, a `DocumentResult` as JSON), so a corpus run's
 * history grows by about 3 KB per document (its input, this result, the task events),
 * however long the document and whatever it says.
 */
export interface AnalysisDocumentResult extends Omit<DocumentResult, 'fields'>, GuardedResult {
  /** The `DocumentResult` as JSON in the blob store; absent when the document could not be read. */
  result?: BlobRef;
  /** The document's normalized text, for checking quotes later. */
  text?: BlobRef;
  fieldsFound: number;
  hallucinatedQuotes: number;
  /** Conflicting values settled by the model (the rest by majority or document order). */
  reconciled: number;
  notAnalyzed: NotAnalyzed[];
  /** Each move down the model chain (and each budget downgrade) this document's calls made. */
  fallbacks: ModelFallback[];
  /** Why the shared budget refused a call, when it did: the document's remaining calls were not made. */
  budgetRefusal?: string;
  /** The cap of the document's share that left chunks unanalyzed, when one did. */
  capStop?: { stopReason: 'iteration_limit' | 'budget_exhausted' | 'deadline'; detail: string };
  totals: RunTotals;
}

/** A document nothing was extracted from (unreadable, skipped at a cap or by the shared budget, its run failed), and why. */
export function documentNotAnalyzed(
  document: { id: string; name: string },
  status: 'failed' | 'skipped',
  reason: string,
): Omit<AnalysisDocumentResult, 'totals'> {
  return {
    id: document.id,
    name: document.name,
    status,
    reason,
    chunks: 0,
    chunksAnalyzed: 0,
    fieldsFound: 0,
    hallucinatedQuotes: 0,
    reconciled: 0,
    notAnalyzed: [{ document: document.id, reason }],
    fallbacks: [],
  };
}

/**
 * What the router judges when an analysis runs on `auto`: the spec as one request, since its
 * chunks are not read yet. Long or intricate specs (the catalog's complex patterns) go to the
 * complex route; the chain chosen serves every call of the run.
 */
export function analysisRouteMessages(spec: AnalysisSpec): ChatMessage[] {
  const fields = spec.fields.map(
    (field) => `- ${field.name} (${field.type})${field.description ? `: ${field.description}` : ''}`,
  );
  return [
    {
      role: 'user',
      content: [
        `Analyze documents (${spec.name}). Extract:`,
        ...fields,
        ...(spec.compare.length > 0 ? [`Compare: ${spec.compare.join(', ')}`] : []),
        ...(spec.identify.length > 0 ? [`Identify: ${spec.identify.join(', ')}`] : []),
        ...(spec.output.length > 0 ? [`Write: ${spec.output.join(', ')}`] : []),
      ].join('\n'),
    },
  ];
}

/** How far a document run has got: `documentProgressQuery`. */
export interface DocumentProgress {
  chunks: number;
  chunksDone: number;
  totals: RunTotals;
}

export const AnalysisInputSchema = z.object({
  ...analysisRunFields,
  /** Files and folders (searched recursively for .txt, .md, .pdf and .html), as the worker sees them. */
  paths: z.array(z.string().min(1)).min(1),
  /** Model calls in flight at once over the whole corpus (documents times chunks per document). */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Documents per IDENTIFY call: bounds each prompt's size whatever the corpus size. */
  identifyBatchSize: z.number().int().min(1).max(200).default(20),
  prompts: z
    .object({
      extract: PromptRefSchema.default({ id: 'analysis.extract', version: 'v1' }),
      reconcile: PromptRefSchema.default({ id: 'analysis.reconcile', version: 'v1' }),
      identify: PromptRefSchema.default({ id: 'analysis.identify', version: 'v1' }),
      output: PromptRefSchema.default({ id: 'analysis.output', version: 'v1' }),
    })
    .default({
      extract: { id: 'analysis.extract', version: 'v1' },
      reconcile: { id: 'analysis.reconcile', version: 'v1' },
      identify: { id: 'analysis.identify', version: 'v1' },
      output: { id: 'analysis.output', version: 'v1' },
    }),
  /**
   * Caps for the whole corpus. The map step may use all but `reduceShare` of them, so the
   * IDENTIFY and OUTPUT steps can still run after a cap stop.
   */
  caps: corpusCapsSchema.default(corpusCapsSchema.parse({})),
  reduceShare: z.number().min(0).max(0.9).default(0.1),
  /** Where the report folder is created; the worker's reports directory when absent. */
  outputFolder: z.string().min(1).optional(),
});
export type AnalysisInput = z.output<typeof AnalysisInputSchema>;
export type AnalysisRequest = z.input<typeof AnalysisInputSchema>;

export type AnalysisPhase = 'listing' | 'extracting' | 'identifying' | 'writing' | 'reporting' | 'done';

/** How far a corpus run has got: `analysisProgressQuery`. Running documents report their own. */
export interface AnalysisProgress {
  phase: AnalysisPhase;
  documents: number;
  documentsDone: number;
  /** Chunks of the finished documents. */
  chunks: number;
  chunksDone: number;
  /** Workflow ids of the documents in flight, to ask each for its own progress. */
  running: string[];
  totals: RunTotals;
}

export interface AnalysisResult extends GuardedResult {
  report: { folder: string; files: { markdown: string; json: string; html: string } };
  documents: Array<Pick<AnalysisDocumentResult, 'id' | 'status' | 'chunks' | 'chunksAnalyzed'>>;
  findings: number;
  /** Documents, chunks and steps that were not analyzed, with the reason. */
  notAnalyzed: NotAnalyzed[];
  hallucinatedQuotes: number;
  /** Why the run stopped early, when a cap (or the shared budget) did stop it. */
  stop?: { stopReason: string; detail: string };
  /** Each move down the model chain (and each budget downgrade), the documents' included. */
  fallbacks: ModelFallback[];
  /** With `model: auto`: which route the router chose, and why. */
  route?: RouteDecision;
  totals: RunTotals;
}
