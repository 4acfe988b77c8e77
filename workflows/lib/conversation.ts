import type { ChatMessage } from '../../common/chat.js';

/** Observations longer than this are cut in the trace (the model still sees them whole). */
const traceObservationLimit = 2_000;

export function shortenForTrace(text: string): string {
  return text.length > traceObservationLimit
    ? `${text.slice(0, traceObservationLimit)} [... ${text.length - traceObservationLimit} more characters]`
    : text;
}

/**
 * Shrinks a conversation that no longer fits the model's context: tool results before the last
 * assistant turn are cut to `keepCharacters`. Returns undefined when nothing could be cut, so the
 * caller knows that retrying is pointless.
 */
export function compactConversation(messages: readonly ChatMessage[], keepCharacters = 500): ChatMessage[] | undefined {
  let lastAssistant = -1;
  messages.forEach((message, index) => {
    if (message.role === 'assistant') lastAssistant = index;
  });
  let changed = false;
  const compacted = messages.map((message, index) => {
    if (message.role !== 'tool' || index >= lastAssistant || message.content.length <= keepCharacters) return message;
    changed = true;
    return { ...message, content: `${message.content.slice(0, keepCharacters)} [... cut to fit the context window]` };
  });
  return changed ? compacted : undefined;
}
