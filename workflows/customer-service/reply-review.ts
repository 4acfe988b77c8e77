import { workflowInfo } from '@temporalio/workflow';
import type { CustomerServiceConfig, ReplyReview } from '../../common/customer-service.js';
import type { CustomerSession } from './customer-session.js';
import { reviewReply } from './turn-activities.js';

/** A passage's id as the agent cites it: `[refunds.md#0]`. */
const citation = /\[[^\]\s]+#\d+\]/;

/**
 * What the configuration's rules find wrong with a reply, in code: a forbidden phrase (a promise
 * the agent may not make), or a policy stated (`citeWhen` matches) without a citation.
 * Deterministic.
 */
export function reviewByRules(config: CustomerServiceConfig, reply: string): string[] {
  const problems = config.review.forbidden.flatMap((rule) =>
    new RegExp(rule.pattern, 'i').test(reply) ? [`${rule.id}: ${rule.message}`] : [],
  );
  if (config.review.citeWhen && new RegExp(config.review.citeWhen, 'i').test(reply) && !citation.test(reply))
    problems.push('it states a policy without citing the passage it rests on');
  return problems;
}

/**
 * The review of the agent's reply before the customer reads it: the rules in code first; a reply
 * they pass goes to the model's review (an activity, counted in the session's totals), which
 * passes it at the configured threshold, or leaves it unchecked when the model cannot review.
 */
export async function reviewAgentReply(
  session: CustomerSession,
  message: string,
  reply: string,
): Promise<ReplyReview> {
  const { config } = session;
  const problems = reviewByRules(config, reply);
  if (problems.length > 0) return { passed: false, by: 'rules', score: null, problems };
  const { review, totals } = await reviewReply({
    message,
    reply,
    rules:
      config.constraints.length > 0 ? config.constraints.map((rule) => `- ${rule}`).join('\n') : '- (none)',
    model: session.input.model,
    threshold: config.review.threshold,
    prompt: config.prompts.review,
    runId: workflowInfo().runId,
  });
  session.spent(totals);
  return review;
}
