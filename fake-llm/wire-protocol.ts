import type { ChatRequest, ResponseFormat } from '../common/chat.js';
import type { ScriptReply, WireProtocol } from '../activities/llm/scripted/script-engine.js';
import type { StreamEvent } from './stream-events.js';

/** A provider request turned into the neutral shape the script engine reads. */
export interface ParsedWireRequest {
  readonly model: string;
  readonly chatRequest: ChatRequest;
  /**
   * OpenAI's `response_format`, recorded as sent (a `json_schema` one is also the chat request's
   * `responseFormat`). The fake does not enforce the schema: scripts may answer anything.
   */
  readonly responseFormat?: unknown;
}

export type WireParseResult =
  { readonly ok: true; readonly value: ParsedWireRequest } | { readonly ok: false; readonly message: string };

/** An error the server answers with, before it is shaped like the provider's error body. */
export interface WireError {
  readonly status: number;
  /** Overrides the protocol's default message for the status. */
  readonly message?: string | undefined;
  /** Provider error code, e.g. `context_length_exceeded`. */
  readonly code?: string | undefined;
  readonly model: string;
  /** The request's prompt size, quoted by context-length messages. */
  readonly inputTokens: number;
}

/** What a protocol needs to know about the request it answers, beyond the reply itself. */
export interface ReplyContext {
  readonly requestNumber: number;
  readonly model: string;
  /** The request's structured output, which decides how the reply's text is sent. */
  readonly responseFormat?: ResponseFormat | undefined;
}

/** What the server needs from one provider protocol: parse its requests, shape its replies. */
export interface WireProtocolAdapter {
  readonly protocol: WireProtocol;
  /** The header the provider's SDK reads its request id from. */
  readonly requestIdHeader: string;
  requestId(requestNumber: number): string;
  parseRequest(body: unknown): WireParseResult;
  successBody(reply: ScriptReply, context: ReplyContext): unknown;
  /** A success body that says nothing (the `empty` fault), as the protocol's providers have sent it. */
  emptyBody(context: ReplyContext & { usage: ScriptReply['usage'] }): unknown;
  /** The success body in the protocol's streamed form, for a request that asked for a stream. */
  streamEvents(body: unknown, request: Record<string, unknown>): StreamEvent[];
  errorBody(error: WireError): unknown;
}

/** Made-up but plausible context windows, so context-length errors read like the real ones. */
export const fakeContextWindow: Record<WireProtocol, number> = { openai: 128_000, anthropic: 200_000 };

/** A prompt size that exceeds `limit`: the request's own if it does, otherwise just over the limit. */
export function tokensOverLimit(inputTokens: number, limit: number): number {
  return Math.max(inputTokens, limit + 1);
}
