import type { AnalysisReport, DocumentResult, Finding } from '../../common/analysis-report.js';
import { AnalysisSpecSchema, type AnalysisSpec } from '../../common/analysis-spec.js';
import type { BlobRef } from '../../common/blob-ref.js';
import { compareFields } from './compare-fields.js';
import type { NotAnalyzed } from '../../common/analysis.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { loadDocumentResult } from './stored-document-result.js';
import { writeReport, type WrittenReport } from './report/write-report.js';
import { plural } from '../../common/plural.js';
import { unmaskDeep, type PiiVaultEntry } from '../guards/pii/mask-pii.js';

export interface WriteAnalysisReportInput {
  spec: AnalysisSpec;
  model: string;
  /** ISO 8601, from the workflow's clock: a retried write lands in the same folder. */
  generatedAt: string;
  /** Every document in input order; a stored result where there is one. */
  documents: Array<Omit<DocumentResult, 'fields'> & { result?: BlobRef | undefined }>;
  findings: Finding[];
  sections: Record<string, string>;
  notAnalyzed: NotAnalyzed[];
  stats: Omit<AnalysisReport['stats'], 'documents' | 'chunks' | 'chunksAnalyzed'>;
  /** The folder the report's own folder is created in; the worker's reports directory when absent. */
  outputFolder?: string | undefined;
  /**
   * The run's PII vault, when its documents were masked for the models: the report is for the
   * user, so its values, quotes and sections get the real values back.
   */
  piiVault?: string | undefined;
}

/** The last step of a corpus run: assemble the report from stored results and write its three formats. */
export function createReportActivities(dependencies: {
  blobs: BlobStore;
  reportsDirectory: string;
  vaultEntries: (vaultId: string) => Promise<PiiVaultEntry[]>;
}) {
  const { blobs, reportsDirectory, vaultEntries } = dependencies;
  return {
    writeAnalysisReport: async (input: WriteAnalysisReportInput): Promise<WrittenReport> => {
      const spec = AnalysisSpecSchema.parse(input.spec);
      const documents: DocumentResult[] = await Promise.all(
        input.documents.map(async ({ result, ...summary }) =>
          result
            ? {
                ...(await loadDocumentResult(blobs, result)),
                ...summary,
              }
            : { ...summary, fields: {} },
        ),
      );
      const report: AnalysisReport = {
        title: `${spec.name}: ${plural(documents.length, 'document')}`,
        spec: {
          name: spec.name,
          extract: spec.fields.map((field) => field.name),
          compare: spec.compare,
          identify: spec.identify,
          output: spec.output,
        },
        generatedAt: input.generatedAt,
        model: input.model,
        documents,
        comparisons: compareFields(spec, documents),
        findings: input.findings,
        sections: input.sections,
        notAnalyzed: input.notAnalyzed,
        stats: {
          documents: documents.length,
          chunks: documents.reduce((sum, document) => sum + document.chunks, 0),
          chunksAnalyzed: documents.reduce((sum, document) => sum + document.chunksAnalyzed, 0),
          ...input.stats,
        },
      };
      const vault = input.piiVault ? await vaultEntries(input.piiVault) : [];
      return writeReport(unmaskDeep(report, vault), input.outputFolder ?? reportsDirectory);
    },
  };
}
