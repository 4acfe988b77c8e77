import { compactConversation } from '../../common/compact-conversation.js';
import type { AppendedMessage, ConversationRef } from '../../common/conversation.js';
import type { ConversationStore } from './conversation-store.js';

/** Activities over stored conversations, beyond the model call that extends them. */
export function createConversationActivities(store: ConversationStore) {
  return {
    /**
     * The stored conversation `base` plus `append`, shrunk to fit a model's context after a
     * context-length refusal (`compactConversation`), stored as a new conversation. Returns null
     * when nothing could be cut. Idempotent: the same conversation compacts to the same key.
     */
    async compactConversation(input: {
      base: string;
      append: AppendedMessage[];
    }): Promise<ConversationRef | null> {
      const { conversation } = await store.append(input.base, undefined, input.append);
      const compacted = compactConversation(conversation.messages);
      if (!compacted) return null;
      return (await store.append(undefined, conversation.tools, compacted)).ref;
    },
  };
}
