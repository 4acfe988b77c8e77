import { z } from 'zod';

/**
 * Reply streams: how text reaches a reader while it is being written. A model call given a
 * `StreamTarget` publishes its text, piece by piece, to that workflow's stream
 * (`@temporalio/workflow-streams`: batched signals in, polling updates out); the workflow adds what
 * it decides (the final reply, a person's). Drafts are best effort and never the record: the
 * workflow's own events, and its history, are.
 */

/** The topic every reply-stream event goes on. */
export const replyStreamTopic = 'reply';

/** Where a model call streams its text: the workflow whose stream carries it, and the key readers follow (a message id). */
export const StreamTargetSchema = z.object({
  workflowId: z.string().min(1),
  key: z.string().min(1),
});
export type StreamTarget = z.infer<typeof StreamTargetSchema>;

export const ReplyStreamEventSchema = z.discriminatedUnion('type', [
  /**
   * A piece of a model call's text as it is generated. `call` names the model call (its workflow
   * and activity), `attempt` its attempt: a reader keeps only the latest call's latest attempt, so
   * a retried call never shows text twice or two attempts mixed.
   */
  z.object({
    type: z.literal('draft'),
    key: z.string(),
    call: z.string(),
    attempt: z.number().int().positive(),
    text: z.string(),
  }),
  /** The reply as decided (reviewed, or the fallback, or a hand-off's): it replaces any draft of `key`. */
  z.object({
    type: z.literal('reply'),
    key: z.string(),
    text: z.string(),
    outcome: z.string(),
    /** The vault whose values go back into the text's placeholders before a customer reads it. */
    piiVault: z.string().optional(),
  }),
  /** A person's reply to the conversation. */
  z.object({ type: z.literal('person'), key: z.string(), text: z.string(), by: z.string() }),
]);
export type ReplyStreamEvent = z.infer<typeof ReplyStreamEventSchema>;

/**
 * A reply stream's state as `WorkflowStream.getState()` gives it, carried across continue-as-new
 * (what readers have yet to read, and the publishers' sequence numbers that keep a batch from
 * landing twice).
 */
export const ReplyStreamStateSchema = z.object({
  log: z.array(z.object({ topic: z.string(), data: z.string(), offset: z.number() })),
  base_offset: z.number().int().nonnegative(),
  publisher_sequences: z.record(z.string(), z.number()),
  publisher_last_seen: z.record(z.string(), z.number()),
});
