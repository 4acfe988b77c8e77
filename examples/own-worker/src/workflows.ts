/**
 * The application's workflows, with llmos's beside them: the worker runs both, so this workflow
 * can run an llmos agent, which `runAgent` starts as a child workflow. The agent's run is durable
 * and bounded on its own (caps, a trace, its cost), and shows in the Temporal UI under this one.
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { runAgent } from 'llmos/workflow';

export * from 'llmos/workflow';

export interface RefundDeskResult {
  answer: string;
  toolCalls: number;
  costUsd: number;
}

/** Answers a customer's complaint with an agent that may look orders up and refund them. */
export async function refundDeskWorkflow(complaint: string, model: string): Promise<RefundDeskResult> {
  const result = await runAgent({
    question: complaint,
    model,
    tools: ['lookup_order', 'issue_refund'],
    caps: { maxIterations: 5, maxCostUsd: 0.5 },
  });
  if (result.stopReason !== 'answer' || !result.answer)
    throw ApplicationFailure.nonRetryable(
      `the agent did not answer: ${result.stopReason} ${result.stopDetail ?? ''}`,
    );
  return { answer: result.answer, toolCalls: result.totals.toolCalls, costUsd: result.totals.costUsd };
}
