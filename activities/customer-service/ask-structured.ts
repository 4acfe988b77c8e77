import { resolveChain, type ModelCatalog } from '../../common/model-catalog.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { renderPrompt } from '../../common/render-prompt.js';
import type { RunTotals } from '../../common/run-contract.js';
import { addModelCall, emptyTotals } from '../../common/run-totals.js';
import {
  parseStructuredOutput,
  toResponseFormat,
  type OutputDefinition,
} from '../../common/structured-output.js';
import type { CallChatModelOutput, WholeRequestInput } from '../llm/call-chat-model.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';

export interface StructuredAskServices {
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>;
  prompts: PromptLibrary;
  catalog: ModelCatalog;
}

/** The model's answer, valid by the output's schema, or why there is none; and what the call cost. */
export type StructuredAnswer<T> = ({ value: T } | { problem: string }) & { totals: RunTotals };

/**
 * One structured call a session makes around a turn (the message's assessment, the reply's
 * review): the template rendered with `variables`, the first model of `model` (an alias's chain
 * starts there) at temperature 0, so a retry is answered by the response cache. A model that
 * fails, or answers what is not the output, gives no value but the reason: the caller decides
 * what stands in for it. No repair turn: both callers have a fallback that costs no call.
 */
export async function askStructured<T>(
  services: StructuredAskServices,
  request: {
    model: string;
    prompt: PromptRef;
    variables: Record<string, string>;
    output: OutputDefinition<T>;
  },
): Promise<StructuredAnswer<T>> {
  let model: string;
  try {
    model = resolveChain(services.catalog, request.model)[0]!;
  } catch {
    // `auto` is routed call by call, on a conversation the turn has not built.
    return { problem: `${request.model} names no model to ask`, totals: emptyTotals };
  }
  const { messages } = renderPrompt(services.prompts.get(request.prompt), request.variables);
  let call: CallChatModelOutput;
  try {
    call = await services.callChatModel({
      model,
      prompt: request.prompt,
      request: { messages, tools: [], temperature: 0, responseFormat: toResponseFormat(request.output) },
    });
  } catch (error) {
    return { problem: `the model failed: ${(error as Error).message}`, totals: emptyTotals };
  }
  const totals = addModelCall(emptyTotals, call.response.usage, call.costUsd, call.cacheHit);
  const parsed = parseStructuredOutput(request.output, call.response.message.content);
  if (!parsed.ok)
    return { problem: `its answer is not ${request.output.name}: ${parsed.problems.join('; ')}`, totals };
  return { value: request.output.schema.parse(parsed.value), totals };
}
