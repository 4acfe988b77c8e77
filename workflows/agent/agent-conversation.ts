import type { AssistantMessage, ChatMessage, ToolSpec } from '../../common/chat.js';
import { compactConversation } from '../../common/compact-conversation.js';
import type { AppendedMessage, ConversationRef, ConversationRequest } from '../../common/conversation.js';
import { messageTokenBound, tokensPerMessage, utf8Bytes } from '../../common/token-bound.js';

/** An upper bound of a message's tokens: a tool result in the blob store by its size. */
function tokenBound(message: AppendedMessage): number {
  return 'contentRef' in message ? message.contentRef.bytes + tokensPerMessage : messageTokenBound(message);
}

/**
 * The conversation an agent run sends: what is in the blob store (`ref`, returned by the last
 * model call) and the messages added since (tool results). Each model call sends the ref and
 * those messages, so the run's history grows by what a step adds, not by the conversation.
 *
 * A call whose result carries no ref (a run recorded before conversations were stored, replayed
 * or continued) keeps the whole conversation here and sends it all, once, on the next call, which
 * stores it. Deterministic; lives in the workflow.
 */
export class AgentConversation {
  private ref: ConversationRef | undefined;
  private pending: AppendedMessage[];

  constructor(
    readonly tools: ToolSpec[],
    messages: ChatMessage[],
  ) {
    this.pending = [...messages];
  }

  /** A stored conversation an earlier execution of the run carried over (`carried`). */
  static resume(carried: { conversation: ConversationRef; pending: AppendedMessage[] }): AgentConversation {
    const conversation = new AgentConversation([], []);
    conversation.ref = carried.conversation;
    conversation.pending = [...carried.pending];
    return conversation;
  }

  /** What the run's next execution continues from; undefined while nothing is stored. */
  get carried(): { conversation: ConversationRef; pending: AppendedMessage[] } | undefined {
    return this.ref ? { conversation: this.ref, pending: this.pending } : undefined;
  }

  /** The next model call's conversation: the stored base and what came after it. */
  request(options: { temperature?: number | undefined; maxOutputTokens: number }): ConversationRequest {
    return {
      ...(this.ref ? { base: this.ref.key } : { tools: this.tools }),
      append: this.pending,
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
      maxOutputTokens: options.maxOutputTokens,
    };
  }

  /**
   * An upper bound of the next request's input tokens, for a budget reservation: the stored part
   * as the worker counted it, the rest by its UTF-8 bytes.
   */
  inputTokensBound(): number {
    const stored = this.ref ? this.ref.inputTokens : utf8Bytes(JSON.stringify(this.tools));
    return this.pending.reduce((sum, message) => sum + tokenBound(message), stored);
  }

  /**
   * An estimate of the next request's input tokens, for routing (not a bound): the stored part as
   * the worker counted it, the messages added since at four bytes a token.
   */
  routingTokens(): number {
    const stored = this.ref?.inputTokens ?? 0;
    return stored + Math.ceil(this.pending.reduce((sum, message) => sum + tokenBound(message), 0) / 4);
  }

  /** The model answered: `stored` is the conversation with the answer, when the call kept it. */
  answered(message: AssistantMessage, stored: ConversationRef | undefined): void {
    if (stored) {
      this.ref = stored;
      this.pending = [];
    } else this.pending = [...this.pending, message];
  }

  /** Tool results the model reads next. */
  add(messages: readonly AppendedMessage[]): void {
    this.pending = [...this.pending, ...messages];
  }

  /** What a stored conversation's compaction starts from; undefined when nothing is stored yet. */
  get stored(): { base: string; append: AppendedMessage[] } | undefined {
    return this.ref ? { base: this.ref.key, append: this.pending } : undefined;
  }

  /** Takes the compacted stored conversation (see `stored`). */
  compacted(ref: ConversationRef): void {
    this.ref = ref;
    this.pending = [];
  }

  /**
   * Compacts a conversation not stored yet, here: its tool results are cut (`compactConversation`).
   * Returns false when nothing could be cut.
   */
  compactUnstored(): boolean {
    const inline = this.pending.filter((message): message is ChatMessage => !('contentRef' in message));
    if (inline.length !== this.pending.length) return false;
    const compacted = compactConversation(inline);
    if (!compacted) return false;
    this.pending = compacted;
    return true;
  }
}
