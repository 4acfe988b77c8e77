import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AnalysisSpec } from '../../common/analysis-spec.js';
import type { FieldCandidate } from '../../common/analysis.js';
import { chooseValue, mergeFields } from '../../workflows/analysis/merge-fields.js';

const spec: AnalysisSpec = {
  name: 'contracts',
  fields: [
    { name: 'governing_law', type: 'text', typeSource: 'inferred' },
    { name: 'parties', type: 'list', typeSource: 'inferred' },
    { name: 'effective_date', type: 'date', typeSource: 'inferred' },
  ],
  compare: [],
  across: 'documents',
  identify: [],
  output: [],
};
const at = (field: string, value: FieldCandidate['value'], offset: number): FieldCandidate => ({
  field,
  value,
  citation: { document: 'a.txt', offset, length: 5, quote: String(value) },
});

void describe('mergeFields', () => {
  void it('takes the value most chunks cited, with its citations; ties go to the first in the document', () => {
    const { fields: merged, undecided } = mergeFields(spec, [
      at('governing_law', 'Delaware', 900),
      at('governing_law', 'New York', 100),
      at('governing_law', 'new  york', 500),
      at('effective_date', '2020-01-01', 300),
      at('effective_date', '2021-01-01', 200),
    ]);
    assert.equal(merged.governing_law?.value, 'New York');
    assert.deepEqual(
      merged.governing_law?.citations.map((citation) => citation.offset),
      [100, 500],
    );
    assert.equal(merged.governing_law?.conflict?.resolvedBy, 'majority');
    assert.deepEqual(
      merged.governing_law?.conflict?.alternatives.map((other) => other.value),
      ['Delaware'],
    );
    assert.equal(merged.effective_date?.value, '2021-01-01', 'a tie: the one cited first in the document');
    assert.equal(merged.effective_date?.conflict?.resolvedBy, 'first_in_document');
    assert.deepEqual(undecided, ['effective_date'], 'only the tie is left for the model');
  });

  void it('takes the model choice among the options, keeping the others as alternatives', () => {
    const { fields } = mergeFields(spec, [
      at('effective_date', '2020-01-01', 300),
      at('effective_date', '2021-01-01', 200),
    ]);
    const chosen = chooseValue(fields.effective_date!, 1, 'the later clause amends the first');
    assert.equal(chosen.value, '2020-01-01');
    assert.deepEqual(
      chosen.citations.map((citation) => citation.offset),
      [300],
    );
    assert.deepEqual(chosen.conflict, {
      resolvedBy: 'model',
      reason: 'the later clause amends the first',
      alternatives: [{ value: '2021-01-01', citations: [fields.effective_date!.citations[0]!] }],
    });
    assert.throws(() => chooseValue(fields.effective_date!, 2, ''), /choice 2 is not one of the 2 options/);
  });

  void it('unites list items across chunks, each once, and leaves out fields nobody found', () => {
    const { fields: merged, undecided } = mergeFields(spec, [
      at('parties', ['Acme Inc.', 'Globex'], 10),
      at('parties', ['acme inc.', 'Initech'], 20),
    ]);
    assert.deepEqual(merged.parties?.value, ['Acme Inc.', 'Globex', 'Initech']);
    assert.equal(merged.parties?.citations.length, 2);
    assert.equal(merged.governing_law, undefined);
    assert.equal(merged.parties?.conflict, undefined, 'list items never conflict');
    assert.deepEqual(undecided, []);
  });
});
