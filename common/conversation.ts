/**
 * A conversation kept in the blob store, so that a run's history carries references and the
 * messages each call adds, never the whole conversation again. Sandbox-safe: plain zod and types.
 *
 * A stored conversation is a chain of content-addressed nodes: the first holds the tools and the
 * opening messages, each later one its parent's key and the messages appended after it. A
 * workflow keeps the key of the last node and the messages added since; the model activity
 * rebuilds the request from the store (a worker-memory cache makes that one read per step) and
 * returns the key of the conversation with its answer added.
 */
import { z } from 'zod';
import { BlobKeySchema as blobKey } from './blob-ref.js';
import { ChatMessageSchema, ToolSpecSchema, type ChatMessage } from './chat.js';

/**
 * A tool result whose text is in the blob store (`contentRef`): a large result is stored once, by
 * the tool activity, and only its reference travels through history.
 */
export const StoredToolResultSchema = z.object({
  role: z.literal('tool'),
  toolCallId: z.string().min(1),
  toolName: z.string().min(1),
  contentRef: z.object({ key: blobKey, bytes: z.number().int().nonnegative() }),
  isError: z.boolean().default(false),
});
export type StoredToolResult = z.infer<typeof StoredToolResultSchema>;

/** A message added to a stored conversation: as it is, or a tool result by reference. */
export const AppendedMessageSchema = z.union([StoredToolResultSchema, ChatMessageSchema]);
export type AppendedMessage = ChatMessage | StoredToolResult;

/**
 * A stored conversation: the key of its last node, and an upper bound of the input tokens its
 * messages and tools take (the o200k count, as `estimateRequestTokens` makes it), so a workflow
 * can size a budget reservation without seeing the messages.
 */
export const ConversationRefSchema = z.object({
  key: blobKey,
  inputTokens: z.number().int().nonnegative(),
});
export type ConversationRef = z.infer<typeof ConversationRefSchema>;

/**
 * A model request over a stored conversation: `base` and the messages appended since, or (the
 * first call of a conversation) the tools and every message so far.
 */
export const ConversationRequestSchema = z
  .object({
    base: blobKey.optional(),
    tools: z.array(ToolSpecSchema).optional(),
    append: z.array(AppendedMessageSchema),
    temperature: z.number().min(0).max(2).optional(),
    maxOutputTokens: z.number().int().positive().optional(),
  })
  .refine((request) => request.base === undefined || request.tools === undefined, {
    message: 'the tools of a stored conversation are in its first node: give base or tools, not both',
    path: ['tools'],
  })
  .refine((request) => request.base !== undefined || request.append.length > 0, {
    message: 'a new conversation needs at least one message',
    path: ['append'],
  });
export type ConversationRequest = z.input<typeof ConversationRequestSchema>;
