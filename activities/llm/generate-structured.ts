import { ApplicationFailure } from '@temporalio/common';
import type { ChatMessage, ResponseFormat } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import type { PromptRef } from '../../common/prompt-template.js';
import {
  parseStructuredOutput,
  toResponseFormat,
  type OutputDefinition,
  type StructuredParse,
} from '../../common/structured-output.js';
import type { WholeRequestInput, CallChatModelOutput } from './call-chat-model.js';

export interface GenerateStructuredInput {
  /** `provider:model`. */
  model: string;
  /** The name of a registered output (see `OutputDefinition`). */
  output: string;
  prompt?: PromptRef | undefined;
  messages: ChatMessage[];
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
}

export interface GenerateStructuredOutput extends CallChatModelOutput {
  /** The validated value, or the problems to show the model in a repair turn. */
  parsed: StructuredParse;
}

/** Structured outputs by name; a name registered twice is a configuration error. */
export function createOutputRegistry(
  definitions: readonly OutputDefinition[],
): Map<string, OutputDefinition> {
  const registry = new Map<string, OutputDefinition>();
  for (const definition of definitions) {
    if (registry.has(definition.name))
      throw new Error(`structured output "${definition.name}" is registered twice`);
    registry.set(definition.name, definition);
  }
  return registry;
}

/**
 * One model call whose answer must match a registered output. The schema goes out natively (the
 * adapters turn `responseFormat` into OpenAI's JSON-schema format or Anthropic's forced tool) and
 * the answer is validated here with the output's zod schema. Output that does not match is not a
 * failure: the same request would likely fail the same way, so the problems go back to the
 * workflow, whose bounded repair loop shows them to the model (`generateStructured` in
 * workflows/lib/structured-call.ts). Provider errors fail as `callChatModel`'s do.
 */
export function createGenerateStructured(
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>,
  outputs: ReadonlyMap<string, OutputDefinition>,
) {
  return async function generateStructured(
    input: GenerateStructuredInput,
  ): Promise<GenerateStructuredOutput> {
    const output = outputs.get(input.output);
    if (!output) {
      throw ApplicationFailure.create({
        type: ErrorType.InvalidInput,
        message: `no structured output "${input.output}"; registered: ${[...outputs.keys()].join(', ')}`,
        nonRetryable: true,
      });
    }
    return callStructured(callChatModel, {
      ...input,
      responseFormat: toResponseFormat(output),
      output,
    });
  };
}

/** One structured call: the request with its response format, and the answer checked against `output`. */
export interface StructuredCall {
  model: string;
  prompt?: PromptRef | undefined;
  messages: ChatMessage[];
  /** What the model is shown; `output.schema` is what validates the answer. */
  responseFormat: ResponseFormat;
  output: OutputDefinition;
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
}

/**
 * Calls the model once with a response format and validates its answer. An answer cut off at
 * the output limit says so first among its problems, so a repair turn asks for a shorter one.
 * Shared by `generateStructured` (registered outputs) and the analysis steps (spec-derived ones).
 */
export async function callStructured(
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>,
  request: StructuredCall,
): Promise<GenerateStructuredOutput> {
  const call = await callChatModel({
    model: request.model,
    prompt: request.prompt,
    request: {
      messages: request.messages,
      tools: [],
      responseFormat: request.responseFormat,
      ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
      ...(request.maxOutputTokens !== undefined ? { maxOutputTokens: request.maxOutputTokens } : {}),
    },
  });
  let parsed = parseStructuredOutput(request.output, call.response.message.content);
  if (!parsed.ok && call.response.finishReason === 'length') {
    parsed = {
      ok: false,
      problems: ['the output was cut off at the output token limit; answer more briefly', ...parsed.problems],
    };
  }
  return { ...call, parsed };
}
