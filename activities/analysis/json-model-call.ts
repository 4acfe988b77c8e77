import type { CallAllowance } from '../../common/call-allowance.js';
import type { ChatMessage, ResponseFormat } from '../../common/chat.js';
import type { PromptRef } from '../../common/prompt-template.js';
import { withRepairTurns, type RepairTurn } from '../../common/structured-output.js';
import type { z } from 'zod';
import type { WholeRequestInput, CallChatModelOutput } from '../llm/call-chat-model.js';
import { estimateRequestTokens } from '../llm/estimate-request-tokens.js';
import { callStructured } from '../llm/generate-structured.js';

/** What every analysis model step returns: its accounting, the raw answer, and a checked result. */
export type AnalysisCallOutput<Result> = Omit<CallChatModelOutput, 'response'> & {
  usage: CallChatModelOutput['response']['usage'];
  /** The model's raw answer, for a repair turn when it did not validate. */
  output: string;
  result: ({ ok: true } & Result) | { ok: false; problems: string[] };
};

export interface JsonModelCall<T> {
  model: string;
  prompt: PromptRef;
  /** The rendered template; the repair turns are appended here. */
  messages: ChatMessage[];
  repairs?: readonly RepairTurn[] | undefined;
  responseFormat: ResponseFormat;
  /** Validates the answer; the JSON Schema in `responseFormat` is what the model is shown. */
  schema: z.ZodType<T>;
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
  /** What the run's caps leave the call (see `CallChatModelOptions.allowance`). */
  allowance?: CallAllowance | undefined;
}

/**
 * The most tokens the call can use (`estimateRequestTokens` of the request `callForJson` sends):
 * a shared budget reserves this before the call, since the workflow never sees the prompt.
 */
export function estimateJsonCall(call: JsonModelCall<unknown>): {
  inputTokens: number;
  outputTokens: number;
} {
  return estimateRequestTokens({
    messages: withRepairTurns(call.messages, call.repairs),
    tools: [],
    responseFormat: call.responseFormat,
    ...(call.temperature !== undefined ? { temperature: call.temperature } : {}),
    ...(call.maxOutputTokens !== undefined ? { maxOutputTokens: call.maxOutputTokens } : {}),
  });
}

/**
 * One model call of an analysis step that must answer with JSON (`callStructured`): earlier
 * failed answers and their problems go in as repair turns, and the answer is validated with the
 * zod schema. The workflow owns the repair loop (each attempt is its own activity, so a crash
 * repeats none).
 */
export async function callForJson<T>(
  callChatModel: (input: WholeRequestInput) => Promise<CallChatModelOutput>,
  call: JsonModelCall<T>,
): Promise<{
  base: Omit<AnalysisCallOutput<never>, 'result'>;
  parsed: { ok: true; value: T } | { ok: false; problems: string[] };
}> {
  const { response, parsed, ...accounting } = await callStructured(callChatModel, {
    model: call.model,
    prompt: call.prompt,
    messages: withRepairTurns(call.messages, call.repairs),
    responseFormat: call.responseFormat,
    output: {
      name: call.responseFormat.name,
      description: call.responseFormat.description ?? '',
      schema: call.schema,
    },
    temperature: call.temperature,
    maxOutputTokens: call.maxOutputTokens,
    allowance: call.allowance,
  });
  return {
    base: { ...accounting, usage: response.usage, output: response.message.content },
    // Validated with `call.schema` itself, so the value has its type.
    parsed: parsed.ok ? { ok: true, value: parsed.value as T } : parsed,
  };
}
