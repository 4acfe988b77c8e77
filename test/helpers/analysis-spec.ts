import type { AnalysisSpec } from '../../common/analysis-spec.js';

/** A small contracts spec for the analysis tests: one text field, one list field. */
export const contractsTestSpec: AnalysisSpec = {
  name: 'contracts',
  fields: [
    { name: 'governing_law', type: 'text', typeSource: 'inferred' },
    { name: 'parties', type: 'list', typeSource: 'inferred' },
  ],
  compare: ['governing_law'],
  across: 'documents',
  identify: ['risks'],
  output: ['executive_summary'],
};
