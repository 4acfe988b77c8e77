import type { FieldValue } from './analysis-report.js';
import type { AnalysisSpec } from './analysis-spec.js';
import type { FieldCandidate } from './document-analysis.js';

const fold = (text: string): string => text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * One value per field for a document, from what its chunks found (chunks overlap, and a
 * contract repeats itself). Lists are the union of their items, each item once. Other fields
 * take the value most chunks cited, ties going to the one cited first in the document; its
 * citations come along. Deterministic: it runs inside workflows.
 */
export function mergeFields(
  spec: AnalysisSpec,
  candidates: readonly FieldCandidate[],
): Record<string, FieldValue> {
  const merged: Record<string, FieldValue> = {};
  for (const field of spec.fields) {
    const found = candidates
      .filter((candidate) => candidate.field === field.name)
      .sort((a, b) => a.citation.offset - b.citation.offset);
    if (found.length === 0) continue;
    if (field.type === 'list') {
      const items = new Map<string, string>();
      for (const candidate of found)
        for (const item of Array.isArray(candidate.value) ? candidate.value : [String(candidate.value)])
          if (!items.has(fold(item))) items.set(fold(item), item);
      merged[field.name] = {
        value: [...items.values()],
        citations: found.map((candidate) => candidate.citation),
      };
      continue;
    }
    const groups = new Map<string, FieldCandidate[]>();
    for (const candidate of found) {
      const key = fold(String(candidate.value));
      groups.set(key, [...(groups.get(key) ?? []), candidate]);
    }
    // Map order is first appearance, and the sort is stable: ties keep the earliest.
    const [best] = [...groups.values()].sort((a, b) => b.length - a.length);
    if (best?.[0])
      merged[field.name] = { value: best[0].value, citations: best.map((candidate) => candidate.citation) };
  }
  return merged;
}
