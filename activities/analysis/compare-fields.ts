import type { Comparison, DocumentResult, FieldValue } from '../../common/analysis-report.js';
import type { AnalysisSpec } from '../../common/analysis-spec.js';

/** Values compare equal when they read the same: case, spacing and Unicode forms aside; lists as sets. */
export function comparableValue(value: FieldValue['value']): string {
  const fold = (text: string): string => text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
  return Array.isArray(value) ? [...new Set(value.map(fold))].sort().join('\n') : fold(String(value));
}

/**
 * The COMPARE step: for each field named in COMPARE, one row per document with its value and
 * citations (null where the document did not state it), whether the documents that state it
 * agree, and a one-line count of the distinct values. Deterministic and model-free: the
 * table shows only what was extracted and cited.
 */
export function compareFields(spec: AnalysisSpec, documents: readonly DocumentResult[]): Comparison[] {
  return spec.compare.map((field) => {
    const rows = documents.map((document) => ({
      document: document.id,
      value: document.fields[field]?.value ?? null,
      citations: document.fields[field]?.citations ?? [],
    }));
    const counts = new Map<string, { value: FieldValue['value']; documents: number }>();
    for (const row of rows) {
      if (row.value === null) continue;
      const key = comparableValue(row.value);
      const entry = counts.get(key) ?? { value: row.value, documents: 0 };
      counts.set(key, { ...entry, documents: entry.documents + 1 });
    }
    const missing = rows.filter((row) => row.value === null).length;
    const distinct = [...counts.values()].sort((a, b) => b.documents - a.documents);
    const parts = distinct.map(
      (entry) =>
        `${Array.isArray(entry.value) ? entry.value.join(', ') : String(entry.value)} (${entry.documents})`,
    );
    if (missing > 0) parts.push(`not stated (${missing})`);
    return {
      field,
      rows,
      consistent: distinct.length <= 1,
      summary: `${distinct.length} distinct value${distinct.length === 1 ? '' : 's'}: ${parts.join('; ') || 'none'}`,
    };
  });
}
