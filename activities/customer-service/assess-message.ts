import { renderPrompt } from '../../common/render-prompt.js';
import { messageAssessmentOutput, type MessageAssessment } from '../../common/customer-service.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { resolveChain, type ModelCatalog } from '../../common/model-catalog.js';
import type { RunTotals } from '../../common/run-contract.js';
import { addModelCall, emptyTotals } from '../../common/run-totals.js';
import { spotlight, spotlightBoundary } from '../../common/spotlight.js';
import { parseStructuredOutput, toResponseFormat } from '../../common/structured-output.js';
import type { CallChatModelOutput, WholeRequestInput } from '../llm/call-chat-model.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
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

export interface AssessServices {
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>;
  prompts: PromptLibrary;
  catalog: ModelCatalog;
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
export function createAssessActivities(services: AssessServices) {
  return {
    async assessMessage(input: AssessMessageInput): Promise<AssessMessageOutput> {
      let model: string;
      try {
        model = resolveChain(services.catalog, input.model)[0]!;
      } catch {
        // `auto` is routed call by call, on the conversation the turn has not built yet.
        const reason = `${input.model} names no model to ask before the turn`;
        return { assessment: assessByLexicon(input.text, input.products, reason), totals: emptyTotals };
      }
      const productNames = Object.keys(input.products);
      const { messages } = renderPrompt(services.prompts.get(input.prompt), {
        products:
          productNames.length > 0 ? productNames.map((name) => `"${name}"`).join(', ') : '(none configured)',
        language: input.language === 'und' ? 'not known' : input.language,
        knowledgeLanguage: input.knowledgeLanguage,
        message: spotlight(input.text, {
          source: 'customer message',
          boundary: spotlightBoundary(input.runId),
        }),
      });
      let call: CallChatModelOutput;
      try {
        call = await services.callChatModel({
          model,
          prompt: input.prompt,
          request: {
            messages,
            tools: [],
            temperature: 0,
            responseFormat: toResponseFormat(messageAssessmentOutput),
          },
        });
      } catch (error) {
        const reason = `the model failed: ${(error as Error).message}`;
        return { assessment: assessByLexicon(input.text, input.products, reason), totals: emptyTotals };
      }
      const totals = addModelCall(emptyTotals, call.response.usage, call.costUsd, call.cacheHit);
      const parsed = parseStructuredOutput(messageAssessmentOutput, call.response.message.content);
      if (!parsed.ok) {
        const reason = `its answer is no assessment: ${parsed.problems.join('; ')}`;
        return { assessment: assessByLexicon(input.text, input.products, reason), totals };
      }
      const value = messageAssessmentOutput.schema.parse(parsed.value);
      if (value.product !== null && !productNames.includes(value.product)) {
        const reason = `it named the product "${value.product}", which is not configured`;
        return { assessment: assessByLexicon(input.text, input.products, reason), totals };
      }
      return { assessment: { ...value, source: 'model' }, totals };
    },
  };
}
