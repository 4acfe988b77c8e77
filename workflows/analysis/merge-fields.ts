import type { FieldValue } from '../../common/analysis-report.js';
import type { AnalysisSpec } from '../../common/analysis-spec.js';
import type { FieldCandidate } from '../../common/analysis.js';

const fold = (text: string): string => text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

/** A document's merged fields, and the ones whose chunks disagreed with no majority. */
export interface MergedFields {
  fields: Record<string, FieldValue>;
  /** Fields settled only by document order: candidates for a model reconciliation. */
  undecided: string[];
}

/**
 * One value per field for a document, from what its chunks found (chunks overlap, and a
 * contract repeats itself). Lists are the union of their items, each item once. Other fields
 * take the value most chunks cited; a tie goes to the one cited first in the document and the
 * field is listed as undecided. The values not taken stay on the field as alternatives, with
 * their citations. Deterministic: it runs inside workflows.
 */
export function mergeFields(spec: AnalysisSpec, candidates: readonly FieldCandidate[]): MergedFields {
  const fields: Record<string, FieldValue> = {};
  const undecided: string[] = [];
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
      fields[field.name] = {
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
    const [best, ...others] = [...groups.values()]
      .sort((a, b) => b.length - a.length)
      .map((group) => ({ value: group[0]!.value, citations: group.map((candidate) => candidate.citation) }));
    if (!best) continue;
    if (others.length === 0) {
      fields[field.name] = best;
      continue;
    }
    const tie = others[0]!.citations.length === best.citations.length;
    if (tie) undecided.push(field.name);
    fields[field.name] = {
      ...best,
      conflict: { resolvedBy: tie ? 'first_in_document' : 'majority', alternatives: others },
    };
  }
  return { fields, undecided };
}

/**
 * A conflicting field settled by the model: `choice` indexes the field's options, the current
 * value first and then its alternatives (the order the model was shown).
 */
export function chooseValue(field: FieldValue, choice: number, reason: string): FieldValue {
  const options = [
    { value: field.value, citations: field.citations },
    ...(field.conflict?.alternatives ?? []),
  ];
  const chosen = options[choice];
  if (!chosen) throw new RangeError(`choice ${choice} is not one of the ${options.length} options`);
  return {
    ...chosen,
    conflict: {
      resolvedBy: 'model',
      reason,
      alternatives: options.filter((_, index) => index !== choice),
    },
  };
}
