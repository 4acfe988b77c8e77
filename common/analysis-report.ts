/**
 * The result of a document-analysis run, as plain data: what the report writers (Markdown, JSON,
 * HTML) render. Every finding cites the exact text it came from.
 */

/** Where a piece of text is in a document: character offset and length in its normalized text. */
export interface Citation {
  /** The document's id in the run (its path relative to the input folder). */
  document: string;
  offset: number;
  length: number;
  /** The quoted text, verbatim from the document (after whitespace normalization). */
  quote: string;
}

/** One field's value in one document, with the quotes that support it. */
export interface FieldValue {
  value: string | number | string[] | null;
  citations: Citation[];
  /** Present when the document's chunks gave different values: how one was chosen, and the others. */
  conflict?: {
    resolvedBy: 'majority' | 'first_in_document' | 'model';
    /** The model's reason, when it chose. */
    reason?: string;
    alternatives: Array<{ value: string | number | string[] | null; citations: Citation[] }>;
  };
}

export interface DocumentResult {
  id: string;
  /** The file name, for display. */
  name: string;
  status: 'analyzed' | 'partial' | 'failed' | 'skipped';
  /** Why it is partial, failed or skipped. */
  reason?: string;
  chunks: number;
  chunksAnalyzed: number;
  fields: Record<string, FieldValue>;
}

/** One COMPARE field across documents. */
export interface Comparison {
  field: string;
  rows: Array<{ document: string; value: FieldValue['value']; citations: Citation[] }>;
  /** True when every document that has a value has the same one. */
  consistent: boolean;
  summary?: string;
}

/** A result of the IDENTIFY step (a risk, an inconsistency, ...). */
export interface Finding {
  kind: string;
  title: string;
  detail: string;
  severity: 'high' | 'medium' | 'low';
  citations: Citation[];
}

export interface AnalysisReport {
  title: string;
  spec: { name: string; extract: string[]; compare: string[]; identify: string[]; output: string[] };
  /** ISO 8601. */
  generatedAt: string;
  model: string;
  documents: DocumentResult[];
  comparisons: Comparison[];
  findings: Finding[];
  /** The OUTPUT sections by name (e.g. executive_summary), as Markdown text. */
  sections: Record<string, string>;
  /** What could not be analyzed and why (documents or single chunks). */
  notAnalyzed: Array<{ document: string; chunk?: number; reason: string }>;
  stats: {
    documents: number;
    chunks: number;
    chunksAnalyzed: number;
    /** Quotes the model gave that were not found verbatim in their chunk: dropped. */
    hallucinatedQuotes: number;
    totalTokens: number;
    costUsd: number;
  };
}
