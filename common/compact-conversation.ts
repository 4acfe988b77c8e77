import type { ChatMessage } from './chat.js';

const cutMarker = ' [... cut to fit the context window]';

/**
 * Shrinks a conversation that no longer fits the model's context: tool results before the last
 * assistant turn are cut to `keepCharacters`; when none of those can be cut, the newest tool
 * results are cut too. Returns undefined when nothing could be cut (a result already cut is not
 * cut again), so the caller knows that retrying is pointless.
 */
export function compactConversation(
  messages: readonly ChatMessage[],
  keepCharacters = 500,
): ChatMessage[] | undefined {
  let lastAssistant = -1;
  messages.forEach((message, index) => {
    if (message.role === 'assistant') lastAssistant = index;
  });
  const cut = (before: number): ChatMessage[] | undefined => {
    let changed = false;
    const compacted = messages.map((message, index) => {
      // A result no longer than its cut form (an earlier cut included) is left alone: cutting must shrink it.
      if (
        message.role !== 'tool' ||
        index >= before ||
        message.content.length <= keepCharacters + cutMarker.length
      )
        return message;
      changed = true;
      return { ...message, content: `${message.content.slice(0, keepCharacters)}${cutMarker}` };
    });
    return changed ? compacted : undefined;
  };
  return cut(lastAssistant) ?? cut(messages.length);
}
