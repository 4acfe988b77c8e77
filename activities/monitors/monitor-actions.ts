import { ApplicationFailure } from '@temporalio/activity';
import { WithStartWorkflowOperation, WorkflowIdConflictPolicy, type Client } from '@temporalio/client';
import { ErrorType } from '../../common/errors.js';
import { recordMonitorEvaluationUpdate } from '../../common/messages.js';
import {
  monitorStateWorkflowId,
  monitorStateWorkflowType,
  type MonitorEvaluation,
  type MonitorTransitions,
} from '../../common/monitors.js';

/** What an alert tells its webhook. */
export interface MonitorAlert {
  /** `firing` when the monitor starts firing, `resolved` when it stops. */
  status: 'firing' | 'resolved';
  monitor: string;
  metric: string;
  value: number | null;
  threshold: { below?: number | undefined; above?: number | undefined };
  windowMs: number;
  /** Epoch milliseconds of the evaluation. */
  at: number;
  /** The evaluation's workflow id: the same alert sent twice (a retry) carries the same one. */
  evaluation: string;
}

/**
 * The monitors' side effects, as activities (workflows cannot send updates or HTTP requests):
 * handing an evaluation to the monitor state workflow, by update-with-start (the first one starts
 * it), and posting an alert to a webhook.
 */
export function createMonitorActions(dependencies: { client: () => Promise<Client>; taskQueue: string }) {
  const { client, taskQueue } = dependencies;
  return {
    /** Applies an evaluation to the monitors' state; retried, it may apply twice, which changes nothing more. */
    recordMonitorEvaluation: async (evaluation: MonitorEvaluation): Promise<MonitorTransitions> =>
      (await client()).workflow.executeUpdateWithStart(recordMonitorEvaluationUpdate, {
        args: [evaluation],
        startWorkflowOperation: new WithStartWorkflowOperation(monitorStateWorkflowType, {
          workflowId: monitorStateWorkflowId,
          taskQueue,
          args: [],
          workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
        }),
      }),

    /**
     * Posts the alert as JSON, with an `Idempotency-Key` (the evaluation and monitor) so a
     * receiver can drop the repeat of a retried post. A 4xx other than 408 and 429 is the
     * receiver refusing it: not retried. Anything else is, by Temporal.
     */
    sendMonitorAlert: async (input: { webhook: string; alert: MonitorAlert }): Promise<void> => {
      const { webhook, alert } = input;
      let response: Response;
      try {
        response = await fetch(webhook, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'idempotency-key': `${alert.evaluation}/${alert.monitor}/${alert.status}`,
          },
          body: JSON.stringify(alert),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        throw ApplicationFailure.create({
          type: ErrorType.AlertNotDelivered,
          message: `the alert webhook did not answer: ${(error as Error).message}`,
        });
      }
      if (response.ok) return;
      const refused =
        response.status >= 400 && response.status < 500 && ![408, 429].includes(response.status);
      throw ApplicationFailure.create({
        type: ErrorType.AlertNotDelivered,
        message: `the alert webhook answered ${response.status} ${response.statusText}`,
        nonRetryable: refused,
      });
    },
  };
}
