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
import { ReplyStreamStateSchema } from './reply-stream.js';
import { defineOutput } from './structured-output.js';

/** A pattern a reply must not hold (a promise the agent may not make), as a rule of the configuration. */
export const ForbiddenPhraseSchema = z.object({
  id: z.string().min(1),
  pattern: z.string().min(1).refine(isRegExp, 'not a valid regular expression'),
  message: z.string().min(1),
});

function isRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

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
  /** How long the session may last from its start, idle or not (ms, or e.g. `30d`). */
  maxWallTime: DurationMsSchema.default(30 * 86_400_000),
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
  /** The language of its documents (ISO 639-1): a message in another is translated into it for the agent. */
  knowledgeLanguage: z
    .string()
    .regex(/^[a-z]{2}$/, 'an ISO 639-1 code such as en')
    .default('en'),
  tools: z.array(z.string().min(1)).default(['retrieve']),
  /**
   * The products the knowledge base's documents are filed under (their `product`), each with words
   * that name it in a message: a turn's assessment picks one, and the words are the fallback's.
   */
  products: z.record(z.string().min(1), z.array(z.string().trim().min(1)).min(1)).default({}),
  /** Tool calls that wait for a person, beyond the tools marked `requireApproval`. */
  approval: ApprovalSettingsSchema.default(ApprovalSettingsSchema.parse({})),
  /**
   * Whether the agent's reply is streamed to the customer as the model writes it (drafts on the
   * session's reply stream). A draft is shown as one: the reviewed reply (or the fallback, or the
   * hand-off's) replaces it when the turn ends. Off, the customer reads only reviewed replies.
   */
  streamDrafts: z.boolean().default(true),
  /** What the customer reads when a turn could not answer (a failure, a cap, a blocked message). */
  fallbackReply: z
    .string()
    .trim()
    .min(1)
    .default('I am sorry, I cannot answer that right now. A member of our team will follow up with you.'),
  /**
   * When a person takes the conversation over, besides the model's own `escalate_to_human`: a
   * message whose sentiment is below `sentimentBelow`, or (`whenAsked`) one that asks for a person.
   * `reply` tells the customer so; `waitingReply` answers the messages that come before a person does.
   */
  escalation: z
    .object({
      sentimentBelow: z.number().min(-1).max(1).default(-0.5),
      whenAsked: z.boolean().default(true),
      reply: z
        .string()
        .trim()
        .min(1)
        .default('I am passing our conversation to a member of our team, who will answer you here.'),
      waitingReply: z
        .string()
        .trim()
        .min(1)
        .default('Thank you, your message is with our team; a person will answer you here.'),
    })
    .prefault({}),
  /**
   * The review of every reply the agent writes, before the customer reads it: the rules in code
   * (`forbidden` phrases; a reply that matches `citeWhen` must cite a passage), then the model's
   * score against `threshold`. A reply that fails is replaced by the fallback reply, or (`onFail:
   * handoff`) the session is handed to a person.
   */
  review: z
    .object({
      threshold: z.number().min(0).max(1).default(0.6),
      onFail: z.enum(['fallback', 'handoff']).default('handoff'),
      forbidden: z.array(ForbiddenPhraseSchema).default([]),
      citeWhen: z.string().min(1).refine(isRegExp, 'not a valid regular expression').optional(),
    })
    .prefault({}),
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
      assessment: PromptRefSchema.default({ id: 'cs.assess', version: 'v1' }),
      review: PromptRefSchema.default({ id: 'cs.review', version: 'v1' }),
    })
    .prefault({}),
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

/** How urgent a message is, for the queue a person works from. */
export const PrioritySchema = z.enum(['low', 'normal', 'high', 'urgent']);
export type Priority = z.infer<typeof PrioritySchema>;

/** What the model reads of a message before the turn: mood, urgency, product, and whether a person is asked for. */
export const messageAssessmentOutput = defineOutput(
  'message_assessment',
  "A customer message's sentiment, priority and product",
  z.object({
    /** From -1 (furious) through 0 (neutral) to 1 (delighted). */
    sentiment: z.number().min(-1).max(1),
    priority: PrioritySchema,
    /** One of the configured products, or null when the message is about none of them. */
    product: z.string().min(1).nullable(),
    /** Whether the customer asks to talk to a person. */
    wantsHuman: z.boolean(),
    /** The message in the knowledge base's language, when it is written in another; else null. */
    translation: z.string().trim().min(1).nullable().default(null),
  }),
);

/**
 * A message's assessment, as the turn used it: the model's (`source: model`), or the lexicon's
 * when the model could not give one (`lexicon`, with `fallbackReason`).
 */
export interface MessageAssessment {
  sentiment: number;
  priority: Priority;
  product: string | null;
  wantsHuman: boolean;
  /** The message in the knowledge base's language, when the model translated it. */
  translation: string | null;
  source: 'model' | 'lexicon';
  fallbackReason?: string;
}

/** The model's review of a reply before the customer reads it. */
export const replyReviewOutput = defineOutput(
  'reply_review',
  'How well a support reply answers the customer and keeps the service rules',
  z.object({
    /** From 0 (harmful or useless) to 1 (right, helpful, within every rule). */
    score: z.number().min(0).max(1),
    /** What is wrong with it, one short sentence each; empty when nothing is. */
    problems: z.array(z.string().trim().min(1)).default([]),
  }),
);

/**
 * What the review found of a reply: `rules` (a forbidden phrase, a policy stated without a
 * citation: checked in code, no model asked), `model` (its score against the threshold), or
 * `unchecked` (the model could not review it; the reply went out, and `problems` says why).
 */
export interface ReplyReview {
  passed: boolean;
  by: 'rules' | 'model' | 'unchecked';
  score: number | null;
  problems: string[];
}

/** Who the session serves, as the page or the CLI that opened it knows them. */
/** How a turn ended: answered by the agent, the fallback, blocked, handed to a person, or a person's reply. */
export const TurnOutcomeSchema = z.enum(['answered', 'fallback', 'blocked', 'handed-off', 'person']);

export const CustomerSchema = z.object({
  id: z.string().trim().min(1),
  name: z.string().trim().min(1).optional(),
});
export type Customer = z.infer<typeof CustomerSchema>;

/** One finished turn as the session remembers it: the message as the guards left it, and the reply. */
export const SessionTurnSchema = z.object({
  turn: z.number().int().positive(),
  messageId: z.string().min(1),
  /** The customer's message; empty for a person's reply, which answers the messages before it. */
  message: z.string(),
  reply: z.string(),
  /**
   * `answered`, `fallback`, `blocked`: as `TurnReply` says. `handed-off`: the message went to a
   * person (the reply only says so). `person`: a person's reply, written by `by`.
   */
  outcome: TurnOutcomeSchema,
  by: z.string().optional(),
  sentiment: z.number().optional(),
});
export type SessionTurn = z.infer<typeof SessionTurnSchema>;

/** A session a person has taken over: since when, why, how urgent, and the ticket it opened. */
export const HandoffSchema = z.object({
  since: z.number().int().nonnegative(),
  reason: z.string(),
  priority: PrioritySchema,
  /** The sentiment of the message that handed it off, when it was assessed. */
  sentiment: z.number().nullable(),
  product: z.string().nullable(),
  /** The ticket opened for the person, e.g. `T-1001`; none when it could not be opened (`ticketProblem`). */
  ticket: z.string().optional(),
  ticketProblem: z.string().optional(),
  /** Customer messages since the hand-off that no person has answered yet. */
  waiting: z.number().int().nonnegative(),
});
export type Handoff = z.infer<typeof HandoffSchema>;

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
  handoff: HandoffSchema.optional(),
  /** The reply stream's state: readers following it carry on in the next execution. */
  stream: ReplyStreamStateSchema.optional(),
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
  /** How the message was read before the turn: sentiment, priority, product. */
  assessment?: MessageAssessment;
  /** The review of the agent's reply, when the agent wrote one. */
  review?: ReplyReview;
  /** Set when a person has the conversation (since this turn, or before it). */
  handoff?: Handoff;
  totals: RunTotals;
  piiVault?: string;
}

export type SessionStatus = 'open' | 'closed';
/** What the customer-facing reply of a turn was. */
export type TurnOutcome = SessionTurn['outcome'];
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
  /** Present while a person has the conversation. */
  handoff?: Handoff;
  /** The last hand-off that ended: when, and who gave the session back to the agent. */
  lastHandoff?: Handoff & { returnedAt: number; returnedBy: string };
}

/** A person's reply to a handed-off session, the argument of `replyAsPersonUpdate`. */
export const PersonReplySchema = z.object({
  text: z
    .string()
    .trim()
    .min(1, 'the reply is empty')
    .max(4_000, 'the reply is longer than 4,000 characters'),
  by: z.string().trim().min(1, 'say who replies').max(100),
});
export type PersonReply = z.infer<typeof PersonReplySchema>;

/** The argument of `returnToAgentUpdate`: who gives the conversation back to the agent. */
export const ReturnToAgentRequestSchema = z.object({
  by: z.string().trim().min(1, 'say who gives it back (by)').max(100),
});
export type ReturnToAgentRequest = z.infer<typeof ReturnToAgentRequestSchema>;

/** The argument of `closeSessionUpdate`: why it is closed, for the record. */
export const CloseSessionRequestSchema = z.object({
  reason: z.string().trim().max(1_000, 'the reason is longer than 1,000 characters').optional(),
});
export type CloseSessionRequest = z.infer<typeof CloseSessionRequestSchema>;

export type { RunCaps };
