import { z } from 'zod';
import { defineTool } from './tool.js';

/** What the model reads back: the hand-off is the session's to make, after this reply. */
export const escalationObservation =
  'Noted: a person takes the conversation over after your reply. Tell the customer, in one or two sentences, that a member of the team will answer them here, and promise nothing else.';

/**
 * `escalate_to_human`: the model asks for a person to take the conversation over. The tool itself
 * does nothing outside: the agent run records the request in its result (`escalation`), and the
 * customer-service session hands off once the reply is given (a ticket, the human queue). Pure:
 * the same arguments give the same text, so the agent runs it as a local activity.
 */
export const escalateToHuman = defineTool({
  name: 'escalate_to_human',
  description:
    'Hands the conversation to a person after your reply: when the customer asks for one, is very upset, or needs what you may not do (a refund, an exception, a complaint).',
  inputSchema: z.object({
    reason: z.string().trim().min(3).max(500).describe('Why a person should take over, for the person'),
  }),
  pure: true,
  execute: () => Promise.resolve(escalationObservation),
});
