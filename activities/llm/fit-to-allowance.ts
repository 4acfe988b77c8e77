import { ApplicationFailure } from '@temporalio/common';
import type { CallAllowance, CallNeed } from '../../common/call-allowance.js';
import type { ChatRequest } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import type { ModelPrice } from '../../common/pricing.js';
import { defaultOutputTokens, estimateRequestTokens } from './estimate-request-tokens.js';

/**
 * Characters per token below which no common tokenizer goes on prose: the o200k count is exact
 * for OpenAI's models, and other providers' tokenizers count up to about a third more on the
 * same English text. The larger of the two counts is the input a call is held to.
 */
const charactersPerTokenFloor = 3;

/** An upper bound of the input tokens any provider counts for `request`. */
export function inputTokensBound(request: ChatRequest): number {
  let characters = JSON.stringify(request.tools).length;
  if (request.responseFormat) characters += JSON.stringify(request.responseFormat).length;
  for (const message of request.messages)
    characters +=
      message.content.length + (message.role === 'assistant' ? JSON.stringify(message.toolCalls).length : 0);
  return Math.max(
    estimateRequestTokens(request).inputTokens,
    Math.ceil(characters / charactersPerTokenFloor),
  );
}

/**
 * `request` with its output allowance lowered so that its worst case (the input bound plus the
 * whole output, at `price` when the model has one) stays within `allowance`. Pure.
 * @throws ApplicationFailure `ModelCallOverCaps` (non-retryable) when that leaves less output than
 * `allowance.minOutputTokens` (or than the request asked for, if it asked for less); its details
 * say what the call needs at the least (`CallNeed`), for the run to wait until it is free.
 */
export function fitToAllowance(
  model: string,
  request: ChatRequest,
  allowance: CallAllowance,
  price: ModelPrice | undefined,
): ChatRequest {
  const asked = request.maxOutputTokens ?? defaultOutputTokens;
  const inputTokens = inputTokensBound(request);
  const least = Math.min(asked, allowance.minOutputTokens);
  let output = Math.min(asked, allowance.totalTokens - inputTokens);
  let need: CallNeed = { totalTokens: inputTokens + least, costUsd: 0 };
  if (price && price.outputPerMillion > 0) {
    const inputUsd =
      (inputTokens * Math.max(price.inputPerMillion, price.cacheWriteInputPerMillion ?? 0)) / 1e6;
    const outputUsd = price.outputPerMillion / 1e6;
    output = Math.min(output, Math.floor((allowance.costUsd - inputUsd) / outputUsd));
    need = { ...need, costUsd: inputUsd + least * outputUsd };
  }
  if (output < least)
    throw ApplicationFailure.create({
      type: ErrorType.ModelCallOverCaps,
      message:
        `${model}: the call needs up to ${inputTokens} input tokens and at least ${least} of output` +
        (need.costUsd > 0 ? ` ($${need.costUsd.toFixed(6)})` : '') +
        `, and the run's caps leave it ${allowance.totalTokens} tokens` +
        (need.costUsd > 0 ? ` and $${allowance.costUsd.toFixed(6)}` : ''),
      nonRetryable: true,
      details: [need],
    });
  return output < asked ? { ...request, maxOutputTokens: output } : request;
}
