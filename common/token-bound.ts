import type { ChatMessage } from './chat.js';

/** Framing tokens a provider adds around each message (as `estimateRequestTokens` counts them). */
export const tokensPerMessage = 4;

/**
 * UTF-8 bytes of a text: an upper bound of its tokens under byte-level BPE tokenizers, which a
 * workflow can count without a tokenizer (budget reservations). Deterministic.
 */
export function utf8Bytes(text: string): number {
  let bytes = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code < 0xdc00) {
      bytes += 4; // a surrogate pair: one four-byte character
      index += 1;
    } else bytes += 3;
  }
  return bytes;
}

/** An upper bound of one message's input tokens: its text, its tool calls and the framing. */
export function messageTokenBound(message: ChatMessage): number {
  const text =
    message.role === 'assistant' ? `${message.content}${JSON.stringify(message.toolCalls)}` : message.content;
  return utf8Bytes(text) + tokensPerMessage;
}
