import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import type { ChatRequest, ChatResponse } from '../../../common/chat.js';
import { ErrorType } from '../../../common/errors.js';
import { estimateTokens, faultStatus, ScriptEngine } from './script-engine.js';
import { hashedEmbedding, type EmbedResult } from '../../../common/embedding.js';
import type { FakeLlmScript, ParsedFakeLlmScript } from './script-schema.js';
import type { ChatModel, GenerateOptions } from '../chat-model.js';
import { streamPieces } from './stream-pieces.js';
import { malformedResponseFailure } from '../malformed-response.js';
import { failureFromHttpStatus } from '../to-model-failure.js';

/** Waits until `signal` aborts, then rejects with its reason; without a signal, never settles. */
function untilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    signal?.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

/**
 * A `ChatModel` that answers from a fake-LLM script in-process, with no HTTP: for offline
 * demos and tests. It runs the same `ScriptEngine` as the fake server, and its faults fail the
 * way a real adapter's would: statuses through `failureFromHttpStatus`, malformed and truncated
 * bodies as `ModelResponseMalformed`. Rules conditioned on a wire `protocol` never match here.
 * A request with a `responseFormat` gets the reply's text (or its `json`) as content, which is
 * what the HTTP adapters return for structured output.
 */
export class ScriptedChatModel implements ChatModel {
  readonly provider = 'scripted' as const;
  private readonly engine: ScriptEngine;

  /** @throws Error when the script is invalid. */
  constructor(
    readonly model: string,
    script: FakeLlmScript | ParsedFakeLlmScript,
  ) {
    this.engine = new ScriptEngine(script);
  }

  async generate(request: ChatRequest, options: GenerateOptions = {}): Promise<ChatResponse> {
    const { signal, onText } = options;
    signal?.throwIfAborted();
    const outcome = this.engine.respond(request, { model: this.model });
    if (outcome.kind === 'exhausted') {
      // The same request would find the script exhausted again: retrying only hides the mistake.
      throw ApplicationFailure.create({
        type: ErrorType.ModelRequestRejected,
        message: outcome.message,
        nonRetryable: true,
      });
    }
    const { fault, reply, answeredBy } = outcome;
    if (fault.hang) await untilAborted(signal);
    if (fault.delayMs !== undefined) await sleep(fault.delayMs, undefined, signal ? { signal } : {});

    const status = faultStatus(fault);
    if (status !== undefined) {
      throw failureFromHttpStatus({
        status,
        message: fault.errorMessage ?? `scripted fault from ${answeredBy}`,
        code: fault.errorCode,
        retryAfterMs: fault.retryAfterSeconds !== undefined ? fault.retryAfterSeconds * 1000 : undefined,
      });
    }
    const streamed = onText && !request.responseFormat ? streamPieces(reply.text) : [];
    // A stream cut off after half its pieces, as the fake server cuts its event stream.
    const sent = fault.truncated ? streamed.slice(0, Math.floor(streamed.length / 2)) : streamed;
    for (const [index, piece] of sent.entries()) {
      if (index > 0 && fault.chunkDelayMs)
        await sleep(fault.chunkDelayMs, undefined, signal ? { signal } : {});
      onText!(piece);
    }
    if (fault.malformed || fault.truncated) {
      // The same failure the HTTP adapters throw for a body that does not parse.
      const what = fault.malformed ? 'body is not JSON' : 'body is truncated';
      throw malformedResponseFailure('scripted', `${what} (fault from ${answeredBy})`);
    }
    if (fault.empty)
      return {
        message: { role: 'assistant', content: '', toolCalls: [] },
        usage: reply.usage,
        finishReason: 'tool_calls',
        responseModel: this.model,
      };
    return {
      message: { role: 'assistant', content: reply.text, toolCalls: reply.toolCalls },
      usage: reply.usage,
      finishReason: reply.finishReason,
      responseModel: this.model,
    };
  }

  /** The deterministic hashed embedding (`hashedEmbedding`): offline, like the rest of the script. */
  embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    options.signal?.throwIfAborted();
    const characters = texts.reduce((sum, text) => sum + text.length, 0);
    return Promise.resolve({
      vectors: texts.map((text) => hashedEmbedding(text)),
      usage: { inputTokens: estimateTokens(characters) },
    });
  }
}

/** Makes the scripted model named `model` (the part after `scripted:` in a model reference). */
export function createScriptedChatModel(
  model: string,
  script: FakeLlmScript | ParsedFakeLlmScript,
): ScriptedChatModel {
  return new ScriptedChatModel(model, script);
}
