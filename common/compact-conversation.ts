import type { ChatMessage } from './chat.js';

const cutMarker = ' [... cut to fit the context window]';
/** What a cut tool result keeps of its text. */
const defaultKeepCharacters = 500;

/**
 * A tool result cut to its first `keepCharacters`, marked as cut; undefined for any other message
 * and for a result no longer than its cut form (an earlier cut included): cutting must shrink it.
 */
export function cutToolResult(
  message: ChatMessage,
  keepCharacters = defaultKeepCharacters,
): ChatMessage | undefined {
  if (message.role !== 'tool' || message.content.length <= keepCharacters + cutMarker.length)
    return undefined;
  return { ...message, content: `${message.content.slice(0, keepCharacters)}${cutMarker}` };
}

/**
 * Shrinks a conversation that no longer fits the model's context: tool results before the last
 * assistant turn are cut to `keepCharacters`; when none of those can be cut, the newest tool
 * results are cut too. Returns undefined when nothing could be cut (a result already cut is not
 * cut again), so the caller knows that retrying is pointless.
 */
export function compactConversation(
  messages: readonly ChatMessage[],
  keepCharacters = defaultKeepCharacters,
): ChatMessage[] | undefined {
  let lastAssistant = -1;
  messages.forEach((message, index) => {
    if (message.role === 'assistant') lastAssistant = index;
  });
  const cut = (before: number): ChatMessage[] | undefined => {
    let changed = false;
    const compacted = messages.map((message, index) => {
      const cutOne = index < before ? cutToolResult(message, keepCharacters) : undefined;
      if (!cutOne) return message;
      changed = true;
      return cutOne;
    });
    return changed ? compacted : undefined;
  };
  return cut(lastAssistant) ?? cut(messages.length);
}
