import OpenAI from 'openai';
import type { ChatRequest, ChatResponse } from '../../common/chat.js';
import type { ChatModel, GenerateOptions } from './chat-model.js';
import { ApplicationFailure } from '@temporalio/common';
import { OpenAiEmbeddingsResponseSchema, type EmbedResult } from '../../common/embedding.js';
import { ErrorType } from '../../common/errors.js';
import { defaultModelTimeoutMs } from './default-model-timeout.js';
import { toOpenAiRequest } from './openai/openai-request.js';
import { fromOpenAiResponse } from './openai/openai-response.js';

export interface OpenAiChatModelOptions {
  /** `openai` for api.openai.com; `compatible` for any other Chat Completions server (Ollama, vLLM, llama.cpp). */
  readonly provider: 'openai' | 'compatible';
  readonly model: string;
  /** Required by the SDK; a local compatible server usually ignores it, so any placeholder will do there. */
  readonly apiKey: string;
  /** E.g. `http://localhost:11434/v1` for Ollama; the SDK appends `/chat/completions`. */
  readonly baseURL?: string | undefined;
  /** Per-request timeout; a request that takes longer fails as `ModelUnavailable`. Default ten minutes. */
  readonly timeoutMs?: number | undefined;
}

/**
 * A `ChatModel` over OpenAI Chat Completions, for OpenAI itself and for OpenAI-compatible servers,
 * streamed when asked (`onText`). Makes exactly one HTTP request per `generate` (the SDK's retries are
 * off: Temporal is the only retry layer) and throws the SDK's errors unmapped, or a
 * `ModelResponseMalformed` failure when the body is not a chat completion.
 */
export class OpenAiChatModel implements ChatModel {
  readonly provider: 'openai' | 'compatible';
  readonly model: string;
  readonly #client: OpenAI;

  constructor(options: OpenAiChatModelOptions) {
    this.provider = options.provider;
    this.model = options.model;
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? defaultModelTimeoutMs,
      maxRetries: 0,
    });
  }

  async generate(request: ChatRequest, options: GenerateOptions = {}): Promise<ChatResponse> {
    const body = toOpenAiRequest(this.model, request, this.provider);
    const { onText, signal } = options;
    if (!onText || request.responseFormat) {
      const completion: unknown = await this.#client.chat.completions.create(body, { signal });
      return fromOpenAiResponse(completion);
    }
    // The SDK's helper puts the chunks back together into the completion a whole request returns;
    // usage comes in a last chunk only when asked for.
    const stream = this.#client.chat.completions.stream(
      { ...body, stream: true, stream_options: { include_usage: true } },
      { signal },
    );
    stream.on('content', (delta) => onText(delta));
    return fromOpenAiResponse(await stream.finalChatCompletion());
  }

  async embed(texts: readonly string[], options: { signal?: AbortSignal } = {}): Promise<EmbedResult> {
    const answer: unknown = await this.#client.embeddings.create(
      { model: this.model, input: [...texts], encoding_format: 'float' },
      { signal: options.signal },
    );
    const parsed = OpenAiEmbeddingsResponseSchema.safeParse(answer);
    if (!parsed.success || parsed.data.data.length !== texts.length)
      throw ApplicationFailure.create({
        type: ErrorType.ModelResponseMalformed,
        message: `${this.provider}:${this.model} answered an embedding request with ${parsed.success ? `${parsed.data.data.length} vectors for ${texts.length} texts` : 'a body that is not an embedding list'}`,
      });
    const vectors = [...parsed.data.data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
    return { vectors, usage: { inputTokens: parsed.data.usage?.prompt_tokens ?? 0 } };
  }
}
