import type { ChatRequest, ChatResponse } from '../../common/chat.js';
import type { Provider } from '../../common/model-ref.js';
import type { EmbedResult } from '../../common/embedding.js';

/**
 * The one interface every model sits behind: an OpenAI or Anthropic adapter, an
 * OpenAI-compatible local server, or the scripted model used offline.
 *
 * Contract: adapters do not retry (Temporal is the only retry layer) and throw either the
 * vendor SDK's own errors or an `ApplicationFailure` from `toModelFailure`; the activity maps
 * whatever they throw through `toModelFailure` once. `signal` aborts the HTTP request when the
 * activity is cancelled; a stream that breaks off throws like a request that failed.
 */
export interface GenerateOptions {
  signal?: AbortSignal | undefined;
  /**
   * Asks for the answer as a stream: each piece of its text is passed here as it arrives, and the
   * answer is still returned whole at the end, the same as without it. Requests for structured
   * output are never streamed (half a JSON object is of no use to a reader).
   */
  onText?: ((delta: string) => void) | undefined;
}

export interface ChatModel {
  readonly provider: Provider;
  readonly model: string;
  generate(request: ChatRequest, options?: GenerateOptions): Promise<ChatResponse>;
  /**
   * One vector per text, in order, in one request: present on models that embed (OpenAI's
   * embedding models, compatible servers, the scripted model); the same contract as `generate`.
   */
  embed?(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<EmbedResult>;
}
