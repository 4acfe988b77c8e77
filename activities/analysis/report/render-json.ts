/**
 * The report as JSON: validated against `AnalysisReportSchema` (throws a ZodError when the report
 * breaks the contract), with a stable layout so two renders of one report are byte-identical.
 */
import type { AnalysisReport } from '../../../common/analysis-report.js';
import { AnalysisReportSchema } from './report-schema.js';

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function renderJson(report: AnalysisReport): string {
  // Parsing rebuilds every object in schema key order and drops unknown keys; records (whose key
  // order is only insertion order) are sorted by key.
  const parsed = AnalysisReportSchema.parse(report);
  const stable: AnalysisReport = {
    ...parsed,
    documents: parsed.documents.map((document) => ({ ...document, fields: sortedRecord(document.fields) })),
    sections: sortedRecord(parsed.sections),
  };
  return `${JSON.stringify(stable, null, 2)}\n`;
}
