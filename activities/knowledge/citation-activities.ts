import type { CitationReport } from '../../common/citations.js';
import type { AppendedMessage } from '../../common/conversation.js';
import type { ConversationStore } from '../conversation/conversation-store.js';
import { checkCitations, retrievedPassages } from './check-citations.js';

export interface CheckAnswerCitationsInput {
  answer: string;
  /** The run's stored conversation and what came after it: where its `retrieve` results are. */
  conversation: { base: string; append: AppendedMessage[] };
}

/**
 * Checks an agent's answer against the passages its `retrieve` calls returned, read from the run's
 * stored conversation (history holds only its key). Reads only; deterministic for the same
 * conversation and answer, so a retry gives the same report.
 */
export function createCitationActivities(conversations: ConversationStore) {
  return {
    async checkAnswerCitations(input: CheckAnswerCitationsInput): Promise<CitationReport> {
      const { conversation } = await conversations.append(
        input.conversation.base,
        undefined,
        input.conversation.append,
      );
      const passages = new Map<string, string>();
      for (const message of conversation.messages)
        if (message.role === 'tool' && message.toolName === 'retrieve')
          for (const [id, text] of retrievedPassages(message.content)) passages.set(id, text);
      return checkCitations(input.answer, passages);
    },
  };
}
