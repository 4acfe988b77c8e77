import { replyReviewOutput, type ReplyReview } from '../../common/customer-service.js';
import type { PromptRef } from '../../common/prompt-template.js';
import type { RunTotals } from '../../common/run-contract.js';
import { spotlight, spotlightBoundary } from '../../common/spotlight.js';
import { askStructured, type StructuredAskServices } from './ask-structured.js';

export interface ReviewReplyInput {
  /** The customer's message as the guards left it, and the agent's reply. */
  message: string;
  reply: string;
  /** The service's rules, one a line. */
  rules: string;
  /** The session's model: `provider:model` or an alias, whose first model is asked. */
  model: string;
  /** The lowest score that passes. */
  threshold: number;
  prompt: PromptRef;
  /** Seeds the spotlighting boundary: the session's run id. */
  runId: string;
}

/**
 * The model's review of a reply before the customer reads it: one structured call at temperature
 * 0 (a retry is answered by the response cache), message and reply spotlighted as data; it passes
 * at `threshold` or above. A model that cannot review leaves the reply `unchecked` (it goes out,
 * and the review says why): the rules in code have judged it already, and a turn is not failed for
 * its reviewer's outage. The call's cost comes back in `totals`.
 */
export function createReviewActivities(services: StructuredAskServices) {
  return {
    async reviewReply(input: ReviewReplyInput): Promise<{ review: ReplyReview; totals: RunTotals }> {
      const boundary = spotlightBoundary(input.runId);
      const answer = await askStructured(services, {
        model: input.model,
        prompt: input.prompt,
        output: replyReviewOutput,
        variables: {
          rules: input.rules,
          message: spotlight(input.message, { source: 'customer message', boundary }),
          reply: spotlight(input.reply, { source: "agent's reply", boundary }),
        },
      });
      if ('problem' in answer)
        return {
          review: {
            passed: true,
            by: 'unchecked',
            score: null,
            problems: [`not reviewed: ${answer.problem}`],
          },
          totals: answer.totals,
        };
      const { score, problems } = answer.value;
      return {
        review: { passed: score >= input.threshold, by: 'model', score, problems },
        totals: answer.totals,
      };
    },
  };
}
