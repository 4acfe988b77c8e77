import { ApplicationFailure } from '@temporalio/common';
import type { ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import { countTokens } from '../prompts/count-tokens.js';
import { fitConversation } from '../conversation/fit-conversation.js';
import { countMessageTokens, countToolTokens, defaultOutputTokens } from './estimate-request-tokens.js';

/**
 * The share of a model's context window a request may fill with its input and output allowance:
 * o200k counts are close to, not the same as, every provider's own tokenizer.
 */
const windowShare = 0.95;

/** What fitting did to a request, recorded with the call. */
export interface ContextFit {
  /** Input tokens before and after, o200k. */
  fromTokens: number;
  toTokens: number;
  /** Tool results cut to their first characters, and whole earlier steps left out. */
  cutResults: number;
  droppedSteps: number;
}

/**
 * `request` fitted to `contextWindow` (the model's, from the catalog) with room for its output
 * allowance, or undefined when it fits as it is (`inputTokens` is its count when already known,
 * as a stored conversation's is). Pure.
 * @throws ApplicationFailure `ContextTooLong` (non-retryable) when the request cannot fit: its
 * system prompt, question and latest step alone are over the window.
 */
export function fitToContext(
  model: string,
  request: ChatRequest,
  contextWindow: number,
  inputTokens?: number,
): { request: ChatRequest; fit: ContextFit } | undefined {
  const fixed =
    countToolTokens(request.tools) +
    (request.responseFormat ? countTokens(JSON.stringify(request.responseFormat)) : 0);
  const budget =
    Math.floor(contextWindow * windowShare) - (request.maxOutputTokens ?? defaultOutputTokens) - fixed;
  const fromTokens =
    inputTokens ?? fixed + request.messages.reduce((sum, message) => sum + countMessageTokens(message), 0);
  if (fromTokens - fixed <= budget) return undefined;
  const fitted = fitConversation(request.messages, budget, countMessageTokens);
  if (!fitted)
    throw ApplicationFailure.create({
      type: ErrorType.ContextTooLong,
      message: `the request does not fit ${model}'s context window of ${contextWindow} tokens even with earlier steps left out: ${fromTokens} input tokens and ${request.maxOutputTokens ?? defaultOutputTokens} for the answer`,
      nonRetryable: true,
    });
  return {
    request: { ...request, messages: fitted.messages },
    fit: {
      fromTokens,
      toTokens: fixed + fitted.tokens,
      cutResults: fitted.cutResults,
      droppedSteps: fitted.droppedSteps,
    },
  };
}
