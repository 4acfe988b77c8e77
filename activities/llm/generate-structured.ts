import type { CallAllowance } from '../../common/call-allowance.js';
import { ApplicationFailure } from '@temporalio/common';
import type { ChatMessage, ResponseFormat } from '../../common/chat.js';
import { ErrorType } from '../../common/errors.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { renderPrompt } from '../../common/render-prompt.js';
import { withCanary } from '../../common/canary.js';
import {
  parseStructuredOutput,
  toResponseFormat,
  withRepairTurns,
  type OutputDefinition,
  type RepairTurn,
  type StructuredParse,
} from '../../common/structured-output.js';
import type { BlobRef, BlobStore } from '../blobs/blob-store.js';
import type { PromptLibrary } from '../prompts/prompt-library.js';
import type { WholeRequestInput, CallChatModelOutput } from './call-chat-model.js';

export interface GenerateStructuredInput {
  /** `provider:model`. */
  model: string;
  /** The name of a registered output (see `OutputDefinition`). */
  output: string;
  prompt?: PromptRef | undefined;
  /** The request's messages, as the workflow rendered them. */
  messages?: ChatMessage[] | undefined;
  /**
   * Instead of `messages`: the variables of `prompt`, which this activity renders from the
   * worker's library (a version never changes, so it is the template the run loaded), followed
   * by `repairs`. History then carries each call's variables, not its template. A stored value
   * (a long tool result) is read from the blob store.
   */
  variables?: Record<string, string | BlobRef> | undefined;
  repairs?: RepairTurn[] | undefined;
  /** With `variables`: a canary token the rendered system prompt gets (`withCanary`), for the run's output guard. */
  canary?: string | undefined;
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
  /** The model the run left for this one, told to the call's trace span. */
  fallbackFrom?: string | undefined;
}

export interface GenerateStructuredOutput extends CallChatModelOutput {
  /**
   * Whether the answer validated, or the problems to show the model in a repair turn. The value
   * is not repeated here: the workflow parses the answer's text with the same output definition
   * (runs recorded before find it here too, unused).
   */
  parsed: { ok: true } | { ok: false; problems: string[] };
}

/** A structured call's answer: its validated value, or the problems to show the model. */
export interface StructuredCallOutput extends CallChatModelOutput {
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
  sources: { prompts: PromptLibrary; blobs: BlobStore },
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
    const { variables: _variables, repairs: _repairs, ...call } = input;
    const answered = await callStructured(callChatModel, {
      ...call,
      messages: await requestMessages(input, sources),
      responseFormat: toResponseFormat(output),
      output,
    });
    return { ...answered, parsed: answered.parsed.ok ? { ok: true } : answered.parsed };
  };
}

/**
 * The messages a structured call sends: the workflow's, or `prompt` rendered here with its
 * variables (stored ones read back) and the repair turns after it.
 * @throws ApplicationFailure `InvalidInput` (non-retryable) for a request with neither, or
 * variables without a prompt; `UnknownPrompt` for a prompt the library does not have.
 */
async function requestMessages(
  input: GenerateStructuredInput,
  sources: { prompts: PromptLibrary; blobs: BlobStore },
): Promise<ChatMessage[]> {
  if (input.variables === undefined) {
    if (input.messages) return input.messages;
    throw invalidRequest('a structured call needs its messages, or its prompt and variables');
  }
  if (!input.prompt) throw invalidRequest('a structured call with variables needs the prompt they fill');
  const entries = await Promise.all(
    Object.entries(input.variables).map(async ([name, value]): Promise<[string, string]> => [
      name,
      typeof value === 'string' ? value : await sources.blobs.get(value),
    ]),
  );
  const { messages } = renderPrompt(sources.prompts.get(input.prompt), Object.fromEntries(entries));
  return withRepairTurns(input.canary ? withCanary(messages, input.canary) : messages, input.repairs);
}

const invalidRequest = (message: string): ApplicationFailure =>
  ApplicationFailure.create({ type: ErrorType.InvalidInput, message, nonRetryable: true });

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
  fallbackFrom?: string | undefined;
  /** What the run's caps leave the call (see `CallChatModelOptions.allowance`). */
  allowance?: CallAllowance | undefined;
}

/**
 * Calls the model once with a response format and validates its answer. An answer cut off at
 * the output limit says so first among its problems, so a repair turn asks for a shorter one.
 * Shared by `generateStructured` (registered outputs) and the analysis steps (spec-derived ones).
 */
export async function callStructured(
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>,
  request: StructuredCall,
): Promise<StructuredCallOutput> {
  const call = await callChatModel({
    model: request.model,
    prompt: request.prompt,
    ...(request.fallbackFrom ? { fallbackFrom: request.fallbackFrom } : {}),
    ...(request.allowance ? { allowance: request.allowance } : {}),
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
