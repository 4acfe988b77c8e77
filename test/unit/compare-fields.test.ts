import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DocumentResult } from '../../common/analysis-report.js';
import { compareFields } from '../../activities/analysis/compare-fields.js';
import { contractsTestSpec as spec } from '../helpers/analysis-spec.js';

const document = (id: string, law?: string): DocumentResult => ({
  id,
  name: id,
  status: 'analyzed',
  chunks: 1,
  chunksAnalyzed: 1,
  fields: law
    ? { governing_law: { value: law, citations: [{ document: id, offset: 0, length: 3, quote: law }] } }
    : {},
});

void describe('compareFields', () => {
  void it('gives one row per document and calls values equal when they read the same', () => {
    const [law] = compareFields(spec, [document('a', 'New York'), document('b', 'new  york'), document('c')]);
    assert.deepEqual(
      law?.rows.map((row) => [row.document, row.value, row.citations.length]),
      [
        ['a', 'New York', 1],
        ['b', 'new  york', 1],
        ['c', null, 0],
      ],
    );
    assert.equal(law?.consistent, true, 'a document without the value does not make it inconsistent');
    assert.equal(law?.summary, '1 distinct value: New York (2); not stated (1)');
  });

  void it('flags documents that disagree, most common value first', () => {
    const [law] = compareFields(spec, [
      document('a', 'Nevada'),
      document('b', 'Delaware'),
      document('c', 'Delaware'),
    ]);
    assert.equal(law?.consistent, false);
    assert.equal(law?.summary, '2 distinct values: Delaware (2); Nevada (1)');
  });
});
