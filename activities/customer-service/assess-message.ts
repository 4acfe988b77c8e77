import { messageAssessmentOutput, type MessageAssessment } from '../../common/customer-service.js';
import type { PromptRef } from '../../common/prompt-template.js';
import type { RunTotals } from '../../common/run-contract.js';
import { spotlight, spotlightBoundary } from '../../common/spotlight.js';
import { askStructured, type StructuredAskServices } from './ask-structured.js';
import { assessByLexicon } from './lexicon-assessment.js';

export interface AssessMessageInput {
  /** The message as the input guards left it (masked). */
  text: string;
  /** The session's model: `provider:model` or an alias, whose first model is asked. */
  model: string;
  products: Record<string, string[]>;
  /** The language eld named (ISO 639-1, or `und`), and the knowledge base's, which a translation is into. */
  language: string;
  knowledgeLanguage: string;
  prompt: PromptRef;
  /** Seeds the spotlighting boundary: the session's run id. */
  runId: string;
}

export interface AssessMessageOutput {
  assessment: MessageAssessment;
  totals: RunTotals;
}

/**
 * A customer message's sentiment, priority and product, before the turn answers it: one
 * structured call of the session's model at temperature 0 (a retry is answered by the response
 * cache), the message spotlighted as data. When the model cannot give one (it fails, or its answer
 * is no assessment, or names a product not configured) the lexicon does (`assessByLexicon`), and
 * the assessment says so and why: a turn is never held up, and never takes a guess for the
 * model's. Not retried by Temporal on a model failure: the fallback is the answer to that. The
 * call's cost comes back in `totals`.
 */
export function createAssessActivities(services: StructuredAskServices) {
  return {
    async assessMessage(input: AssessMessageInput): Promise<AssessMessageOutput> {
      const productNames = Object.keys(input.products);
      const answer = await askStructured(services, {
        model: input.model,
        prompt: input.prompt,
        output: messageAssessmentOutput,
        variables: {
          products:
            productNames.length > 0
              ? productNames.map((name) => `"${name}"`).join(', ')
              : '(none configured)',
          language: input.language === 'und' ? 'not known' : input.language,
          knowledgeLanguage: input.knowledgeLanguage,
          message: spotlight(input.text, {
            source: 'customer message',
            boundary: spotlightBoundary(input.runId),
          }),
        },
      });
      const { totals } = answer;
      const problem =
        'problem' in answer
          ? answer.problem
          : answer.value.product !== null && !productNames.includes(answer.value.product)
            ? `it named the product "${answer.value.product}", which is not configured`
            : undefined;
      if (problem !== undefined || !('value' in answer))
        return { assessment: assessByLexicon(input.text, input.products, problem!), totals };
      return { assessment: { ...answer.value, source: 'model' }, totals };
    },
  };
}
