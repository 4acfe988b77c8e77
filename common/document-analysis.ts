import { z } from 'zod';
import { AgentCapsSchema, ModelFieldSchema, ModelRetrySchema, type RunTotals } from './agent.js';
import { AnalysisSpecSchema } from './analysis-spec.js';
import type { Citation, DocumentResult } from './analysis-report.js';
import { PromptRefSchema } from './prompt-template.js';

export const ChunkingSchema = z.object({
  maxTokens: z.number().int().min(100).max(32_000).default(1_500),
  overlapTokens: z.number().int().min(0).max(4_000).default(150),
});

export const AnalyzeDocumentInputSchema = z.object({
  file: z.string().min(1),
  /** The document's id in the run, used in citations. */
  id: z.string().min(1),
  spec: AnalysisSpecSchema,
  model: ModelFieldSchema,
  chunking: ChunkingSchema.default(ChunkingSchema.parse({})),
  /** Chunk extractions in flight at once for this document. */
  concurrency: z.number().int().min(1).max(64).default(4),
  maxRepairs: z.number().int().min(0).max(5).default(1),
  prompt: PromptRefSchema.default({ id: 'analysis.extract', version: 'v1' }),
  temperature: z.number().min(0).max(2).default(0),
  /** Caps for this document; a cap reached leaves the remaining chunks unanalyzed, and says so. */
  caps: AgentCapsSchema.default(
    AgentCapsSchema.parse({ maxIterations: 1_000, maxCostUsd: 5, maxTotalTokens: 5_000_000 }),
  ),
  retry: ModelRetrySchema.default(ModelRetrySchema.parse({})),
});
export type AnalyzeDocumentInput = z.output<typeof AnalyzeDocumentInputSchema>;
export type AnalyzeDocumentRequest = z.input<typeof AnalyzeDocumentInputSchema>;

/** Every value found for one field in one document, before the merge picks one. */
export interface FieldCandidate {
  field: string;
  value: string | number | string[] | null;
  citation: Citation;
}

export interface AnalyzeDocumentResult extends DocumentResult {
  /** Every supported value the chunks gave, in document order, for the corpus-level steps. */
  candidates: FieldCandidate[];
  hallucinatedQuotes: number;
  notAnalyzed: Array<{ document: string; chunk: number; reason: string }>;
  totals: RunTotals;
}
