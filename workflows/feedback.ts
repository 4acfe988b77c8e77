import type { RunFeedback } from '../common/feedback.js';

/**
 * One piece of feedback on a run, kept as a workflow execution: its memo and search attribute,
 * set when the client starts it, are the record, and this only completes it. Deterministic, no
 * activity; any worker of the queue finishes it, and until one does it is recorded all the same.
 */
export function runFeedbackWorkflow(feedback: RunFeedback): Promise<RunFeedback> {
  return Promise.resolve(feedback);
}
