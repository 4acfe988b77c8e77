/**
 * Tool calls waiting for a person, across runs: found by their `LlmosPendingApprovals` search
 * attribute, read with `pendingApprovalsQuery`, decided with `approveToolCallUpdate` or
 * `declineToolCallUpdate`. Part of the client library.
 */
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { PendingApproval, ToolCallDecisionRequest } from '../common/approvals.js';
import { approveToolCallUpdate, declineToolCallUpdate, pendingApprovalsQuery } from '../common/messages.js';
import { queryBriefly } from './query-briefly.js';

/** One waiting call, with the run it belongs to. */
export interface InboxEntry extends PendingApproval {
  workflowId: string;
}

const quoted = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The runs whose calls wait (a visibility query, so a moment behind the runs themselves). */
async function waitingRuns(client: Client, toolCallId?: string): Promise<string[]> {
  const query = `ExecutionStatus = 'Running' AND ${
    toolCallId === undefined
      ? 'LlmosPendingApprovals IS NOT NULL'
      : `LlmosPendingApprovals = ${quoted(toolCallId)}`
  }`;
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids;
}

/** Every tool call that waits for a person, oldest first; `workflowIds` narrows it to some runs. */
export async function listPendingApprovals(
  client: Client,
  workflowIds?: readonly string[],
): Promise<InboxEntry[]> {
  const runs = workflowIds ?? (await waitingRuns(client));
  const entries = await Promise.all(
    runs.map(async (workflowId) => {
      try {
        const pending = await queryBriefly(client, () =>
          client.workflow.getHandle(workflowId).query(pendingApprovalsQuery),
        );
        return pending.map((approval) => ({ ...approval, workflowId }));
      } catch {
        // The run ended between the search and the query (nothing of it waits), or its workers do
        // not answer (it is left out of this listing).
        return [];
      }
    }),
  );
  return entries.flat().sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
}

/** No run waits for the named tool call, or its run refused the decision (it decided already). */
export class NoSuchApprovalError extends Error {
  override readonly name = 'NoSuchApprovalError';
}

/**
 * Approves or declines one waiting call. Its run is `workflowId`, or the one the search finds by
 * the call's id. The run's validator refuses a call that does not wait (decided already, or never
 * asked), and nothing then lands in its history.
 */
export async function decideToolCall(
  client: Client,
  decision: 'approve' | 'decline',
  request: ToolCallDecisionRequest,
  options: { workflowId?: string | undefined } = {},
): Promise<{ workflowId: string }> {
  const [workflowId] = options.workflowId
    ? [options.workflowId]
    : await waitingRuns(client, request.toolCallId);
  if (!workflowId) throw new NoSuchApprovalError(`no running run waits for tool call ${request.toolCallId}`);
  const update = decision === 'approve' ? approveToolCallUpdate : declineToolCallUpdate;
  try {
    await client.workflow.getHandle(workflowId).executeUpdate(update, { args: [request] });
  } catch (error) {
    // The validator's reason is the cause; the update failure itself says only that it failed.
    if (error instanceof WorkflowUpdateFailedError)
      throw new NoSuchApprovalError(`run ${workflowId} refused: ${error.cause?.message ?? error.message}`);
    throw error;
  }
  return { workflowId };
}
