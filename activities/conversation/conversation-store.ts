import type { ChatMessage, ToolSpec } from '../../common/chat.js';
import type { AppendedMessage, ConversationRef } from '../../common/conversation.js';
import type { BlobStore } from '../blobs/blob-store.js';
import { countMessageTokens, countToolTokens } from '../llm/estimate-request-tokens.js';

/** One node of a stored conversation, as its blob holds it (the first node has tools, no parent). */
interface ConversationNode {
  parent: string | null;
  tools?: ToolSpec[];
  messages: AppendedMessage[];
  /** The input tokens of the whole conversation up to and including this node. */
  inputTokens: number;
}

/** A conversation rebuilt from the store: what a model request carries. */
export interface LoadedConversation {
  tools: ToolSpec[];
  messages: ChatMessage[];
  inputTokens: number;
}

/** Conversations kept in a worker's memory: a step's parent is almost always the last one stored here. */
const defaultCacheEntries = 512;

/**
 * Stores and rebuilds conversations as chains of content-addressed nodes in the blob store (see
 * common/conversation.ts). Appending is idempotent: the same messages on the same base make the
 * same node, under the same key, so an activity retried after a crash writes nothing new. Loads
 * go through a worker-memory cache of rebuilt conversations (most recently used kept); a worker
 * that has not seen a conversation walks its chain back to a node it has, or to the first.
 */
export class ConversationStore {
  private readonly cache = new Map<string, LoadedConversation>();

  constructor(
    private readonly blobs: BlobStore,
    private readonly cacheEntries = defaultCacheEntries,
  ) {}

  /**
   * Adds `messages` to the conversation `base` (a new conversation with `tools` when there is no
   * base), and returns the new conversation's ref with the conversation itself.
   */
  async append(
    base: string | undefined,
    tools: readonly ToolSpec[] | undefined,
    messages: readonly AppendedMessage[],
  ): Promise<{ ref: ConversationRef; conversation: LoadedConversation }> {
    if (base !== undefined && messages.length === 0) {
      const conversation = await this.load(base);
      return { ref: { key: base, inputTokens: conversation.inputTokens }, conversation };
    }
    const before: LoadedConversation =
      base === undefined
        ? { tools: [...(tools ?? [])], messages: [], inputTokens: countToolTokens(tools ?? []) }
        : await this.load(base);
    const added = await Promise.all(messages.map((message) => this.resolve(message)));
    const conversation: LoadedConversation = {
      tools: before.tools,
      messages: [...before.messages, ...added],
      inputTokens: before.inputTokens + added.reduce((sum, message) => sum + countMessageTokens(message), 0),
    };
    const node: ConversationNode = {
      parent: base ?? null,
      ...(base === undefined ? { tools: before.tools } : {}),
      messages: [...messages],
      inputTokens: conversation.inputTokens,
    };
    const { key } = await this.blobs.put(JSON.stringify(node));
    this.remember(key, conversation);
    return { ref: { key, inputTokens: conversation.inputTokens }, conversation };
  }

  /** The conversation whose last node is `key`. @throws Error when a node is missing or corrupt. */
  async load(key: string): Promise<LoadedConversation> {
    const cached = this.recall(key);
    if (cached) return cached;
    // Walk back to a node this worker has rebuilt (or to the first), then forward again.
    const chain: { key: string; node: ConversationNode }[] = [];
    let from: LoadedConversation | undefined;
    for (let next: string | null = key; next !== null;) {
      from = this.recall(next);
      if (from) break;
      const node = JSON.parse(await this.blobs.get(next)) as ConversationNode;
      chain.push({ key: next, node });
      next = node.parent;
    }
    let conversation = from ?? { tools: [], messages: [], inputTokens: 0 };
    for (const { key: nodeKey, node } of chain.reverse()) {
      const added = await Promise.all(node.messages.map((message) => this.resolve(message)));
      conversation = {
        tools: node.tools ?? conversation.tools,
        messages: [...conversation.messages, ...added],
        inputTokens: node.inputTokens,
      };
      this.remember(nodeKey, conversation);
    }
    return conversation;
  }

  /** A message as the model reads it: a tool result stored by reference gets its text back. */
  private async resolve(message: AppendedMessage): Promise<ChatMessage> {
    if (!('contentRef' in message)) return message;
    const { contentRef, ...rest } = message;
    return { ...rest, content: await this.blobs.get(contentRef.key) };
  }

  private recall(key: string): LoadedConversation | undefined {
    const conversation = this.cache.get(key);
    if (conversation) {
      // Most recently used last: the first key is the one to evict.
      this.cache.delete(key);
      this.cache.set(key, conversation);
    }
    return conversation;
  }

  private remember(key: string, conversation: LoadedConversation): void {
    this.cache.delete(key);
    this.cache.set(key, conversation);
    while (this.cache.size > this.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
  }
}
