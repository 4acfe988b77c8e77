import Anthropic from '@anthropic-ai/sdk';
import type { ChatRequest, ChatResponse } from '../../common/chat.js';
import { fromAnthropicResponse } from './anthropic/anthropic-response.js';
import { toAnthropicRequest } from './anthropic/anthropic-request.js';
import type { ChatModel, GenerateOptions } from './chat-model.js';
import { defaultModelTimeoutMs } from './default-model-timeout.js';

export interface AnthropicChatModelOptions {
  readonly model: string;
  readonly apiKey: string;
  /** The API root without `/v1`: the SDK appends `/v1/messages`. */
  readonly baseURL?: string | undefined;
  /** Per-request timeout; a request that takes longer fails as `ModelUnavailable`. Default ten minutes. */
  readonly timeoutMs?: number | undefined;
  /** `max_tokens` for requests that set no `maxOutputTokens` (the Messages API requires one). Default 4096. */
  readonly maxOutputTokens?: number | undefined;
}

/**
 * A `ChatModel` over the Anthropic Messages API, streamed when asked (`onText`). Makes exactly one HTTP request
 * per `generate` (the SDK's retries are off: Temporal is the only retry layer) and throws the
 * SDK's errors unmapped, or a `ModelResponseMalformed` failure when the body is not a message.
 * Structured output goes through a forced tool; its input comes back as the message's content.
 */
export class AnthropicChatModel implements ChatModel {
  readonly provider = 'anthropic';
  readonly model: string;
  readonly #client: Anthropic;
  readonly #maxOutputTokens: number;

  constructor(options: AnthropicChatModelOptions) {
    this.model = options.model;
    this.#maxOutputTokens = options.maxOutputTokens ?? 4096;
    this.#client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? defaultModelTimeoutMs,
      maxRetries: 0,
    });
  }

  async generate(request: ChatRequest, options: GenerateOptions = {}): Promise<ChatResponse> {
    const body = toAnthropicRequest(this.model, request, this.#maxOutputTokens);
    const { onText, signal } = options;
    if (!onText || request.responseFormat) {
      const message: unknown = await this.#client.messages.create(body, { signal });
      return fromAnthropicResponse(message, request.responseFormat?.name);
    }
    // The SDK's helper puts the events back together into the message a whole request returns.
    const stream = this.#client.messages.stream(body, { signal });
    stream.on('text', (delta) => onText(delta));
    return fromAnthropicResponse(await stream.finalMessage(), undefined);
  }
}
