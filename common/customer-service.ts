/**
 * Customer-service sessions: the behaviour a session follows (`customer_service.yaml`), what a
 * session starts with and carries across continue-as-new, and what a customer's message gets
 * back. Sandbox-safe: zod schemas and types only.
 */
import { z } from 'zod';
import { ApprovalSettingsSchema } from './approvals.js';
import { DurationMsSchema } from './durations.js';
import { KnowledgeBaseNameSchema } from './knowledge.js';
import {
  runCapsSchema,
  RunTotalsSchema,
  runInputFields,
  type RunCaps,
  type RunTotals,
} from './run-contract.js';
import { PromptRefSchema } from './prompt-template.js';

/** Caps of one turn: what answering one message may take. */
export const TurnCapsSchema = runCapsSchema({
  maxIterations: 8,
  maxTotalTokens: 60_000,
  maxCostUsd: 0.25,
  maxWallTimeMs: 5 * 60_000,
});

/** Caps of a whole session, over every turn and every summary. */
export const SessionCapsSchema = z.object({
  maxTotalTokens: z.number().int().positive().default(1_000_000),
  maxCostUsd: z.number().positive().default(5),
  maxTurns: z.number().int().positive().default(500),
});
export type SessionCaps = z.output<typeof SessionCapsSchema>;

/**
 * How a session behaves, as `config/customer_service.yaml` writes it: who the agent is, its tone
 * and rules, its tools and knowledge base, and the limits of a turn and of a session. Versioned:
 * a session records the `name` and `version` it started with and keeps them.
 */
export const CustomerServiceConfigSchema = z.object({
  name: z.string().trim().min(1),
  version: z.union([z.string().min(1), z.number()]).transform(String),
  /** Who the agent is, for whom: the first line of its system prompt. */
  role: z.string().trim().min(1),
  tone: z.string().trim().min(1),
  /** Rules the agent keeps; each is also enforced in code where the config names it. */
  constraints: z.array(z.string().trim().min(1)).default([]),
  /** The knowledge base the agent's `retrieve` searches. */
  knowledgeBase: KnowledgeBaseNameSchema,
  tools: z.array(z.string().min(1)).default(['retrieve']),
  /** Tool calls that wait for a person, beyond the tools marked `requireApproval`. */
  approval: ApprovalSettingsSchema.default(ApprovalSettingsSchema.parse({})),
  /** What the customer reads when a turn could not answer (a failure, a cap, a blocked message). */
  fallbackReply: z
    .string()
    .trim()
    .min(1)
    .default('I am sorry, I cannot answer that right now. A member of our team will follow up with you.'),
  /** The reply to a message the guards blocked. */
  blockedReply: z
    .string()
    .trim()
    .min(1)
    .default('I am sorry, I cannot help with that message. Could you rephrase your question?'),
  prompts: z
    .object({
      turn: PromptRefSchema.default({ id: 'cs.turn', version: 'v1' }),
      summary: PromptRefSchema.default({ id: 'cs.summary', version: 'v1' }),
    })
    .default({ turn: { id: 'cs.turn', version: 'v1' }, summary: { id: 'cs.summary', version: 'v1' } }),
  turn: z.object({ caps: TurnCapsSchema.default(TurnCapsSchema.parse({})) }).default({
    caps: TurnCapsSchema.parse({}),
  }),
  session: z
    .object({
      caps: SessionCapsSchema.default(SessionCapsSchema.parse({})),
      /** A session no message reaches for this long closes. */
      idleTimeout: DurationMsSchema.default(30 * 60_000),
      /** Turns the agent reads word for word; older ones it reads in the summary. */
      recentTurns: z.number().int().min(1).max(50).default(6),
      /** The session continues as new after this many turns (sooner if Temporal suggests it). */
      continueAsNewAfterTurns: z.number().int().min(1).max(1_000).default(50),
    })
    .default({
      caps: SessionCapsSchema.parse({}),
      idleTimeout: 30 * 60_000,
      recentTurns: 6,
      continueAsNewAfterTurns: 50,
    }),
});
export type CustomerServiceConfig = z.output<typeof CustomerServiceConfigSchema>;

/** Who the session serves, as the page or the CLI that opened it knows them. */
export const CustomerSchema = z.object({
  id: z.string().trim().min(1),
  name: z.string().trim().min(1).optional(),
});
export type Customer = z.infer<typeof CustomerSchema>;

/** One finished turn as the session remembers it: the message as the guards left it, and the reply. */
export const SessionTurnSchema = z.object({
  turn: z.number().int().positive(),
  messageId: z.string().min(1),
  message: z.string(),
  reply: z.string(),
  outcome: z.enum(['answered', 'fallback', 'blocked']),
});
export type SessionTurn = z.infer<typeof SessionTurnSchema>;

/**
 * What a session carries into its next execution: its memory (a summary of the turns it no
 * longer keeps word for word, and the recent ones), its totals and counts. Bounded whatever the
 * number of turns: this, not the whole conversation, is the next execution's input.
 */
export const SessionContinuationSchema = z.object({
  execution: z.number().int().min(2),
  startedAt: z.number().int().nonnegative(),
  turns: z.number().int().nonnegative(),
  summary: z.string(),
  /** The turns the summary covers: 1 to `summarised`. */
  summarised: z.number().int().nonnegative(),
  recent: z.array(SessionTurnSchema),
  totals: RunTotalsSchema,
});
export type SessionContinuation = z.infer<typeof SessionContinuationSchema>;

export const CustomerServiceInputSchema = z.object({
  ...runInputFields,
  /** The behaviour to follow; unset, the worker's (`config/customer_service.yaml`), read when the session starts. */
  config: CustomerServiceConfigSchema.optional(),
  customer: CustomerSchema,
  /** Set by the session itself when it continues as new; a caller leaves it out. */
  continued: SessionContinuationSchema.optional(),
});
export type CustomerServiceInput = z.output<typeof CustomerServiceInputSchema>;
export type CustomerServiceRequest = z.input<typeof CustomerServiceInputSchema>;

/** A customer's message, the argument of `sendMessageUpdate`. */
export const CustomerMessageSchema = z.object({
  text: z
    .string()
    .trim()
    .min(1, 'the message is empty')
    .max(4_000, 'the message is longer than 4,000 characters'),
});
export type CustomerMessage = z.infer<typeof CustomerMessageSchema>;

/**
 * What a message gets back. `answered`: the agent's reply. `fallback`: the turn could not answer
 * (a failure, a cap) and `reply` is the configured fallback; `detail` says why. `blocked`: the
 * guards refused the message. The reply may hold the session's placeholders for personal data
 * (`<EMAIL_1>`); the client restores them from `piiVault` for the customer's eyes only.
 */
export interface TurnReply {
  turn: number;
  messageId: string;
  reply: string;
  outcome: SessionTurn['outcome'];
  detail: string;
  /** The language the message was written in (ISO 639-1, `und` when too short to tell). */
  language: string;
  /** The child run that answered, for its trace. */
  workflowId?: string;
  totals: RunTotals;
  piiVault?: string;
}

export type SessionStatus = 'open' | 'closed';
/** Why a session closed: nobody wrote for the idle timeout, someone closed it, or a cap ended it. */
export type SessionClosedBy = 'idle' | 'closed' | 'cap';

/** A session's state, the answer of `sessionStateQuery` and, once it closed, its result. */
export interface SessionState {
  status: SessionStatus;
  closedBy?: SessionClosedBy;
  closedDetail?: string;
  config: { name: string; version: string };
  customer: Customer;
  turns: number;
  execution: number;
  summary: string;
  recent: SessionTurn[];
  totals: RunTotals;
  caps: SessionCaps;
}

/** The argument of `closeSessionUpdate`: why it is closed, for the record. */
export interface CloseSessionRequest {
  reason?: string;
}

export type { RunCaps };
