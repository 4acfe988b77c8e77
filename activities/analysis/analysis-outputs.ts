import { z } from 'zod';
import { defineOutput } from '../../common/structured-output.js';

/** The reconciliation step: which of a field's conflicting values the document means. */
export const fieldChoiceOutput = defineOutput(
  'field_choice',
  'Which of the numbered candidate values is the one the document means, and why',
  z.object({
    choice: z.number().int().min(1).describe('the number of the chosen candidate'),
    reason: z.string().min(1).describe('one sentence, citing what in the quotes decides it'),
  }),
);

export const severities = ['high', 'medium', 'low'] as const;

/** The IDENTIFY step: findings of the spec's kinds, each backed by quotes from the documents. */
export const findingsOutput = defineOutput(
  'analysis_findings',
  'Findings of the requested kinds, each supported by verbatim quotes from the documents',
  z.object({
    findings: z
      .array(
        z.object({
          kind: z.string().min(1),
          title: z.string().min(1).max(200),
          detail: z.string().min(1).max(2_000),
          severity: z.enum(severities),
          quotes: z
            .array(z.object({ document: z.string().min(1), quote: z.string().min(1) }))
            .min(1)
            .max(5),
        }),
      )
      .max(20),
  }),
);

/** The OUTPUT step: one Markdown text per section the spec names. */
export const sectionsOutput = defineOutput(
  'analysis_sections',
  'The report sections, each as Markdown',
  z.object({
    sections: z.array(z.object({ name: z.string().min(1), markdown: z.string().min(1) })).min(1),
  }),
);
