import {
  condition,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../../activities/index.js';
import {
  ToolCallDecisionSchema,
  type ApprovalOutcome,
  type ApprovalSettings,
  type PendingApproval,
  type ToolCallDecision,
} from '../../common/approvals.js';
import type { ToolCall } from '../../common/chat.js';
import {
  approveToolCallUpdate,
  declineToolCallUpdate,
  pendingApprovalsQuery,
} from '../../common/messages.js';
import { LlmosPendingApprovals } from '../../common/search-attributes.js';
import { localActivityOptions } from './activity-options.js';
import type { RunGuards } from './run-guards.js';

const { recordApproval } = proxyActivities<Activities>(localActivityOptions);

/**
 * The tool calls of a run that wait for a person. A call of a tool that needs approval is held
 * until `approveToolCallUpdate` or `declineToolCallUpdate` names its id, or until the wait runs
 * out (declined, as nobody approved it). While calls wait, their ids are the run's
 * `LlmosPendingApprovals` search attribute (where the namespace has it), which `llmos inbox`
 * searches. Deterministic; lives in the workflow. A decision lands in history as the update
 * that made it, so a replay waits for, and gets, the same one.
 */
export class RunApprovals {
  private readonly pending = new Map<string, PendingApproval>();
  private readonly decisions = new Map<string, ToolCallDecision & { decision: 'approved' | 'declined' }>();

  /** The tools whose calls wait. */
  readonly tools = new Set<string>();
  private readonly timeoutMs: number;
  /** The tools the run's own settings name. */
  private readonly named: readonly string[];

  constructor(
    settings: ApprovalSettings,
    /** The run's tools: only these can wait. */
    private offered: readonly string[],
    private readonly recordSearchAttributes: boolean,
  ) {
    this.timeoutMs = settings.timeoutMs;
    this.named = settings.tools;
    this.mark(settings.tools);
  }

  /**
   * The run's tools as described when it started: an MCP server's tools by their full names
   * (`files__write_file`), which the run's settings may name, beside the names the run was given.
   */
  offer(tools: readonly string[]): void {
    this.offered = [...new Set([...this.offered, ...tools])];
    this.mark(this.named);
  }

  /** Makes the calls of `tools` (those the run offers) wait: the run's own list, or tools marked `requireApproval`. */
  mark(tools: readonly string[]): void {
    for (const tool of tools) if (this.offered.includes(tool)) this.tools.add(tool);
  }

  /** Answers the pending-approvals query, and takes decisions on waiting calls (only those). */
  handleMessages(): void {
    setHandler(pendingApprovalsQuery, () => this.waiting);
    for (const [update, decision] of [
      [approveToolCallUpdate, 'approved'],
      [declineToolCallUpdate, 'declined'],
    ] as const)
      setHandler(
        update,
        (request) => {
          this.decisions.set(request.toolCallId, { ...ToolCallDecisionSchema.parse(request), decision });
        },
        {
          validator: (request) => {
            const parsed = ToolCallDecisionSchema.parse(request);
            if (!this.pending.has(parsed.toolCallId))
              throw new Error(`no tool call ${parsed.toolCallId} waits for approval in this run`);
            if (decision === 'declined' && !parsed.reason) throw new Error('a decline needs a reason');
          },
        },
      );
  }

  /** The calls waiting now, oldest first. */
  get waiting(): PendingApproval[] {
    return [...this.pending.values()];
  }

  /** Whether a call of `tool` waits; runs recorded before approvals never wait. */
  needs(tool: string): boolean {
    return this.tools.has(tool) && patched('tool-approvals');
  }

  /**
   * Holds `call` until a person decides or the wait runs out (at most `timeLeftMs`, the run's
   * wall time): the outcome, which the audit trail records for a run with guards.
   */
  async ask(
    call: ToolCall,
    iteration: number,
    timeLeftMs: number,
    guards?: RunGuards,
  ): Promise<ApprovalOutcome> {
    const started = Date.now();
    const waitMs = Math.max(0, Math.min(this.timeoutMs, timeLeftMs));
    this.pending.set(call.id, {
      toolCallId: call.id,
      tool: call.name,
      arguments: call.arguments,
      iteration,
      requestedAt: new Date(started).toISOString(),
      expiresAt: new Date(started + waitMs).toISOString(),
    });
    this.publish();
    const decided = await condition(() => this.decisions.has(call.id), waitMs);
    this.pending.delete(call.id);
    this.publish();
    const made = this.decisions.get(call.id);
    const outcome: ApprovalOutcome =
      decided && made
        ? {
            decision: made.decision,
            by: made.by,
            ...(made.reason ? { reason: made.reason } : {}),
            waitedMs: Date.now() - started,
          }
        : { decision: 'timed_out', waitedMs: Date.now() - started };
    if (guards)
      await recordApproval({
        run: guards.run,
        toolCallId: call.id,
        tool: call.name,
        decision: outcome.decision,
        ...(outcome.by ? { by: outcome.by } : {}),
        ...(outcome.reason ? { reason: outcome.reason } : {}),
      });
    return outcome;
  }

  private publish(): void {
    if (this.recordSearchAttributes)
      upsertSearchAttributes([{ key: LlmosPendingApprovals, value: [...this.pending.keys()] }]);
  }
}

/** What the model reads instead of a result when its call was not approved. */
export function declinedObservation(outcome: ApprovalOutcome, errorType: string): string {
  return outcome.decision === 'timed_out'
    ? `${errorType}: nobody approved this call within the time allowed; do not try it again`
    : `${errorType}: declined by ${outcome.by ?? 'someone'}: ${outcome.reason ?? 'no reason given'}`;
}
