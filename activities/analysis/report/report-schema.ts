/**
 * A zod schema of `AnalysisReport` (common/analysis-report.ts): what `renderJson` validates before
 * writing, and what a reader of `report.json` can parse it back with.
 */
import { z } from 'zod';
import type { AnalysisReport } from '../../../common/analysis-report.js';

export const CitationSchema = z.object({
  document: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
  quote: z.string(),
});

const ValueSchema = z.union([z.string(), z.number(), z.array(z.string()), z.null()]);

export const FieldValueSchema = z.object({
  value: ValueSchema,
  citations: z.array(CitationSchema),
  conflict: z
    .object({
      resolvedBy: z.enum(['majority', 'first_in_document', 'model']),
      reason: z.string().optional(),
      alternatives: z.array(z.object({ value: ValueSchema, citations: z.array(CitationSchema) })),
    })
    .optional(),
});

export const DocumentResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(['analyzed', 'partial', 'failed', 'skipped']),
  reason: z.string().optional(),
  chunks: z.number().int().nonnegative(),
  chunksAnalyzed: z.number().int().nonnegative(),
  fields: z.record(z.string(), FieldValueSchema),
});

export const ComparisonSchema = z.object({
  field: z.string(),
  rows: z.array(
    z.object({
      document: z.string(),
      value: FieldValueSchema.shape.value,
      citations: z.array(CitationSchema),
    }),
  ),
  consistent: z.boolean(),
  summary: z.string().optional(),
});

export const FindingSchema = z.object({
  kind: z.string(),
  title: z.string(),
  detail: z.string(),
  severity: z.enum(['high', 'medium', 'low']),
  citations: z.array(CitationSchema),
});

export const AnalysisReportSchema = z.object({
  title: z.string(),
  spec: z.object({
    name: z.string(),
    extract: z.array(z.string()),
    compare: z.array(z.string()),
    identify: z.array(z.string()),
    output: z.array(z.string()),
  }),
  generatedAt: z.iso.datetime({ offset: true }),
  model: z.string(),
  documents: z.array(DocumentResultSchema),
  comparisons: z.array(ComparisonSchema),
  findings: z.array(FindingSchema),
  sections: z.record(z.string(), z.string()),
  notAnalyzed: z.array(
    z.object({ document: z.string(), chunk: z.number().int().nonnegative().optional(), reason: z.string() }),
  ),
  stats: z.object({
    documents: z.number().int().nonnegative(),
    chunks: z.number().int().nonnegative(),
    chunksAnalyzed: z.number().int().nonnegative(),
    hallucinatedQuotes: z.number().int().nonnegative(),
    totalTokens: z.number().int().nonnegative(),
    costUsd: z.number().nonnegative(),
  }),
});

// The schema and the contract must not drift apart: this fails to compile if they differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesContract: Same<z.infer<typeof AnalysisReportSchema>, AnalysisReport> = true;
void schemaMatchesContract;
