/**
 * Human approval of tool calls: which calls wait, what a person decides, and what the run
 * recorded. Sandbox-safe: zod schemas and types only.
 */
import { z } from 'zod';

/** A person's decision on one waiting tool call, sent with `approveToolCallUpdate` or `declineToolCallUpdate`. */
export const ToolCallDecisionSchema = z.object({
  /** The tool call's id, as `pendingApprovalsQuery` and `llmos inbox` show it. */
  toolCallId: z.string().min(1),
  /** Who decided, for the trace and the audit trail. */
  by: z.string().trim().min(1).default('someone'),
  /** Why: required to decline, as the model reads it and decides what to do next. */
  reason: z.string().trim().min(1).max(1_000).optional(),
});
export type ToolCallDecision = z.output<typeof ToolCallDecisionSchema>;
export type ToolCallDecisionRequest = z.input<typeof ToolCallDecisionSchema>;

/** What a run asks of its approvers: the tools whose calls wait, and for how long at most. */
export const ApprovalSettingsSchema = z.object({
  /** Tools whose every call waits for a person, beyond those marked `requireApproval`. */
  tools: z.array(z.string().min(1)).default([]),
  /** How long a call waits before it is declined (a day by default); the run's wall-time cap still applies. */
  timeoutMs: z
    .number()
    .int()
    .positive()
    .default(24 * 3_600_000),
});
export type ApprovalSettings = z.output<typeof ApprovalSettingsSchema>;

/** A tool call waiting for a person. */
export interface PendingApproval {
  toolCallId: string;
  tool: string;
  /** The arguments as the model wrote them (with the run's placeholders for personal data). */
  arguments: string;
  iteration: number;
  /** ISO time it began to wait, and the latest it waits until. */
  requestedAt: string;
  expiresAt: string;
}

/** How a waiting call ended: recorded on its tool step. */
export interface ApprovalOutcome {
  decision: 'approved' | 'declined' | 'timed_out';
  by?: string;
  reason?: string;
  waitedMs: number;
}
